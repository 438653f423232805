import TimeSeriesCore

/// The head's series table and inverted index: label name → value → postings (ascending refs).
///
/// Label strings are interned, so a value shared by many series is stored once.
struct HeadIndex: Sendable {
    private(set) var series: [MemSeries?] = []
    /// Per series, which append watches (bit i: slot i) select it; shorter than `series` when the
    /// newest series are watched by none.
    private var watchMasks: [UInt64] = []
    /// Series by their label bytes.
    private var keys = SeriesKeyTable()
    private var postings: [String: [String: [SeriesRef]]] = [:]
    private var symbols = Set<String>()
    /// Values per name in ascending order, rebuilt lazily after a new value appears.
    private var sortedValues: [String: [String]] = [:]
    private(set) var count = 0

    /// The next reference to hand out; references are never reused.
    var nextRef: SeriesRef { SeriesRef(series.count) }

    func ref(for labels: Labels) -> SeriesRef? {
        ref(in: WriteBatch(labels: labels), 0)
    }

    /// The series of a batch entry, found by its key.
    func ref(in batch: WriteBatch, _ index: Int) -> SeriesRef? {
        batch.withKey(index) { keys.find(hash: batch.hashes[index], key: $0) }
    }

    /// Brings the key table entries of a batch's series into the cache; see `SeriesKeyTable.touch`.
    func touchKeys(of batch: WriteBatch) -> UInt64 { keys.touch(hashes: batch.hashes) }

    /// Brings each series' open chunk into the cache before the appends write to it; see
    /// `SeriesKeyTable.touch`.
    func touchOpenChunks(_ accepted: [(SeriesRef, Timestamp, Double)]) -> UInt64 {
        var sum: UInt64 = 0
        for (ref, _, _) in accepted where Int(ref) < series.count {
            sum &+= UInt64(series[Int(ref)]?.open.lastByte ?? 0)
        }
        return sum
    }

    /// Adds a series at `ref` (default: the next one). References grow monotonically, so every
    /// postings list stays sorted.
    mutating func add(_ labels: Labels, at ref: SeriesRef? = nil) -> SeriesRef {
        let ref = ref ?? nextRef
        precondition(ref >= nextRef, "series references only grow")
        let interned = Labels(sortedUnique: labels.pairs.map { Label(intern($0.name), intern($0.value)) })
        while series.count < Int(ref) { series.append(nil) }
        series.append(MemSeries(labels: interned))
        let single = WriteBatch(labels: labels)
        single.withKey(0) { keys.insert(ref, hash: single.hashes[0], key: $0) }
        count += 1
        for pair in interned.pairs {
            if postings[pair.name]?[pair.value] == nil { sortedValues[pair.name] = nil }
            postings[pair.name, default: [:]][pair.value, default: []].append(ref)
        }
        return ref
    }

    /// The watches that select `ref`.
    func watchMask(_ ref: SeriesRef) -> UInt64 {
        Int(ref) < watchMasks.count ? watchMasks[Int(ref)] : 0
    }

    mutating func setWatchBit(_ bit: Int, on refs: [SeriesRef]) {
        for ref in refs {
            while watchMasks.count <= Int(ref) { watchMasks.append(0) }
            watchMasks[Int(ref)] |= 1 << UInt64(bit)
        }
    }

    mutating func clearWatchBit(_ bit: Int) {
        let keep = ~(UInt64(1) << UInt64(bit))
        for index in watchMasks.indices { watchMasks[index] &= keep }
    }

    /// Makes sure `ref` is never handed out again.
    mutating func reserve(upTo ref: SeriesRef) {
        while series.count <= Int(ref) { series.append(nil) }
    }

    private mutating func intern(_ string: String) -> String {
        symbols.insert(string).memberAfterInsert
    }

    /// Removes series that hold no samples any more; returns how many went.
    mutating func removeEmpty() -> Int {
        var removed = Set<SeriesRef>()
        for (index, entry) in series.enumerated() where entry?.isEmpty == true {
            let ref = SeriesRef(index)
            removed.insert(ref)
            series[index] = nil
        }
        guard !removed.isEmpty else { return 0 }
        keys.retain { !removed.contains($0) }
        count -= removed.count
        for (name, values) in postings {
            var kept: [String: [SeriesRef]] = [:]
            for (value, list) in values {
                let rest = list.filter { !removed.contains($0) }
                if !rest.isEmpty { kept[value] = rest }
            }
            postings[name] = kept.isEmpty ? nil : kept
            sortedValues[name] = nil
        }
        var live = Set<String>()
        for (name, values) in postings {
            live.insert(name)
            for value in values.keys { live.insert(value) }
        }
        symbols = live
        return removed.count
    }

    /// The newest sample a write in progress (`stamp`) has for a series: its own earlier samples
    /// if it named the series before, else the head's.
    func pendingLast(_ ref: SeriesRef, stamp: UInt32) -> (last: Timestamp, bits: UInt64) {
        // Field by field: copying the whole series out would retain each of its arrays.
        let index = Int(ref)
        guard let seen = series[index]?.batchStamp, let head = series[index]?.lastTimestamp else { return (.min, 0) }
        // A stamp left from 2^32 appends ago would hold an older sample than the head's; never use it.
        if seen == stamp, let pending = series[index]?.batchLast, pending.last >= head { return pending }
        return (head, series[index]!.lastValueBits)
    }

    mutating func setPendingLast(_ ref: SeriesRef, stamp: UInt32, _ last: (last: Timestamp, bits: UInt64)) {
        series[Int(ref)]?.batchStamp = stamp
        series[Int(ref)]?.batchLast = last
    }

    /// The newest sample of a series, read in place.
    func last(_ ref: SeriesRef) -> (last: Timestamp, bits: UInt64) {
        (series[Int(ref)]?.lastTimestamp ?? .min, series[Int(ref)]?.lastValueBits ?? 0)
    }

    subscript(ref: SeriesRef) -> MemSeries? {
        get { Int(ref) < series.count ? series[Int(ref)] : nil }
    }

    mutating func modify<R>(_ ref: SeriesRef, _ body: (inout MemSeries) -> R) -> R? {
        guard Int(ref) < series.count, series[Int(ref)] != nil else { return nil }
        return body(&series[Int(ref)]!)
    }

    mutating func forEachSeries(_ body: (inout MemSeries) -> Void) {
        for index in series.indices where series[index] != nil { body(&series[index]!) }
    }

    var labelNames: [String] { postings.keys.sorted() }

    mutating func values(of name: String) -> [String] {
        if let cached = sortedValues[name] { return cached }
        let values = postings[name].map { $0.keys.sorted() } ?? []
        sortedValues[name] = values
        return values
    }

    /// References of the series satisfying every matcher, ascending.
    mutating func select(_ matchers: [LabelMatcher]) -> [SeriesRef] {
        // Matchers that reject the empty string narrow through postings; the rest filter afterwards.
        var matched: [[SeriesRef]] = []
        for matcher in matchers where !matcher.matchesEmpty {
            let lists = postingsLists(matcher)
            if lists.isEmpty { return [] }
            matched.append(Postings.union(lists))
        }
        let candidates: [SeriesRef]? = matched.isEmpty ? nil : Postings.intersect(all: matched)
        let base = candidates ?? series.indices.compactMap { series[$0] == nil ? nil : SeriesRef($0) }
        let filters = matchers.filter(\.matchesEmpty)
        if filters.isEmpty { return base }
        return base.filter { ref in
            let labels = series[Int(ref)]!.labels
            return filters.allSatisfy { $0.matches(labels[$0.name] ?? "") }
        }
    }

    /// At least as many series as `select` finds, from postings sizes alone: the smallest total
    /// postings size over the matchers that narrow through postings. Nothing is intersected.
    mutating func estimatedCount(_ matchers: [LabelMatcher]) -> Int {
        var bound = count
        for matcher in matchers where !matcher.matchesEmpty {
            bound = min(bound, postingsLists(matcher).reduce(0) { $0 + $1.count })
        }
        return bound
    }

    private mutating func postingsLists(_ matcher: LabelMatcher) -> [[SeriesRef]] {
        guard let byValue = postings[matcher.name] else { return [] }
        if matcher.exactValues == nil && matcher.requiredPrefix.isEmpty {
            return byValue.compactMap { matcher.matches($0.key) ? $0.value : nil }
        }
        let sorted = matcher.exactValues == nil ? values(of: matcher.name) : []
        return ValueMatching.values(matcher, sorted: sorted) { byValue[$0] != nil }.compactMap { byValue[$0] }
    }
}
