import Hummingbird

/// Request parameters from the query string and, for form POSTs, the body, in order; names may
/// repeat (`match[]`).
struct FormParameters: Sendable {
    private(set) var pairs: [(String, String)] = []

    init(pairs: [(String, String)]) { self.pairs = pairs }

    /// Parses `application/x-www-form-urlencoded` text.
    init(encoded: Substring) {
        for part in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(kv[0])
            let value = kv.count > 1 ? Self.decode(kv[1]) : ""
            pairs.append((name, value))
        }
    }

    /// The parameters of a request: its query string, then a form body when there is one.
    static func from(_ request: inout Request, maxBodyBytes: Int = 1 << 20) async throws -> FormParameters {
        var parameters = FormParameters(encoded: Substring(request.uri.query ?? ""))
        if request.method == .post,
           let type = request.headers[.contentType], type.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: maxBodyBytes)
            } catch {
                throw APIError(.badData, "request body larger than \(maxBodyBytes) bytes")
            }
            parameters.pairs += FormParameters(encoded: Substring(String(buffer: body))).pairs
        }
        return parameters
    }

    func first(_ name: String) -> String? { pairs.first { $0.0 == name }?.1 }
    func all(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }

    private static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if let high = iterator.next(), let low = iterator.next(), let h = hexValue(high), let l = hexValue(low) {
                    bytes.append(h << 4 | l)
                } else {
                    bytes.append(byte)
                }
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
