/// Finds credentials in text, as `gatehouse scan` does in files.
///
/// Only Gatehouse tokens confirmed offline by their checksum are reported; look-alikes
/// (examples, placeholders, mistyped tokens) are not.
public enum TokenScanner {
    /// One credential found in a text.
    public struct Finding: Sendable, Equatable {
        /// 1-based line number.
        public var line: Int
        /// The whole token; callers must show only ``hint``.
        public var token: String
        public var kind: TokenKind

        public var hint: String { TokenFormat.displayHint(token) }
    }

    private static let prefixes: [[UInt8]] = TokenKind.allCases.map { Array($0.prefix.utf8) }

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
            if let kind = TokenFormat.validate(candidate) {
                findings.append(Finding(line: line, token: candidate, kind: kind))
            }
            index = max(end, index + 1)
        }
        return findings
    }
}
