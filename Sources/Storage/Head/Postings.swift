/// Sorted-list operations on postings (ascending series references).
enum Postings {
    static func intersect(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        // A short list against a long one: binary-search each element instead of walking both.
        if a.count * 16 < b.count { return gallop(a, in: b) }
        if b.count * 16 < a.count { return gallop(b, in: a) }
        var out: [SeriesRef] = []
        out.reserveCapacity(min(a.count, b.count))
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                out.append(a[i]); i += 1; j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return out
    }

    private static func gallop(_ small: [SeriesRef], in large: [SeriesRef]) -> [SeriesRef] {
        var out: [SeriesRef] = []
        var low = 0
        for ref in small {
            var high = large.count
            while low < high {
                let mid = (low + high) / 2
                if large[mid] < ref { low = mid + 1 } else { high = mid }
            }
            if low == large.count { break }
            if large[low] == ref { out.append(ref) }
        }
        return out
    }

    /// Intersection of several lists, smallest first so the work shrinks early.
    static func intersect(all lists: [[SeriesRef]]) -> [SeriesRef] {
        let ordered = lists.sorted { $0.count < $1.count }
        guard var result = ordered.first else { return [] }
        for list in ordered.dropFirst() {
            if result.isEmpty { break }
            result = intersect(result, list)
        }
        return result
    }

    static func union(_ lists: [[SeriesRef]]) -> [SeriesRef] {
        if lists.count == 1 { return lists[0] }
        var all = lists.flatMap { $0 }
        all.sort()
        var out: [SeriesRef] = []
        out.reserveCapacity(all.count)
        for ref in all where out.last != ref { out.append(ref) }
        return out
    }
}
