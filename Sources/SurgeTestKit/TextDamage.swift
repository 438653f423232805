/// Damages a text file the way hand edits and bad merges do, for tests that feed the result to a
/// parser: replaces, deletes or inserts characters and numbers, and repeats or drops lines.
public enum TextDamage {
    static let pieces: [Character] = Array(":-[]{},#'\" 0123456789.-e9999999999999999999") + ["\t", "-1", "1e400", "NaN"].flatMap { Array($0) }

    static func damage(_ text: String, using rng: inout some RandomNumberGenerator) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let line = Int.random(in: 0..<lines.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !lines[line].isEmpty:
                lines[line][Int.random(in: 0..<lines[line].count, using: &rng)] = pieces.randomElement(using: &rng)!
            case 1 where !lines[line].isEmpty:
                lines[line].remove(at: Int.random(in: 0..<lines[line].count, using: &rng))
            case 2:
                lines[line].insert(contentsOf: String(Int.random(in: -99_999_999...99_999_999, using: &rng)),
                                   at: Int.random(in: 0...lines[line].count, using: &rng))
            case 3:
                lines.insert(lines[line], at: line)
            default:
                if lines.count > 1 { lines.remove(at: line) }
            }
        }
        return lines.map { String($0) }.joined(separator: "\n")
    }

    /// Feeds `copies` damaged copies of `text` to `parse`; returns what it threw, with each damaged text.
    /// A trap in `parse` ends the test process, which is what such tests look for.
    public static func errors(parsing text: String, copies: Int, seed: UInt64 = 1,
                              _ parse: (String) throws -> Void) -> [(error: any Error, text: String)] {
        var (rng, _) = SplitMix.forTest("damaged copies", defaultSeed: seed)
        var errors: [(error: any Error, text: String)] = []
        for _ in 0..<copies {
            let damaged = damage(text, using: &rng)
            do { try parse(damaged) } catch { errors.append((error, damaged)) }
        }
        return errors
    }
}
