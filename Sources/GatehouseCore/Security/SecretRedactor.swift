/// Removes credentials from text before it is logged.
///
/// Two rules: anything shaped like a token (`secret_`, `ntn_`, `bot_`, `nap_`, `nrt_`, `ncs_`, `nac_` followed by
/// 8 or more base62 characters) becomes its display hint, `secret_…a1B2` style but with the last
/// four characters hidden too; and the value after `Bearer ` or `Basic ` (six characters or more) is dropped. Metadata keys
/// that name a secret (``isSensitiveKey(_:)``) are dropped whole by the log handler.
public enum SecretRedactor {
    /// Every Gatehouse prefix, and Notion's `ntn_`.
    static let prefixes: [[UInt8]] = (TokenKind.allCases.map(\.prefix) + ["ntn_"]).map { Array($0.utf8) }
    static let schemes: [[UInt8]] = ["bearer ", "basic "].map { Array($0.utf8) }

    /// The text with every credential replaced by a redaction marker.
    public static func redact(_ text: String) -> String {
        guard mightContainSecret(text) else { return text }
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if let end = tokenEnd(in: bytes, at: index) {
                let prefixEnd = bytes[index...].firstIndex(of: UInt8(ascii: "_"))!
                output += bytes[index...prefixEnd]
                output += Array("[REDACTED]".utf8)
                index = end
            } else if let (schemeEnd, end) = credentialAfterScheme(in: bytes, at: index) {
                output += bytes[index..<schemeEnd]
                output += Array("[REDACTED]".utf8)
                index = end
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether a metadata key or form field name denotes a secret whose value must never be logged.
    public static func isSensitiveKey(_ key: String) -> Bool {
        // ASCII keys (all of Gatehouse's own) are lowercased byte by byte into stack memory (the
        // log handler asks for every metadata key of every line); others are lowercased as
        // Unicode first (the Kelvin sign lowercases to an ASCII "k").
        guard key.utf8.allSatisfy({ $0 < 0x80 }) else {
            return Array(key.lowercased().utf8).withUnsafeBufferPointer(isSensitiveLowercased)
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: key.utf8.count) { buffer in
            for (index, byte) in key.utf8.enumerated() {
                buffer[index] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            }
            return isSensitiveLowercased(UnsafeBufferPointer(buffer))
        }
    }

    static let sensitiveNames: [[UInt8]] = [
        "code", "key", "api_key", "authorization", "cookie", "set-cookie", "code_verifier",
    ].map { Array($0.utf8) }
    static let sensitiveParts: [[UInt8]] = ["token", "secret", "password", "credential"].map { Array($0.utf8) }

    private static func isSensitiveLowercased(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        if sensitiveNames.contains(where: { $0.elementsEqual(key) }) { return true }
        return sensitiveParts.contains { part in
            key.count >= part.count
                && (0...(key.count - part.count)).contains { key[$0..<$0 + part.count].elementsEqual(part) }
        }
    }

    private static func mightContainSecret(_ text: String) -> Bool {
        text.utf8.contains { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: " ") }
    }

    /// The end of a token that starts at `index` (at a word boundary), if one does.
    private static func tokenEnd(in bytes: [UInt8], at index: Int) -> Int? {
        if index > 0, Base62.isDigit(bytes[index - 1]) { return nil }
        for prefix in prefixes
        where bytes.count - index > prefix.count && bytes[index..<(index + prefix.count)].elementsEqual(prefix) {
            var end = index + prefix.count
            while end < bytes.count, Base62.isDigit(bytes[end]) { end += 1 }
            return end - (index + prefix.count) >= 8 ? end : nil
        }
        return nil
    }

    /// Where the scheme `Bearer ` / `Basic ` that starts at `index` ends, and where the credential
    /// after it ends, if there is one.
    private static func credentialAfterScheme(in bytes: [UInt8], at index: Int) -> (Int, Int)? {
        if index > 0, Base62.isDigit(bytes[index - 1]) { return nil }
        for scheme in schemes where bytes.count - index > scheme.count {
            let candidate = bytes[index..<(index + scheme.count)].map { $0 | 0x20 }
            guard candidate.elementsEqual(scheme.map { $0 | 0x20 }) else { continue }
            var end = index + scheme.count
            let start = end
            while end < bytes.count, bytes[end] != UInt8(ascii: " "), bytes[end] != UInt8(ascii: "\""),
                bytes[end] != UInt8(ascii: ","), bytes[end] != UInt8(ascii: "\n")
            {
                end += 1
            }
            // Six characters at least: shorter words after "basic" are prose, not credentials.
            guard end - start >= 6 else { return nil }
            return (start, end)
        }
        return nil
    }
}
