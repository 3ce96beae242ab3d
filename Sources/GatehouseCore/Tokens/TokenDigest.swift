import Crypto

/// The SHA-256 digest of a token: the only form in which a token is stored or cached.
///
/// Held as four machine words so that it hashes and compares cheaply as a dictionary key.
public struct TokenDigest: Hashable, Sendable {
    public let words: (UInt64, UInt64, UInt64, UInt64)

    /// The digest of `token`'s UTF-8 bytes.
    public init(of token: some StringProtocol) {
        var hasher = SHA256()
        // Hashed in place when the bytes are contiguous (a native string or a slice of one).
        let hashedInPlace = token.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
            return true
        }
        if hashedInPlace == nil {
            var copy = String(token)
            copy.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
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
