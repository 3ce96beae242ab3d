import Foundation
import GatehouseCore
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A log handler that writes one logfmt line per event to standard error, with every credential
/// removed at this layer: messages and metadata values pass through ``SecretRedactor``, and
/// metadata whose key names a secret (`token`, `password`, `authorization`, …) is dropped.
///
/// Redacting here, not at each call site, means a mistake elsewhere cannot leak a secret.
///
/// At the default level the server logs a line per request, so the line is built for speed: the
/// timestamp is formatted once a second, ASCII values are checked byte by byte rather than
/// character by character, and the line goes to the file descriptor in one `write(2)`.
public struct RedactingLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    /// The label and the sink, behind one reference: the handler then fits in a `Logger`'s
    /// inline existential buffer (three words). Hummingbird copies the logger for every request
    /// to add the request id; a handler larger than the buffer lives in a box of its own, which
    /// that copy had to allocate anew.
    private let output: Output

    private final class Output: Sendable {
        let label: String
        let sink: @Sendable (String) -> Void

        init(label: String, sink: @escaping @Sendable (String) -> Void) {
            self.label = label
            self.sink = sink
        }
    }

    public init(
        label: String,
        level: Logger.Level = .info,
        sink: @escaping @Sendable (String) -> Void = RedactingLogHandler.standardError
    ) {
        self.logLevel = level
        self.output = Output(label: label, sink: sink)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "ts="
        line.reserveCapacity(256)
        line += Self.timestamp(Date())
        line += " level="
        line += event.level.rawValue
        line += " label="
        line += output.label
        line += " msg="
        line += Self.quoted(SecretRedactor.redact(event.message.description))
        let merged = metadata.isEmpty ? event.metadata ?? [:] : metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            let shown = SecretRedactor.isSensitiveKey(key) ? "[REDACTED]" : SecretRedactor.redact(value.description)
            line += " "
            line += key
            line += "="
            line += Self.quoted(shown)
        }
        output.sink(line)
    }

    /// `text` as a logfmt value: as it is when it holds only letters, digits and `-_./:[]…`,
    /// otherwise in double quotes with `\`, `"` and newlines escaped.
    static func quoted(_ text: String) -> String {
        if !text.isEmpty && isPlain(text) { return text }
        return "\""
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    private static let plainPunctuation: Set<Character> = ["-", "_", ".", "/", ":", "[", "]", "…"]

    /// Whether every character of `text` is a letter, a digit or one of ``plainPunctuation``:
    /// decided on the bytes while they are ASCII (where a byte is a character, and only `A`–`Z`,
    /// `a`–`z` and `0`–`9` are letters or digits), by character from the first byte that is not.
    private static func isPlain(_ text: String) -> Bool {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
                continue
            case 0x80...:
                return text.allSatisfy { $0.isLetter || $0.isNumber || plainPunctuation.contains($0) }
            default:
                return false
            }
        }
        return true
    }

    /// The last second formatted, shared by every handler: lines come many per second.
    private static let formattedSecond = Mutex<(second: Int64, text: String)>((.min, ""))

    /// `date` in ISO 8601 to the second, UTC (`2026-12-02T06:25:12Z`), as `Date.formatted(.iso8601)`
    /// writes it.
    static func timestamp(_ date: Date) -> String {
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        if let text = formattedSecond.withLock({ $0.second == second ? $0.text : nil }) { return text }
        let text = Date(timeIntervalSince1970: Double(second)).formatted(.iso8601)
        formattedSecond.withLock { $0 = (second, text) }
        return text
    }

    /// Writes a line to standard error, in one `write(2)` unless the kernel takes it in parts.
    public static let standardError: @Sendable (String) -> Void = { line in
        var line = line
        line += "\n"
        line.withUTF8 { bytes in
            guard var next = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let written = write(STDERR_FILENO, next, left)
                if written > 0 {
                    next += written
                    left -= written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
