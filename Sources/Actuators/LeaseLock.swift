import Foundation
import Kubernetes
import Scaling
import Synchronization

/// Where leader election reads and writes its Lease.
public protocol LeaseLock: Sendable {
    /// The Lease and its resourceVersion, or nil when there is none.
    func read() async throws -> (record: LeaseRecord, resourceVersion: String)?
    /// Creates the Lease; false when another replica created it first or the API refused.
    func create(_ record: LeaseRecord) async -> Bool
    /// Replaces the Lease if it is still at `resourceVersion`; false on a conflict or failure.
    func update(_ record: LeaseRecord, resourceVersion: String) async -> Bool
    /// For messages: "surge/surge-scaling".
    var description: String { get }
}

/// The Lease on the API server (`coordination.k8s.io/v1`), its times as MicroTime.
public struct KubernetesLeaseLock: LeaseLock {
    let client: KubernetesClient
    let namespace: String
    let name: String

    public init(client: KubernetesClient, namespace: String, name: String) {
        self.client = client
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(namespace)/\(name)" }

    public func read() async throws -> (record: LeaseRecord, resourceVersion: String)? {
        guard let lease = try await client.lease(namespace: namespace, name: name) else { return nil }
        let spec = lease.spec
        return (LeaseRecord(holderIdentity: spec.holderIdentity, leaseDurationSeconds: spec.leaseDurationSeconds ?? 15,
                            acquireTime: spec.acquireTime.flatMap(Self.milliseconds), renewTime: spec.renewTime.flatMap(Self.milliseconds),
                            leaseTransitions: spec.leaseTransitions ?? 0),
                lease.metadata.resourceVersion ?? "")
    }

    public func create(_ record: LeaseRecord) async -> Bool {
        (try? await client.createLease(lease(record, resourceVersion: nil))) != nil
    }

    public func update(_ record: LeaseRecord, resourceVersion: String) async -> Bool {
        (try? await client.updateLease(lease(record, resourceVersion: resourceVersion))) != nil
    }

    private func lease(_ record: LeaseRecord, resourceVersion: String?) -> Lease {
        Lease(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: resourceVersion),
              spec: Lease.Spec(holderIdentity: record.holderIdentity, leaseDurationSeconds: record.leaseDurationSeconds,
                               acquireTime: record.acquireTime.map(Self.microTime), renewTime: record.renewTime.map(Self.microTime),
                               leaseTransitions: record.leaseTransitions))
    }

    /// `2026-12-07T15:00:00.123000Z`
    static func microTime(_ milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        var text = date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon))
        // Foundation writes milliseconds; MicroTime has microseconds.
        if text.hasSuffix("Z") { text.removeLast() }
        return text + "000Z"
    }

    static func milliseconds(_ text: String) -> Int64? {
        RFC3339.date(text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }
}

/// This replica's leadership, shared between the election loop (which writes it) and the
/// actuators (which ask it before every write).
public final class Leadership: Sendable {
    private let state: Mutex<LeaderElection>
    /// For messages: the Lease's namespace/name.
    public let lease: String

    public init(_ election: LeaderElection, lease: String) {
        state = Mutex(election)
        self.lease = lease
    }

    public func isLeader(at now: Int64) -> Bool { state.withLock { $0.isLeader(at: now) } }
    public var holder: String? { state.withLock { $0.holder } }
    public var identity: String { state.withLock { $0.identity } }

    /// One round of the election: read, plan, write. Returns whether this replica leads after it.
    @discardableResult
    public func round(_ lock: any LeaseLock, now: @Sendable () -> Int64) async -> Bool {
        let current: (record: LeaseRecord, resourceVersion: String)?
        do { current = try await lock.read() } catch { return isLeader(at: now()) }
        // Leadership counts from before the write was sent, never from its answer: a slow answer
        // must not stretch it.
        let started = now()
        let plan = state.withLock { $0.plan(current?.record, at: started) }
        switch plan {
        case .wait:
            break
        case .create(let record):
            let ok = await lock.create(record)
            state.withLock { $0.written(record, succeeded: ok, at: started) }
        case .update(let record):
            let ok = await lock.update(record, resourceVersion: current?.resourceVersion ?? "")
            state.withLock { $0.written(record, succeeded: ok, at: started) }
        }
        return isLeader(at: now())
    }

    /// Gives the Lease up, so another replica takes over without waiting for it to expire.
    public func release(_ lock: any LeaseLock, now: Int64) async {
        guard let current = try? await lock.read(), let record = state.withLock({ $0.release(at: now) }),
              current.record.holderIdentity == identity else { return }
        _ = await lock.update(record, resourceVersion: current.resourceVersion)
    }
}
