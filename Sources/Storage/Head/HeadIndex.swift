import TimeSeriesCore

/// The head's series table and inverted index: label name → value → postings (ascending refs).
///
/// Label strings are interned through the postings tables, so a value shared by many series is
/// stored once per label name.
struct HeadIndex: Sendable {
    private(set) var series: [MemSeries?] = []
    /// Per series, which append watches (bit i: slot i) select it; shorter than `series` when the
    /// newest series are watched by none.
    private var watchMasks: [UInt64] = []
    /// Series by their label bytes.
    private var keys = SeriesKeyTable()
    private var postings: [String: [String: [SeriesRef]]] = [:]
    /// Values per name in ascending order, rebuilt lazily after a new value appears.
    private var sortedValues: [String: [String]] = [:]
    /// Moves whenever a label name gains or loses a value, so values matched outside the lock
    /// are known to be still the whole set.
    private(set) var valueGenerations: [String: Int] = [:]
    private(set) var count = 0

    /// The next reference to hand out; references are never reused.
    var nextRef: SeriesRef { SeriesRef(series.count) }

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
        add(labels, key: WriteBatch(labels: labels), 0, at: ref)
    }

    /// Adds a series whose key is that of entry `index` of `batch`, which holds `labels`.
    mutating func add(_ labels: Labels, key batch: WriteBatch, _ index: Int, at ref: SeriesRef? = nil) -> SeriesRef {
        let ref = ref ?? nextRef
        precondition(ref >= nextRef, "series references only grow")
        var interned: [Label] = []
        interned.reserveCapacity(labels.pairs.count)
        for pair in labels.pairs { interned.append(addPosting(pair, ref)) }
        while series.count < Int(ref) { series.append(nil) }
        series.append(MemSeries(labels: Labels(sortedUnique: interned)))
        batch.withKey(index) { keys.insert(ref, hash: batch.hashes[index], key: $0) }
        count += 1
        return ref
    }

    /// Appends `ref` to the postings of `pair` and returns the pair as the index stores it: the
    /// name and value strings are the postings tables' own keys, so series sharing a string share
    /// its storage. Each string is hashed once (twice when it is new).
    private mutating func addPosting(_ pair: Label, _ ref: SeriesRef) -> Label {
        let nameSlot: [String: [String: [SeriesRef]]].Index
        if let found = postings.index(forKey: pair.name) {
            nameSlot = found
        } else {
            postings[pair.name] = [:]
            nameSlot = postings.index(forKey: pair.name)!
        }
        let name = postings.keys[nameSlot]
        let value = postings.values[nameSlot].appendPosting(ref, value: pair.value)
        if value.isNew {
            sortedValues[name] = nil
            valueGenerations[name, default: 0] += 1
        }
        return Label(name, value.stored)
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

    /// Removes series that hold no samples any more; returns how many went.
    mutating func removeEmpty() -> Int { remove { $0.isEmpty } }

    /// Removes the series `predicate` picks, with their postings; returns how many.
    mutating func remove(where predicate: (MemSeries) -> Bool) -> Int {
        var removed = Set<SeriesRef>()
        for (index, entry) in series.enumerated() where entry.map(predicate) == true {
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
            valueGenerations[name, default: 0] += 1
        }
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

    /// The cardinality rankings of `/api/v1/status/tsdb`, read from the postings: series per
    /// metric name and per label pair, distinct values and their bytes per label name.
    func cardinality(limit: Int) -> TSDBStatus {
        var status = TSDBStatus()
        status.numSeries = count
        var metrics = TopCounts(limit: limit), valueCounts = TopCounts(limit: limit)
        var valueBytes = TopCounts(limit: limit), pairs = TopCounts(limit: limit)
        for (name, values) in postings {
            status.numLabelPairs += values.count
            valueCounts.offer(name, values.count)
            var bytes = 0
            let isMetricName = name == metricNameLabel
            for (value, refs) in values {
                bytes += value.utf8.count
                if isMetricName { metrics.offer(value, refs.count) }
                if pairs.admits(refs.count) { pairs.offer(name + "=" + value, refs.count) }
            }
            valueBytes.offer(name, bytes)
        }
        status.seriesCountByMetricName = metrics.ranked
        status.labelValueCountByLabelName = valueCounts.ranked
        status.memoryInBytesByLabelName = valueBytes.ranked
        status.seriesCountByLabelValuePair = pairs.ranked
        return status
    }

    var labelNames: [String] { postings.keys.sorted() }

    mutating func values(of name: String) -> [String] {
        if let cached = sortedValues[name] { return cached }
        let values = postings[name].map { $0.keys.sorted() } ?? []
        sortedValues[name] = values
        return values
    }

    /// References of the series satisfying every matcher, ascending. `resolved` holds, by matcher
    /// position, the values a regular expression was found to match outside the lock (see
    /// `ResolvedMatchers`); the index then looks them up instead of matching again.
    mutating func select(_ matchers: [LabelMatcher], resolved: [Int: Set<String>] = [:]) -> [SeriesRef] {
        // Matchers that reject the empty string narrow through postings; the rest filter afterwards.
        var matched: [[SeriesRef]] = []
        for (position, matcher) in matchers.enumerated() where !matcher.matchesEmpty {
            let lists = postingsLists(matcher, resolved: resolved[position])
            if lists.isEmpty { return [] }
            matched.append(Postings.union(lists))
        }
        let candidates: [SeriesRef]? = matched.isEmpty ? nil : Postings.intersect(all: matched)
        let base = candidates ?? series.indices.compactMap { series[$0] == nil ? nil : SeriesRef($0) }
        let filters = matchers.enumerated().filter(\.element.matchesEmpty)
        if filters.isEmpty { return base }
        return base.filter { ref in
            let labels = series[Int(ref)]!.labels
            return filters.allSatisfy { position, matcher in
                let value = labels[matcher.name] ?? ""
                if !value.isEmpty, let values = resolved[position] { return values.contains(value) }
                return matcher.matches(value)
            }
        }
    }

    /// At least as many series as `select` finds, from postings sizes alone: the smallest total
    /// postings size over the matchers that narrow through postings. Nothing is intersected.
    mutating func estimatedCount(_ matchers: [LabelMatcher], resolved: [Int: Set<String>] = [:]) -> Int {
        var bound = count
        for (position, matcher) in matchers.enumerated() where !matcher.matchesEmpty {
            bound = min(bound, postingsLists(matcher, resolved: resolved[position]).reduce(0) { $0 + $1.count })
        }
        return bound
    }

    private mutating func postingsLists(_ matcher: LabelMatcher, resolved: Set<String>? = nil) -> [[SeriesRef]] {
        guard let byValue = postings[matcher.name] else { return [] }
        if let resolved { return resolved.compactMap { byValue[$0] } }
        if matcher.exactValues == nil && matcher.requiredPrefix.isEmpty {
            return byValue.compactMap { matcher.matches($0.key) ? $0.value : nil }
        }
        let sorted = matcher.exactValues == nil ? values(of: matcher.name) : []
        return ValueMatching.values(matcher, sorted: sorted) { byValue[$0] != nil }.compactMap { byValue[$0] }
    }
}

extension Dictionary where Key == String, Value == [SeriesRef] {
    /// Appends `ref` to the list of `value`, made if new; returns the key as stored and whether it is new.
    fileprivate mutating func appendPosting(_ ref: SeriesRef, value: String) -> (stored: String, isNew: Bool) {
        if let slot = index(forKey: value) {
            values[slot].append(ref)
            return (keys[slot], false)
        }
        self[value] = [ref]
        return (value, true)
    }
}
