import Alerting
import Testing

/// The HMAC-SHA256 signature webhook posts carry.
@Suite struct WebhookSignatureTests {
    @Test func signaturesAreHMACSHA256InHex() {
        // RFC 4231, test case 2.
        let header = WebhookSignature.header(body: Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8))
        #expect(header == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(WebhookSignature.verify(header, body: Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8)))
        #expect(!WebhookSignature.verify(header, body: Array("what do ya want for nothing!".utf8), key: Array("Jefe".utf8)))
        #expect(!WebhookSignature.verify(header, body: Array("what do ya want for nothing?".utf8), key: Array("jefe".utf8)))
        #expect(!WebhookSignature.verify("sha256=zz", body: [], key: [1]))
    }
}
