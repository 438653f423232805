import SurgeTestKit
import Testing
import TimeSeriesCore
@testable import Storage

@Suite struct PostingsTests {
    static func randomList(_ rng: inout SplitMix, max: UInt32, density: UInt64) -> [SeriesRef] {
        (0..<max).filter { _ in rng.next() % 100 < density }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func intersectAndUnionAgreeWithSets(seed: Int) {
        var rng = SplitMix(seed: UInt64(seed))
        let lists = (0..<4).map { i in Self.randomList(&rng, max: 2_000, density: UInt64(5 + i * 20)) } + [[]]
        for a in lists {
            for b in lists {
                let expected = Set(a).intersection(b).sorted()
                #expect(Postings.intersect(a, b) == expected)
                #expect(Postings.intersect(a, b) == Postings.intersect(b, a))
            }
        }
        let union = Postings.union(lists)
        #expect(union == Set(lists.flatMap { $0 }).sorted())
        // Distributivity: a ∩ (b ∪ c) == (a ∩ b) ∪ (a ∩ c).
        let (a, b, c) = (lists[0], lists[1], lists[2])
        #expect(Postings.intersect(a, Postings.union([b, c])) == Postings.union([Postings.intersect(a, b), Postings.intersect(a, c)]))
        #expect(Postings.union([a]) == a)
        // A short list against a long one takes the binary-search path.
        let long = (0..<5_000).map { SeriesRef($0 * 2) }
        let short: [SeriesRef] = [1, 2, 4_000, 9_998, 20_000]
        #expect(Postings.intersect(short, long) == [2, 4_000, 9_998])
        #expect(Postings.intersect(long, short) == [2, 4_000, 9_998])
        #expect(Postings.intersect(all: [long, short, b]) == Set(short).intersection(long).intersection(b).sorted())
        #expect(Postings.intersect(a, []) == [])
    }

    @Test func regexPrefixAndAlternationUseTheIndexAndAgreeWithAScan() throws {
        let values = (0..<500).map { "pod-\($0)" } + ["api-1", "api-2", "web", "Ωmega", ""]
        let sorted = values.filter { !$0.isEmpty }.sorted()
        for (type, pattern) in [(LabelMatcher.MatchType.regexMatch, "pod-1.*"), (.regexMatch, "api-1|web|absent"),
                                (.regexMatch, "pod-4[0-9]"), (.regexMatch, "po?d.*"), (.equal, "web"), (.regexMatch, "Ω.*")] {
            let matcher = try LabelMatcher(type, "pod", pattern)
            let viaIndex = ValueMatching.values(matcher, sorted: sorted) { sorted.contains($0) }
            #expect(viaIndex == sorted.filter { matcher.matches($0) }, "\(pattern)")
        }
        #expect(try LabelMatcher(.regexMatch, "a", "pod-1.*").requiredPrefix == "pod-1")
        #expect(try LabelMatcher(.regexMatch, "a", "pods?").requiredPrefix == "pod")
        #expect(try LabelMatcher(.regexMatch, "a", "a|b.*").requiredPrefix == "")
        #expect(try LabelMatcher(.regexMatch, "a", "a|b").exactValues == ["a", "b"])
    }

    @Test func newSeriesShareTheIndexStringsAndJoinTheirPostings() throws {
        var index = HeadIndex()
        let value = String(repeating: "a-namespace-too-long-to-be-inline-", count: 2)
        // An equal string with storage of its own, as a decoded request would give.
        let copy = String(decoding: Array(value.utf8), as: UTF8.self)
        let a = index.add(Labels(["__name__": "requests_total", "namespace": value, "pod": "a"]))
        let b = index.add(Labels(["__name__": "requests_total", "namespace": copy, "pod": "b"]))
        let c = index.add(Labels(["__name__": "memory_bytes", "namespace": "other", "pod": "a"]))
        func storage(_ ref: SeriesRef) -> UnsafePointer<UInt8>? {
            index[ref]?.labels["namespace"]?.utf8.withContiguousStorageIfAvailable { $0.baseAddress } ?? nil
        }
        #expect(storage(a) != nil && storage(a) == storage(b))
        #expect(index.select([try LabelMatcher(.equal, "namespace", copy)]) == [a, b])
        #expect(index.select([try LabelMatcher(.equal, "pod", "a")]) == [a, c])
        #expect(index.values(of: "namespace") == ["other", value].sorted())
        #expect(index.ref(in: WriteBatch(labels: Labels(["__name__": "requests_total", "namespace": value, "pod": "b"])), 0) == b)
    }
}
