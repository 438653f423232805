/// What `/api/v1/status/tsdb` reports: the head's size and where its cardinality comes from, in
/// Prometheus' terms. Each ranking holds the `limit` largest counts, largest first, names ascending
/// among equal counts.
public struct TSDBStatus: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var value: Int
        public init(_ name: String, _ value: Int) { self.name = name; self.value = value }
    }

    public var numSeries = 0
    /// Distinct label name/value pairs in the head.
    public var numLabelPairs = 0
    public var chunkCount = 0
    /// The head's oldest and newest sample times, in ms; `Int64.max` and `Int64.min` when it is empty,
    /// as Prometheus reports them.
    public var minTime: Int64 = .max
    public var maxTime: Int64 = .min
    /// Series per metric name.
    public var seriesCountByMetricName: [Entry] = []
    /// Distinct values per label name.
    public var labelValueCountByLabelName: [Entry] = []
    /// Bytes of the distinct values of each label name.
    public var memoryInBytesByLabelName: [Entry] = []
    /// Series per `name=value` pair.
    public var seriesCountByLabelValuePair: [Entry] = []

    public init() {}
}

/// Keeps the `limit` largest of the counts offered to it: a bounded heap whose root is the entry
/// ranked last, so offering n counts costs O(n log limit).
public struct TopCounts: Sendable {
    public let limit: Int
    private var heap: [TSDBStatus.Entry] = []

    public init(limit: Int) {
        precondition(limit > 0)
        self.limit = limit
    }

    /// Whether `a` ranks before `b`: larger count first, then the smaller name.
    static func ranksBefore(_ a: TSDBStatus.Entry, _ b: TSDBStatus.Entry) -> Bool {
        a.value != b.value ? a.value > b.value : a.name < b.name
    }

    /// Whether an entry of this count could still enter; lets callers skip building its name.
    public func admits(_ count: Int) -> Bool {
        heap.count < limit || count >= heap[0].value
    }

    public mutating func offer(_ name: String, _ count: Int) {
        let entry = TSDBStatus.Entry(name, count)
        if heap.count < limit {
            heap.append(entry)
            siftUp(heap.count - 1)
        } else if Self.ranksBefore(entry, heap[0]) {
            heap[0] = entry
            siftDown(0)
        }
    }

    /// The entries kept, first-ranked first.
    public var ranked: [TSDBStatus.Entry] { heap.sorted(by: Self.ranksBefore) }

    // The root is the entry ranked last: a parent never ranks before its children.
    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.ranksBefore(heap[parent], heap[child]) else { return }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            var last = parent
            for child in [2 * parent + 1, 2 * parent + 2] where child < heap.count {
                if Self.ranksBefore(heap[last], heap[child]) { last = child }
            }
            if last == parent { return }
            heap.swapAt(parent, last)
            parent = last
        }
    }
}
