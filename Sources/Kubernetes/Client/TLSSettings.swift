import Foundation
import NIOSSL

/// Client TLS settings in the shape Prometheus' `tls_config` and a kubeconfig give them: a CA to
/// trust, an optional client certificate and key, and the escape hatch of not verifying at all.
/// PEM text may be given inline (kubeconfig `*-data`, already base64-decoded) or as file paths, which
/// are read each time a configuration is made so rotated files are picked up.
public struct TLSSettings: Sendable, Hashable {
    public var caFile: String?
    public var caPEM: String?
    public var certFile: String?
    public var certPEM: String?
    public var keyFile: String?
    public var keyPEM: String?
    public var insecureSkipVerify = false

    public init(caFile: String? = nil, caPEM: String? = nil, certFile: String? = nil, certPEM: String? = nil,
                keyFile: String? = nil, keyPEM: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.caPEM = caPEM
        self.certFile = certFile
        self.certPEM = certPEM
        self.keyFile = keyFile
        self.keyPEM = keyPEM
        self.insecureSkipVerify = insecureSkipVerify
    }

    public var isEmpty: Bool { self == TLSSettings() }

    /// A client configuration, or an error naming the file or PEM block that could not be used.
    public func makeConfiguration() throws(TLSSettingsError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let ca = try text(caPEM, caFile, what: "CA certificate") {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8)))
            } catch {
                throw TLSSettingsError(message: "cannot use the CA certificate\(caFile.map { " \($0)" } ?? ""): \(error)")
            }
        }
        let cert = try text(certPEM, certFile, what: "client certificate")
        let key = try text(keyPEM, keyFile, what: "client key")
        switch (cert, key) {
        case (nil, nil): break
        case (let cert?, let key?):
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(cert.utf8)).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
            } catch {
                throw TLSSettingsError(message: "cannot use the client certificate and key: \(error)")
            }
        default:
            throw TLSSettingsError(message: "a client certificate needs its key, and a key its certificate")
        }
        if insecureSkipVerify { configuration.certificateVerification = .none }
        return configuration
    }

    private func text(_ inline: String?, _ file: String?, what: String) throws(TLSSettingsError) -> String? {
        if let inline { return inline }
        guard let file else { return nil }
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw TLSSettingsError(message: "unable to read \(what) file \(file)")
        }
    }
}

public struct TLSSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
