import Crypto

/// The signature a webhook post carries when its receiver has a signing key: `sha256=` and the
/// lowercase hex HMAC-SHA256 of the exact body bytes, as GitHub signs its webhooks, so receivers'
/// existing verification code works.
public enum WebhookSignature {
    public static func header(body: [UInt8], key: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key))
        return "sha256=" + code.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    /// Whether `header` is the signature of `body` under `key`, compared in constant time.
    public static func verify(_ header: String, body: [UInt8], key: [UInt8]) -> Bool {
        guard header.hasPrefix("sha256="), let expected = hexBytes(String(header.dropFirst(7))) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: body, using: SymmetricKey(data: key))
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }
}
