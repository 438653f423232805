import Testing
@testable import PromQL

/// Which of several equal values `topk` / `bottomk` keep depends on Prometheus' heap; these inputs
/// were taken from a case where Surge and Prometheus 2.42 first disagreed.
@Suite struct SelectionHeapTests {
    static let values = [0.481, 0.0259, 0.6296, 0.0556, 0.9296, 0.0519, 0.6370, 0.0593, 0.6370, 0.0259, 0.6407, 0.0519]

    static func kept(largest: Bool, limit: Int, _ values: [Double]) -> Set<Int> {
        var heap = SelectionHeap(largest: largest)
        for (id, value) in values.enumerated() { heap.offer(id: id, value: value, limit: limit) }
        return Set(heap.elements.map(\.id))
    }

    @Test func tiesAtTheBoundaryResolveAsInPrometheus() {
        // Series 6 and 8 tie at 0.6370 for third place; Prometheus keeps 8.
        #expect(Self.kept(largest: true, limit: 3, Self.values) == [4, 8, 10])
        // Series 1 and 9 tie at 0.0259 for the smallest.
        #expect(Self.kept(largest: false, limit: 1, Self.values) == [1])
        #expect(Self.kept(largest: false, limit: 3, Self.values) == [1, 9, 5])
    }

    @Test func nanIsTheWorstValueAndAlwaysReplaced() {
        #expect(Self.kept(largest: true, limit: 2, [.nan, 1, .nan, 2]) == [1, 3])
        #expect(Self.kept(largest: false, limit: 2, [.nan, 1, .nan, 2]) == [1, 3])
        #expect(Self.kept(largest: true, limit: 1, [3, .nan]) == [0])
        #expect(Self.kept(largest: true, limit: 5, [1, 2]) == [0, 1])
    }
}
