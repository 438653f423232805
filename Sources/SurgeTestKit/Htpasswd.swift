import Foundation

/// bcrypt hashes made by Debian's `htpasswd` (apache2-utils), as operators make them.
public enum Htpasswd {
    /// The hash of `password`, `$2y$` and the given cost.
    public static func hash(user: String, password: String, cost: Int = 5) throws -> String {
        guard let binary = which("htpasswd") else { throw TestKitError("htpasswd is not installed; scripts/install-deps installs apache2-utils") }
        let (status, output) = try runToCompletion(binary, ["-nbBC", "\(cost)", user, password])
        let line = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0, let colon = line.firstIndex(of: ":") else { throw TestKitError("htpasswd failed: \(line)") }
        return String(line[line.index(after: colon)...])
    }
}
