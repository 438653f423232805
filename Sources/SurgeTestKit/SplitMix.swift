import Foundation

/// A seeded random number generator (SplitMix64), so a test that draws random input can be replayed:
/// the same seed gives the same draws on every machine.
public struct SplitMix: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The generator of a randomized test: seeded from `SURGE_TEST_SEED` when set (to replay a
    /// failure or explore other inputs), else from `defaultSeed`. The seed is printed, and failure
    /// messages should carry `seed` too.
    public static func forTest(_ name: String, defaultSeed: UInt64) -> (generator: SplitMix, seed: UInt64) {
        let seed = ProcessInfo.processInfo.environment["SURGE_TEST_SEED"].flatMap { UInt64($0) } ?? defaultSeed
        print("\(name): random input from seed \(seed) (set SURGE_TEST_SEED to change it)")
        return (SplitMix(seed: seed), seed)
    }
}
