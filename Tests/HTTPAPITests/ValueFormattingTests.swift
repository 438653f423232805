import Testing
@testable import HTTPAPI
@testable import TimeSeriesCore

@Suite struct ValueFormattingTests {
    /// Expected strings are Go's strconv.FormatFloat(v, 'f', -1, 64), as Prometheus writes values.
    @Test(arguments: [
        (1.0, "1"), (0.0, "0"), (-0.0, "-0"), (0.1, "0.1"), (-273.15, "-273.15"), (1e21, "1000000000000000000000"),
        (1e-7, "0.0000001"), (123456.789, "123456.789"), (1.5e-300, "0." + String(repeating: "0", count: 299) + "15"),
        (Double.nan, "NaN"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (2.5e15, "2500000000000000"),
        (100.0, "100"), (0.30000000000000004, "0.30000000000000004"),
    ])
    func values(value: Double, expected: String) {
        #expect(formatValue(value) == expected)
    }

    @Test(arguments: [(0 as Int64, "0"), (1500, "1.500"), (1_700_000_016_250, "1700000016.250"), (5, "0.005"), (-1500, "-1.500"), (42, "0.042")])
    func timestamps(ms: Int64, expected: String) {
        #expect(formatTimestamp(ms) == expected)
    }

    @Test func fastPathsWriteWhatTheLongWayWrites() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state ^ (state >> 29)
        }
        for _ in 0..<20_000 {
            let bits = Double(bitPattern: next())
            let whole = Double(Int64(bitPattern: next()) >> Int64(next() % 64))
            let decimal = Double(Int64(bitPattern: next()) % 10_000_000) / [1, 10, 100, 1000, 1e6][Int(next() % 5)]
            for value in [bits, whole, decimal] where value.isFinite {
                #expect(formatValue(value) == formatSampleValueDigits(value), "\(value.bitPattern)")
            }
        }
    }
}
