import HummingbirdBcrypt
import Synchronization

/// Checks basic-auth passwords against bcrypt hashes. bcrypt is slow on purpose (tens of
/// milliseconds at the usual costs), so checks run one at a time — a flood of wrong passwords
/// holds one core, never all of them — and results are remembered, so a client sending the same
/// credentials with every request pays once.
final class PasswordCheck: Sendable {
    /// Results by user, hash and password. Bounded: an attacker's guesses must not grow it.
    private let results = Mutex<[String: Bool]>([:])
    private let oneAtATime = Mutex<Void>(())
    static let maxRemembered = 1024

    /// A hash of a password no one has, checked for unknown users so that an unknown user takes as
    /// long to refuse as a known one with a wrong password.
    static let unknownUserHash = "$2y$10$ZXgj3zOo.V6Edaph10rpNubbl3VwKDSfcWpUBeqEtxbZ/aWvBXU42"

    /// The answer of an earlier check of the same credentials, or nil.
    func remembered(user: String, password: String, hash: String?) -> Bool? {
        results.withLock { $0[Self.key(user, password, hash)] }
    }

    private static func key(_ user: String, _ password: String, _ hash: String?) -> String {
        user + "\u{0}" + (hash ?? unknownUserHash) + "\u{0}" + password
    }

    func verify(user: String, password: String, hash storedHash: String?) -> Bool {
        let hash = storedHash ?? Self.unknownUserHash
        let key = Self.key(user, password, storedHash)
        if let known = results.withLock({ $0[key] }) { return known }
        let matches = oneAtATime.withLock { _ in Bcrypt.verify(password, hash: PasswordHash.comparable(hash)) } && storedHash != nil
        results.withLock { results in
            if results.count >= Self.maxRemembered, let any = results.keys.first { results[any] = nil }
            results[key] = matches
        }
        return matches
    }
}

/// bcrypt hashes as htpasswd and Go's bcrypt write them.
public enum PasswordHash {
    /// `$2y$` (htpasswd's prefix) and `$2b$` name the same algorithm; the C implementation knows
    /// only `$2a$` and `$2b$`.
    static func comparable(_ hash: String) -> String {
        hash.hasPrefix("$2y$") ? "$2b$" + hash.dropFirst(4) : hash
    }

    /// Whether `hash` has bcrypt's shape: `$2a$`, `$2b$` or `$2y$`, a two-digit cost, 53 characters.
    public static func isBcrypt(_ hash: String) -> Bool {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, hash.hasPrefix("$2a$") || hash.hasPrefix("$2b$") || hash.hasPrefix("$2y$"),
              bytes[6] == UInt8(ascii: "$"), let cost = Int(String(decoding: bytes[4..<6], as: UTF8.self)), (4...31).contains(cost)
        else { return false }
        return true
    }
}
