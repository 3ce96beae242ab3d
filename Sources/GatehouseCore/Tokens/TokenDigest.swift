import Crypto

/// The SHA-256 digest of a token: the only form in which a token is stored or cached.
///
/// Held as four machine words so that it hashes and compares cheaply as a dictionary key.
public struct TokenDigest: Hashable, Sendable {
    public let words: (UInt64, UInt64, UInt64, UInt64)

    /// The digest of `token`'s UTF-8 bytes.
    ///
    /// One initializer per string type rather than one generic over `StringProtocol`: called
    /// from another module, a generic one ran unspecialized, reaching the bytes through witness
    /// tables, and took several times as long as the hash on the API's path.
    public init(of token: String) {
        var token = token
        self = token.withUTF8 { TokenDigest(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The digest of `token`'s UTF-8 bytes (a slice of a header, say), hashed in place.
    public init(of token: Substring) {
        var token = token
        self = token.withUTF8 { TokenDigest(bytes: UnsafeRawBufferPointer($0)) }
    }

    private init(bytes: UnsafeRawBufferPointer) {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        let digest = hasher.finalize()
        self.words = digest.withUnsafeBytes { raw in
            (
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            )
        }
    }

    /// A digest read back from its 64-character lowercase hex form; `nil` if malformed.
    public init?(hex: String) {
        guard hex.utf8.count == 64 else { return nil }
        var words: [UInt64] = []
        var index = hex.startIndex
        for _ in 0..<4 {
            let end = hex.index(index, offsetBy: 16)
            guard let word = UInt64(hex[index..<end], radix: 16) else { return nil }
            words.append(word)
            index = end
        }
        self.words = (words[0], words[1], words[2], words[3])
    }

    /// The 64-character lowercase hex form, as stored in the `tokens.hash` column.
    public var hex: String {
        withUnsafeBytes(of: (words.0.bigEndian, words.1.bigEndian, words.2.bigEndian, words.3.bigEndian)) {
            Hex.lowercase($0)
        }
    }

    public static func == (lhs: TokenDigest, rhs: TokenDigest) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
