import Foundation
import SurgeTestKit
import Testing

/// scripts/package builds the Debian package; installed (extracted) into a scratch root it holds the
/// binary, the hardened unit, the default configuration and rules as conffiles, and maintainer
/// scripts that make the `surge` user and its data directory. systemd checks the unit, and the
/// installed binary runs and accepts the installed configuration and rules.
@Suite(.serialized) struct PackageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(.timeLimit(.minutes(5)))
    func thePackageInstallsAVerifiedUnitAndAWorkingBinary() throws {
        let dir = try TemporaryDirectory(prefix: "surge-package")
        defer { dir.remove() }
        let built = try runToCompletion(Self.root.appendingPathComponent("scripts/package").path,
                                        ["--binary", try SurgeBinary.path(), "--output", dir.path + "/out", "--compression", "none"])
        #expect(built.status == 0, "\(built.output)")
        let deb = try #require(built.output.split(separator: "\n").last.map(String.init), "\(built.output)")
        let fields = try runToCompletion("/usr/bin/dpkg-deb", ["--field", deb, "Package", "Version", "Depends"]).output
        #expect(fields.contains("Package: surge") && fields.contains("Version: 0.1.0") && fields.contains("libsnappy1v5"), "\(fields)")
        let conffiles = try runToCompletion("/usr/bin/dpkg-deb", ["--info", deb, "conffiles"]).output
        #expect(conffiles.split(separator: "\n").map(String.init).sorted() == ["/etc/default/surge", "/etc/surge/rules/surge.rules.yml", "/etc/surge/surge.yml"])
        let postinst = try runToCompletion("/usr/bin/dpkg-deb", ["--info", deb, "postinst"]).output
        #expect(postinst.contains("adduser --system --group") && postinst.contains("install -d -o surge -g surge -m 0750 /var/lib/surge"))

        // Installed into a scratch root: the files where Debian puts them.
        let scratch = dir.path + "/root"
        #expect(try runToCompletion("/usr/bin/dpkg-deb", ["-x", deb, scratch]).status == 0)
        for file in ["usr/bin/surge", "lib/systemd/system/surge.service", "etc/surge/surge.yml", "etc/surge/rules/surge.rules.yml", "etc/default/surge"] {
            #expect(FileManager.default.fileExists(atPath: scratch + "/" + file), "\(file)")
        }
        #expect(FileManager.default.isExecutableFile(atPath: scratch + "/usr/bin/surge"))

        // systemd verifies the unit in that root (with the host's targets and kill, which a Debian
        // system has), and rates its hardening.
        try FileManager.default.createDirectory(atPath: scratch + "/usr/lib/systemd/system", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch + "/bin", withIntermediateDirectories: true)
        for target in try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/systemd/system") where target.hasSuffix(".target") {
            try? FileManager.default.copyItem(atPath: "/usr/lib/systemd/system/" + target, toPath: scratch + "/usr/lib/systemd/system/" + target)
        }
        try FileManager.default.copyItem(atPath: "/bin/kill", toPath: scratch + "/bin/kill")
        let verify = try runToCompletion("/usr/bin/systemd-analyze", ["verify", "--root=\(scratch)", "surge.service"])
        #expect(verify.status == 0, "\(verify.output)")
        let security = try runToCompletion("/usr/bin/systemd-analyze", ["security", "--offline=true", "--root=\(scratch)", "surge.service"])
        let exposure = security.output.split(separator: "\n").last { $0.contains("Overall exposure level") }
            .flatMap { line in line.split(separator: " ").compactMap { Double($0) }.first }
        #expect(exposure.map { $0 <= 2.0 } == true, "exposure \(exposure.map { "\($0)" } ?? "unknown"): \(security.output.suffix(600))")

        // The installed binary runs and accepts the installed configuration and rules.
        let version = try runToCompletion(scratch + "/usr/bin/surge", ["version"])
        #expect(version.status == 0 && version.output.hasPrefix("surge 0.1.0"), "\(version.output)")
        let config = try String(contentsOfFile: scratch + "/etc/surge/surge.yml", encoding: .utf8)
            .replacingOccurrences(of: "/etc/surge/rules", with: scratch + "/etc/surge/rules")
        try config.write(toFile: dir.path + "/surge.yml", atomically: true, encoding: .utf8)
        let check = try runToCompletion(scratch + "/usr/bin/surge", ["check", "config", dir.path + "/surge.yml"])
        #expect(check.status == 0, "\(check.output)")
        let rules = try runToCompletion(scratch + "/usr/bin/surge", ["check", "rules", scratch + "/etc/surge/rules/surge.rules.yml"])
        #expect(rules.status == 0, "\(rules.output)")
    }
}
