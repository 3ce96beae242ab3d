/// Finds credentials in text, as `gatehouse scan` does in files.
///
/// A Gatehouse token is confirmed offline by its checksum, so random look-alikes are not
/// reported as real. Legacy-shaped `ntn_`/`secret_` strings (issued elsewhere, without our
/// checksum) are reported as unconfirmed.
public enum TokenScanner {
    /// One credential found in a text.
    public struct Finding: Sendable, Equatable {
        /// 1-based line number.
        public var line: Int
        /// The whole token; callers must show only ``hint``.
        public var token: String
        /// `nil` for a legacy-shaped string whose authenticity cannot be checked offline.
        public var kind: TokenKind?

        public var hint: String { TokenFormat.displayHint(token) }
        public var isConfirmed: Bool { kind != nil }
    }

    private static let prefixes: [[UInt8]] = ["secret_", "ntn_", "bot_", "nap_", "nrt_"].map { Array($0.utf8) }

    /// Every token-shaped string in `text`, in order.
    public static func findings(in text: String) -> [Finding] {
        let bytes = Array(text.utf8)
        var findings: [Finding] = []
        var line = 1
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
                index += 1
                continue
            }
            let atBoundary = index == 0 || !(Base62.isDigit(bytes[index - 1]) || bytes[index - 1] == UInt8(ascii: "_"))
            guard atBoundary,
                let prefix = prefixes.first(where: {
                    bytes.count - index > $0.count && bytes[index..<(index + $0.count)].elementsEqual($0)
                })
            else {
                index += 1
                continue
            }
            var end = index + prefix.count
            while end < bytes.count, Base62.isDigit(bytes[end]) { end += 1 }
            let candidate = String(decoding: bytes[index..<end], as: UTF8.self)
            let bodyLength = end - index - prefix.count
            if let kind = TokenFormat.validate(candidate) {
                findings.append(Finding(line: line, token: candidate, kind: kind))
            } else if (prefix == prefixes[0] || prefix == prefixes[1]) && bodyLength >= 32 {
                findings.append(Finding(line: line, token: candidate, kind: nil))
            }
            index = max(end, index + 1)
        }
        return findings
    }
}
