/// A credential (API key, OAuth token, client secret) that never shows itself: its description,
/// debug description and reflection print only its prefix, so it can sit in a model, an error or a
/// log line without leaking.
public struct Secret: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The credential itself; read it only to send it.
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    public var description: String { Redactor.hint(value) }
    public var debugDescription: String { "Secret(\(Redactor.hint(value)))" }
    public var customMirror: Mirror { Mirror(self, children: ["value": Redactor.hint(value)]) }
}

/// Removes credentials from text the SDK shows: error messages, descriptions.
enum Redactor {
    static let prefixes = ["secret_", "ntn_", "bot_", "nap_", "nrt_", "ncs_", "nac_"]

    /// `secret_…` (the prefix only): enough to tell which credential, nothing to use.
    static func hint(_ token: String) -> String {
        let prefix = token.prefix { $0 != "_" }
        return prefix.count < token.count && prefix.count <= 6 ? "\(prefix)_…" : "…"
    }

    /// `text` with every token-shaped word and every `Bearer`/`Basic` credential replaced.
    static func redact(_ text: String) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let rest = text[index...]
            if let prefix = prefixes.first(where: { rest.hasPrefix($0) }), isBoundary(text, index) {
                let end = rest.dropFirst(prefix.count).firstIndex { !($0.isLetter || $0.isNumber) } ?? text.endIndex
                output += prefix + "[REDACTED]"
                index = end
            } else if let scheme = ["Bearer ", "Basic ", "bearer ", "basic "].first(where: { rest.hasPrefix($0) }) {
                let start = rest.index(rest.startIndex, offsetBy: scheme.count)
                let end = text[start...].firstIndex { $0 == " " || $0 == "\"" || $0 == "," } ?? text.endIndex
                output += scheme + "[REDACTED]"
                index = end
            } else {
                output.append(text[index])
                index = text.index(after: index)
            }
        }
        return output
    }

    private static func isBoundary(_ text: String, _ index: String.Index) -> Bool {
        guard index > text.startIndex else { return true }
        let before = text[text.index(before: index)]
        return !(before.isLetter || before.isNumber || before == "_")
    }
}
