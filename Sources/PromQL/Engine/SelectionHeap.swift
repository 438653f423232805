/// The k best elements seen so far for `topk` / `bottomk`, kept in a binary min-heap (max-heap for
/// `bottomk`) with the root the worst kept element. Replacing the root and sifting follow Go's
/// container/heap step for step, and NaN sorts as the worst value, so which of several equal values
/// is kept matches Prometheus for the same input order.
struct SelectionHeap {
    let largest: Bool
    var elements: [(id: Int, value: Double)] = []

    init(largest: Bool) {
        self.largest = largest
    }

    /// Whether element i belongs nearer the root than element j.
    private func less(_ i: Int, _ j: Int) -> Bool {
        let a = elements[i].value
        if a.isNaN { return true }
        return largest ? a < elements[j].value : a > elements[j].value
    }

    /// Keeps the element if there is room or it beats the root (any element beats a NaN root); the
    /// root leaves as Go's heap.Pop takes it, and the element enters as heap.Push adds it.
    mutating func offer(id: Int, value: Double, limit: Int) {
        if elements.count >= limit {
            let root = elements[0].value
            guard (largest ? root < value : root > value) || root.isNaN else { return }
            let last = elements.count - 1
            elements.swapAt(0, last)
            down(0, count: last)
            elements.removeLast()
        }
        elements.append((id, value))
        up(elements.count - 1)
    }

    private mutating func up(_ start: Int) {
        var j = start
        while j > 0 {
            let parent = (j - 1) / 2
            guard less(j, parent) else { break }
            elements.swapAt(parent, j)
            j = parent
        }
    }

    /// Sifts element `start` down within the first `count` elements.
    private mutating func down(_ start: Int, count: Int) {
        var i = start
        while true {
            let left = 2 * i + 1
            guard left < count else { break }
            var child = left
            if left + 1 < count && less(left + 1, left) { child = left + 1 }
            guard less(child, i) else { break }
            elements.swapAt(i, child)
            i = child
        }
    }
}
