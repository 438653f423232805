import Testing
@testable import HTTPAPI
@testable import TimeSeriesCore

@Suite struct JSONWriterTests {
    @Test(arguments: [
        ("plain", #""plain""#),
        ("a\"b\\c", #""a\"b\\c""#),
        ("line\nfeed\r\ttab", #""line\nfeed\r\ttab""#),
        ("<a href=\"x\">&</a>", #""\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e""#),
        ("\u{1}\u{1f}", #""\u0001\u001f""#),
        ("café 日本 🚀", "\"café 日本 🚀\""),
        ("", #""""#),
    ])
    func strings(value: String, expected: String) {
        var json = JSONWriter()
        json.string(value)
        #expect(json.text == expected)
    }

    /// Points write the digits `formatTimestamp` and `formatValue` write, fast path or not.
    @Test func pointsMatchTheFormatters() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state ^ (state >> 29)
        }
        var values: [Double] = [0, -0.0, 1, -1, 1e15 - 1, 1e15, -1e15 + 1, 0.5, .nan, .infinity, -.infinity, 9_007_199_254_740_993]
        for _ in 0..<5_000 {
            values.append(Double(Int64(bitPattern: next()) >> Int64(next() % 64)))
            values.append(Double(bitPattern: next()))
        }
        var timestamps: [Int64] = [0, 1, -1, 999, 1000, 1001, -1500, .max, .min + 1]
        for _ in 0..<2_000 { timestamps.append(Int64(bitPattern: next()) >> Int64(next() % 64)) }
        for (i, value) in values.enumerated() {
            let t = timestamps[i % timestamps.count]
            var json = JSONWriter()
            json.point(t, value)
            #expect(json.text == "[\(formatTimestamp(t)),\"\(formatValue(value))\"]", "\(value.bitPattern) at \(t)")
        }
    }
}
