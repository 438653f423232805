import Foundation
import TimeSeriesCore

/// A threshold trigger (step scaling), as operations teams write them: "when p99 latency > 300 ms
/// for 2 m, add 3 pods". While the PromQL condition `when` returns anything it holds; once it has
/// held for `for`, the trigger fires and proposes its change, then rests for `cooldown` after a
/// scale it drove was applied.
public struct StepTrigger: Sendable, Equatable {
    public enum Change: Sendable, Equatable {
        /// Add (or, negative, remove) this many replicas.
        case by(Int)
        /// Set this many replicas.
        case to(Int)
        /// Add (or remove) this percentage of the current replicas; like AWS's PercentChangeInCapacity,
        /// the change is rounded toward zero but is at least one replica.
        case byPercent(Double)
    }

    public var name: String
    /// A PromQL expression; the condition holds while it returns any sample (a comparison that
    /// filters, as an alerting rule's expression does), or a non-zero scalar.
    public var when: String
    public var forSeconds: Double
    public var change: Change
    public var cooldownSeconds: Double
    /// Where it was read from: "rules/scaling/web.yaml:12".
    public var source: String

    public init(name: String, when: String, forSeconds: Double = 0, change: Change, cooldownSeconds: Double = 300, source: String = "") {
        self.name = name
        self.when = when
        self.forSeconds = forSeconds
        self.change = change
        self.cooldownSeconds = cooldownSeconds
        self.source = source
    }

    /// The replica count the trigger asks for when `current` replicas run (before min/max).
    public func replicas(from current: Int) -> Int {
        switch change {
        case .by(let count): return max(0, current + count)
        case .to(let count): return count
        case .byPercent(let percent):
            let exact = Double(current) * percent / 100
            let step = exact >= 0 ? max(1, Int(exact.rounded(.towardZero))) : min(-1, Int(exact.rounded(.towardZero)))
            return max(0, current + step)
        }
    }

    /// The change as written: "+3", "-1", "to 20", "+50%".
    public var changeText: String {
        switch change {
        case .by(let count): count >= 0 ? "+\(count)" : "\(count)"
        case .to(let count): "to \(count)"
        case .byPercent(let percent): (percent >= 0 ? "+" : "") + String(format: "%g%%", percent)
        }
    }
}

/// What a trigger's condition gave at one evaluation.
public enum TriggerObservation: Sendable, Equatable {
    case holds
    case clear
    /// The condition could not be evaluated: the trigger neither fires nor forgets how long it has held.
    case unavailable(String)
}

/// What a trigger remembers between evaluations.
public struct TriggerState: Sendable, Equatable, Codable {
    /// Since when the condition has held without a break.
    public var holdingSince: Date?
    /// When a scale this trigger drove was applied: the cooldown counts from it.
    public var lastScale: Date?

    public init(holdingSince: Date? = nil, lastScale: Date? = nil) {
        self.holdingSince = holdingSince
        self.lastScale = lastScale
    }
}

/// One trigger's state at a decision, and its proposal when it fires.
public struct TriggerOutcome: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable, Codable {
        case inactive, pending, firing, coolingDown, unavailable
    }

    public var name: String
    public var status: Status
    /// When firing: the replica count it proposes.
    public var replicas: Int?
    public var holdingSince: Date?
    public var coolingDownUntil: Date?
    public var error: String?
    public var explanation: String
}

/// The pure step of threshold triggers: conditions in, states updated, proposals out.
public enum StepTriggers {
    public static func evaluate(_ triggers: [StepTrigger], observations: [TriggerObservation], states: inout [TriggerState],
                                current: Int, now: Date) -> [TriggerOutcome] {
        if states.count != triggers.count { states = Array(repeating: TriggerState(), count: triggers.count) }
        return triggers.indices.map { index in
            let trigger = triggers[index]
            let observation = index < observations.count ? observations[index] : .unavailable("not evaluated")
            var state = states[index]
            defer { states[index] = state }
            let label = "Trigger \"\(trigger.name)\" (\(trigger.changeText))"
            switch observation {
            case .clear:
                state.holdingSince = nil
                return TriggerOutcome(name: trigger.name, status: .inactive, explanation: "\(label): its condition does not hold.")
            case .unavailable(let message):
                return TriggerOutcome(name: trigger.name, status: .unavailable, holdingSince: state.holdingSince, error: message,
                                      explanation: "\(label): its condition could not be evaluated (\(message)); it does not fire.")
            case .holds:
                let since = state.holdingSince ?? now
                state.holdingSince = since
                let held = now.timeIntervalSince(since)
                if held < trigger.forSeconds {
                    return TriggerOutcome(name: trigger.name, status: .pending, holdingSince: since,
                                          explanation: "\(label): its condition has held for \(seconds(held)) of \(seconds(trigger.forSeconds)).")
                }
                if let last = state.lastScale, now.timeIntervalSince(last) < trigger.cooldownSeconds {
                    let until = last.addingTimeInterval(trigger.cooldownSeconds)
                    return TriggerOutcome(name: trigger.name, status: .coolingDown, holdingSince: since, coolingDownUntil: until,
                                          explanation: "\(label): its condition holds, but it is cooling down for \(seconds(until.timeIntervalSince(now))) more after its last scale.")
                }
                let replicas = trigger.replicas(from: current)
                return TriggerOutcome(name: trigger.name, status: .firing, replicas: replicas, holdingSince: since,
                                      explanation: "\(label) fires: its condition has held for \(seconds(held)); it proposes \(replicas) replicas.")
            }
        }
    }

    /// Starts the cooldown of every trigger that fired in the direction of an applied scale.
    public static func recordScale(from previous: Int, to new: Int, at time: Date, fired: [TriggerOutcome], states: inout [TriggerState]) {
        for (index, outcome) in fired.enumerated() where index < states.count {
            guard outcome.status == .firing, let replicas = outcome.replicas else { continue }
            if (replicas > previous && new > previous) || (replicas < previous && new < previous) { states[index].lastScale = time }
        }
    }

    static func seconds(_ value: Double) -> String {
        formatDuration(Int64(value.rounded()) * 1000)
    }
}
