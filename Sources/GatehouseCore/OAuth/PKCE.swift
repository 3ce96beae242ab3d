import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636), S256 only: the plain method offers no protection
/// against an attacker who can read the authorization request.
public enum PKCE {
    /// The only method accepted.
    public static let method = "S256"

    /// Whether `challenge` is a base64url SHA-256 digest without padding (43 characters).
    public static func isValidChallenge(_ challenge: String) -> Bool {
        challenge.utf8.count == 43 && challenge.utf8.allSatisfy(isBase64URL)
    }

    /// Whether `verifier` has RFC 7636's shape: 43 to 128 unreserved characters.
    public static func isValidVerifier(_ verifier: String) -> Bool {
        (43...128).contains(verifier.utf8.count)
            && verifier.utf8.allSatisfy { isBase64URL($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "~") }
    }

    /// `BASE64URL(SHA256(verifier))`, the S256 challenge for `verifier`.
    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// Whether `verifier` is well formed and hashes to `challenge`.
    public static func verify(verifier: String, challenge: String) -> Bool {
        guard isValidVerifier(verifier) else { return false }
        let expected = Array(Self.challenge(for: verifier).utf8)
        let given = Array(challenge.utf8)
        guard expected.count == given.count else { return false }
        // Constant time: the comparison does not stop at the first difference.
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        Base62.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
}

/// Base64url without padding (RFC 4648 §5), as PKCE and compact tokens use it.
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
