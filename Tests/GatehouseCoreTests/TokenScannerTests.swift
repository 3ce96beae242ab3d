import Testing

@testable import GatehouseCore

@Suite struct TokenScannerTests {
    @Test func realTokensAreConfirmedWithTheirLine() {
        let key = TokenFormat.generate(.internalKey)
        let bot = TokenFormat.generate(.oauthBot)
        let text = "NOTION_API_KEY=\(key)\n# comment\nheaders = {'Authorization': 'Bearer \(bot)'}\n"
        let findings = TokenScanner.findings(in: text)
        #expect(findings.map(\.line) == [1, 3])
        #expect(findings.map(\.kind) == [.internalKey, .oauthBot])
        #expect(findings.map(\.token) == [key, bot])
        #expect(findings[0].hint == "secret_…" + key.suffix(4))
    }

    @Test func lookAlikesAreNotReported() {
        let key = TokenFormat.generate(.internalKey)
        let forged = String(key.dropLast()) + (key.last == "a" ? "b" : "a")
        let legacy = "ntn_" + String(repeating: "7", count: 11) + String(repeating: "x", count: 35)
        let findings = TokenScanner.findings(in: "a=\(forged) b=\(legacy) c=secret_abc123 d=nap_short")
        #expect(findings.isEmpty)
    }

    @Test func tokensInsideLongerWordsAreIgnored() {
        let key = TokenFormat.generate(.internalKey)
        #expect(TokenScanner.findings(in: "my" + key).isEmpty)
        #expect(TokenScanner.findings(in: "x_" + key).isEmpty)
        #expect(TokenScanner.findings(in: "\"" + key + "\"").count == 1)
    }
}
