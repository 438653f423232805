import Foundation

/// A throwaway certificate authority and a server certificate it signed for 127.0.0.1 and localhost,
/// made with the openssl command-line tool, for tests of TLS clients and servers.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caFile: String { directory + "/ca.crt" }
    public var serverCertFile: String { directory + "/server.crt" }
    public var serverKeyFile: String { directory + "/server.key" }
    public var caPEM: String { (try? String(contentsOfFile: caFile, encoding: .utf8)) ?? "" }

    public init(in directory: String) throws {
        self.directory = directory
        guard let openssl = which("openssl") else { throw TestKitError("openssl is not installed") }
        let extensions = directory + "/server.ext"
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/ca.key", "-out", caFile,
             "-days", "2", "-subj", "/CN=Surge Test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", serverKeyFile, "-out", directory + "/server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", directory + "/server.csr", "-CA", caFile, "-CAkey", directory + "/ca.key", "-CAcreateserial",
             "-out", serverCertFile, "-days", "2", "-extfile", extensions],
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
