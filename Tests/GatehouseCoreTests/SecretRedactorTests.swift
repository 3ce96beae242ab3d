import Testing

@testable import GatehouseCore

@Suite struct SecretRedactorTests {
    @Test(arguments: TokenKind.allCases)
    func tokensAreRedacted(kind: TokenKind) {
        let token = TokenFormat.generate(kind)
        let redacted = SecretRedactor.redact("failed for \(token), retrying")
        #expect(!redacted.contains(token))
        #expect(!redacted.contains(String(token.dropFirst(kind.prefix.count).prefix(8))))
        #expect(redacted == "failed for \(kind.prefix)[REDACTED], retrying")
    }

    @Test func legacyAndLookAlikeTokensAreRedactedToo() {
        #expect(SecretRedactor.redact("ntn_12345678901abcdefghij") == "ntn_[REDACTED]")
        #expect(SecretRedactor.redact("key=secret_abc123def456ghi789") == "key=secret_[REDACTED]")
    }

    @Test func credentialsAfterAnAuthorizationSchemeAreRedacted() {
        #expect(SecretRedactor.redact("Authorization: Bearer abc.def") == "Authorization: Bearer [REDACTED]")
        #expect(SecretRedactor.redact("authorization: basic dXNlcjpwYXNz, x") == "authorization: basic [REDACTED], x")
    }

    @Test func ordinaryTextIsLeftAlone() {
        let text = "GET /v1/users/me status=200 my_bot ran a basic test"
        #expect(SecretRedactor.redact(text) == text)
    }

    @Test func sensitiveKeysAreRecognised() {
        let sensitive = [
            "password", "client_secret", "refresh_token", "Authorization", "code", "token", "KEY", "Set-Cookie",
            "x_CREDENTIALS", "oldPassword", "\u{212A}ey", "to\u{212A}en", "tok\u{0130}n_secret",
        ]
        for key in sensitive {
            #expect(SecretRedactor.isSensitiveKey(key), "\(key)")
        }
        for key in ["status", "status_code", "path", "request_id", "", "keys", "tok", "codes", "k\u{0130}y", "name"] {
            #expect(!SecretRedactor.isSensitiveKey(key), "\(key)")
        }
    }
}
