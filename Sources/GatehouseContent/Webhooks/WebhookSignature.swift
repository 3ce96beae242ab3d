import Crypto
import Foundation
import GatehouseCore

/// The `X-Notion-Signature` header of a webhook request: `sha256=` and the lowercase hex
/// HMAC-SHA256 of the exact body bytes, keyed with the subscription's verification token.
public enum WebhookSignature {
    public static let headerName = "X-Notion-Signature"

    public static func header(for body: some DataProtocol, verificationToken: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: body,
            using: SymmetricKey(data: Data(verificationToken.utf8))
        )
        return "sha256=" + Hex.lowercase(mac)
    }
}

/// A subscription's verification token: `secret_` and 43 random base62 characters, as Notion's.
public enum WebhookVerificationToken {
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return "secret_" + String(decoding: Base62.random(count: 43, using: &generator), as: UTF8.self)
    }

    /// The SHA-256 the store keeps to check a token given back, lowercase hex.
    public static func digest(_ token: String) -> String {
        Hex.lowercase(SHA256.hash(data: Data(token.utf8)))
    }

    /// Whether `token` is the one whose digest is `digest` (compared in constant time).
    public static func matches(_ token: String, digest: String) -> Bool {
        let given = Array(Self.digest(token).utf8)
        let stored = Array(digest.utf8)
        guard given.count == stored.count else { return false }
        return zip(given, stored).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
