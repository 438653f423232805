import Actuators
import AsyncHTTPClient
import Foundation
import Kubernetes
import SurgeTestKit
import Synchronization
import Testing

/// Leader election on a Lease: the state machine's timeline, and two replicas contending for a
/// Lease on the strict fake API server.
@Suite struct LeaderElectionTests {
    @Test func aFreeLeaseIsTakenAHeldOneWaitsAnExpiredOneIsTakenOver() {
        var a = LeaderElection(identity: "a")
        var b = LeaderElection(identity: "b")
        // No Lease: a creates it.
        guard case .create(let created) = a.plan(nil, at: 0) else { Issue.record("a should create the Lease"); return }
        #expect(created == LeaseRecord(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: 0, renewTime: 0, leaseTransitions: 0))
        a.written(created, succeeded: true, at: 0)
        #expect(a.isLeader(at: 0) && a.isLeader(at: 9_999) && !a.isLeader(at: 10_000))
        // b sees a's live Lease and waits, however far its own clock is from a's.
        #expect(b.plan(created, at: 1_000_000) == .wait)
        #expect(!b.isLeader(at: 1_000_000))
        // a renews every 2 s; b keeps seeing it change.
        var renewed = created
        for t in stride(from: Int64(2_000), through: 8_000, by: 2_000) {
            guard case .update(let next) = a.plan(renewed, at: t) else { Issue.record("a should renew"); return }
            #expect(next.holderIdentity == "a" && next.renewTime == t && next.acquireTime == 0 && next.leaseTransitions == 0)
            a.written(next, succeeded: true, at: t)
            renewed = next
            #expect(b.plan(renewed, at: 1_000_000 + t) == .wait)
        }
        // a stops renewing (killed): it stops leading 10 s after its last renew, and b takes over
        // 15 s after it last saw the Lease change, on its own clock.
        #expect(a.isLeader(at: 17_999) && !a.isLeader(at: 18_000))
        #expect(b.plan(renewed, at: 1_000_000 + 8_000 + 14_999) == .wait)
        guard case .update(let taken) = b.plan(renewed, at: 1_000_000 + 8_000 + 15_000) else { Issue.record("b should take over"); return }
        #expect(taken.holderIdentity == "b" && taken.leaseTransitions == 1 && taken.acquireTime == 1_023_000)
        b.written(taken, succeeded: true, at: 1_023_000)
        #expect(b.isLeader(at: 1_023_000))
        // A failed write (another replica wrote first) gives no leadership.
        var c = LeaderElection(identity: "c")
        guard case .create(let attempt) = c.plan(nil, at: 0) else { return }
        c.written(attempt, succeeded: false, at: 0)
        #expect(!c.isLeader(at: 0))
    }

    @Test func aReleasedLeaseIsTakenAtOnce() {
        var a = LeaderElection(identity: "a")
        guard case .create(let created) = a.plan(nil, at: 0) else { return }
        a.written(created, succeeded: true, at: 0)
        let released = a.release(at: 1_000)
        #expect(released?.holderIdentity == "" && !a.isLeader(at: 1_000))
        var b = LeaderElection(identity: "b")
        guard case .update(let taken) = b.plan(released!, at: 1_500) else { Issue.record("b should take a released Lease"); return }
        #expect(taken.holderIdentity == "b" && taken.leaseTransitions == 0)
    }

    static let account = FakeKubernetesAccount(
        token: "lease-token", user: "system:serviceaccount:surge:surge",
        rules: [FakeKubernetesRule(verbs: ["get", "create", "update"], apiGroups: ["coordination.k8s.io"], resources: ["leases"], namespaces: ["surge"])])

    @Test func twoReplicasOnTheAPIServerAgreeOnOneLeader() async throws {
        try await FakeKubernetesAPIServer.with(accounts: [Self.account]) { fake in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { _ = http.shutdown() }
            let client = try KubernetesClient(credentials: KubernetesCredentials(server: fake.url, token: "lease-token"), httpClient: http)
            let lock = KubernetesLeaseLock(client: client, namespace: "surge", name: "surge-scaling")
            let clock = Atomic<Int64>(1_800_000_000_000)
            let now: @Sendable () -> Int64 = { clock.load(ordering: .relaxed) }
            let a = Leadership(LeaderElection(identity: "a"), lease: "surge/surge-scaling")
            let b = Leadership(LeaderElection(identity: "b"), lease: "surge/surge-scaling")
            // Both at once: the API server creates the Lease once; exactly one leads.
            async let first = a.round(lock, now: now)
            async let second = b.round(lock, now: now)
            let (aLeads, bLeads) = await (first, second)
            #expect(aLeads != bLeads, "a \(aLeads), b \(bLeads): \(fake.requests)")
            let (leader, follower) = aLeads ? (a, b) : (b, a)
            // Rounds every 2 s: the leader renews, the follower waits.
            for _ in 0..<5 {
                clock.add(2_000, ordering: .relaxed)
                #expect(await leader.round(lock, now: now))
                #expect(!(await follower.round(lock, now: now)))
            }
            let stored = try #require(try await lock.read())
            #expect(stored.record.holderIdentity == leader.identity && stored.record.leaseTransitions == 0)
            // The leader stops (SIGKILL): the follower takes over once the Lease has not changed for 15 s.
            clock.add(14_000, ordering: .relaxed)
            #expect(!(await follower.round(lock, now: now)))
            #expect(!leader.isLeader(at: now()))
            clock.add(2_000, ordering: .relaxed)
            #expect(await follower.round(lock, now: now))
            let taken = try #require(try await lock.read())
            #expect(taken.record.holderIdentity == follower.identity && taken.record.leaseTransitions == 1)
            #expect(fake.requests.contains { $0.hasPrefix("PUT /apis/coordination.k8s.io/v1/namespaces/surge/leases/surge-scaling -> 200") })
            #expect(fake.requests.contains { $0.hasPrefix("POST /apis/coordination.k8s.io/v1/namespaces/surge/leases -> 201") })
        }
    }
}
