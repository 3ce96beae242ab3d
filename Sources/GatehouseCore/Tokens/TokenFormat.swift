/// The wire format of Gatehouse tokens: `prefix` + 40 random base62 characters + a 6-character
/// base62 CRC-32 of everything before it.
///
/// The checksum covers the prefix and the random body, so a token can be recognised and checked
/// offline (by `gatehouse scan`, or by the server before any store lookup).
public enum TokenFormat {
    /// Random base62 characters in a token body: 40 × log2(62) ≈ 238 bits of entropy.
    public static let bodyLength = 40
    /// Base62 characters of the checksum (62^6 > 2^32, so any CRC-32 fits).
    public static let checksumLength = 6

    /// The length of the longest token (`secret_`'s prefix is the longest).
    public static let maxLength = TokenKind.allCases.map(\.prefix.utf8.count).max()! + bodyLength + checksumLength

    /// A fresh token of `kind`, its body drawn from the system CSPRNG.
    public static func generate(_ kind: TokenKind) -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(kind, using: &generator)
    }

    /// A token of `kind` with its body drawn from `generator` (tests pass a seeded one).
    public static func generate(_ kind: TokenKind, using generator: inout some RandomNumberGenerator) -> String {
        var bytes = Array(kind.prefix.utf8)
        bytes += Base62.random(count: bodyLength, using: &generator)
        bytes += Base62.encode(UInt64(CRC32.checksum(bytes)), width: checksumLength)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The kind of `token` if it is well formed and its checksum is right; `nil` otherwise.
    ///
    /// Costs no allocation and no store access: this is the first gate of authentication.
    ///
    /// One function per string type rather than one generic over `StringProtocol`: called from
    /// another module, a generic one ran unspecialized, reaching the bytes through witness tables.
    public static func validate(_ token: String) -> TokenKind? {
        var token = token
        return token.withUTF8 { validate(bytes: $0) }
    }

    /// The kind of `token`, a slice (of a header, say), read in place; as for a `String`.
    public static func validate(_ token: Substring) -> TokenKind? {
        var token = token
        return token.withUTF8 { validate(bytes: $0) }
    }

    static func validate(bytes: UnsafeBufferPointer<UInt8>) -> TokenKind? {
        guard let underscore = bytes.firstIndex(of: UInt8(ascii: "_")) else { return nil }
        let kind: TokenKind
        switch underscore {
        case 3 where bytes[0] == UInt8(ascii: "b") && bytes[1] == UInt8(ascii: "o") && bytes[2] == UInt8(ascii: "t"):
            kind = .oauthBot
        case 3 where bytes[0] == UInt8(ascii: "n") && bytes[1] == UInt8(ascii: "a") && bytes[2] == UInt8(ascii: "p"):
            kind = .oauthAccess
        case 3 where bytes[0] == UInt8(ascii: "n") && bytes[1] == UInt8(ascii: "r") && bytes[2] == UInt8(ascii: "t"):
            kind = .oauthRefresh
        case 3 where bytes[0] == UInt8(ascii: "n") && bytes[1] == UInt8(ascii: "c") && bytes[2] == UInt8(ascii: "s"):
            kind = .clientSecret
        case 3 where bytes[0] == UInt8(ascii: "n") && bytes[1] == UInt8(ascii: "a") && bytes[2] == UInt8(ascii: "c"):
            kind = .authorizationCode
        case 3 where bytes[0] == UInt8(ascii: "g") && bytes[1] == UInt8(ascii: "v") && bytes[2] == UInt8(ascii: "k"):
            kind = .verifierKey
        case 6 where "secret".utf8.elementsEqual(bytes[0..<6]):
            kind = .internalKey
        default:
            return nil
        }
        let checksumStart = underscore + 1 + bodyLength
        guard bytes.count == checksumStart + checksumLength else { return nil }
        for index in (underscore + 1)..<bytes.count where !Base62.isDigit(bytes[index]) {
            return nil
        }
        let expected = UInt64(CRC32.checksum(UnsafeBufferPointer(rebasing: bytes[0..<checksumStart])))
        return Base62.decode(bytes[checksumStart...]) == expected ? kind : nil
    }

    /// What may be shown of a token after creation: its prefix, an ellipsis and its last 4 characters.
    public static func displayHint(_ token: String) -> String {
        let prefix = token.prefix { $0 != "_" }
        return "\(prefix)_…\(token.suffix(4))"
    }
}
