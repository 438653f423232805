import Foundation

/// A throwaway certificate authority, a server certificate it signed for 127.0.0.1 and localhost
/// and a client certificate it signed, plus a client certificate from a second, untrusted
/// authority; made with the openssl command-line tool, for tests of TLS clients and servers.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caFile: String { directory + "/ca.crt" }
    public var serverCertFile: String { directory + "/server.crt" }
    public var serverKeyFile: String { directory + "/server.key" }
    public var clientCertFile: String { directory + "/client.crt" }
    public var clientKeyFile: String { directory + "/client.key" }
    /// Signed by an authority the server does not trust.
    public var strangerCertFile: String { directory + "/stranger.crt" }
    public var strangerKeyFile: String { directory + "/stranger.key" }
    public var caPEM: String { (try? String(contentsOfFile: caFile, encoding: .utf8)) ?? "" }

    public init(in directory: String) throws {
        self.directory = directory
        guard let openssl = which("openssl") else { throw TestKitError("openssl is not installed") }
        let extensions = directory + "/server.ext"
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        let clientExtensions = directory + "/client.ext"
        try "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n"
            .write(toFile: clientExtensions, atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/ca.key", "-out", caFile,
             "-days", "2", "-subj", "/CN=Surge Test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", serverKeyFile, "-out", directory + "/server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", directory + "/server.csr", "-CA", caFile, "-CAkey", directory + "/ca.key", "-CAcreateserial",
             "-out", serverCertFile, "-days", "2", "-extfile", extensions],
            ["req"] + ec + ["-keyout", clientKeyFile, "-out", directory + "/client.csr", "-subj", "/CN=surge-test-client"],
            ["x509", "-req", "-in", directory + "/client.csr", "-CA", caFile, "-CAkey", directory + "/ca.key", "-CAcreateserial",
             "-out", clientCertFile, "-days", "2", "-extfile", clientExtensions],
            ["req", "-x509"] + ec + ["-keyout", directory + "/stranger-ca.key", "-out", directory + "/stranger-ca.crt",
                                     "-days", "2", "-subj", "/CN=Stranger CA"],
            ["req"] + ec + ["-keyout", strangerKeyFile, "-out", directory + "/stranger.csr", "-subj", "/CN=surge-test-client"],
            ["x509", "-req", "-in", directory + "/stranger.csr", "-CA", directory + "/stranger-ca.crt", "-CAkey", directory + "/stranger-ca.key",
             "-CAcreateserial", "-out", strangerCertFile, "-days", "2", "-extfile", clientExtensions],
        ]
        for arguments in steps {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: openssl)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw TestKitError("openssl \(arguments[0]) failed") }
        }
    }
}
