import Foundation
import GatehouseCore
import Logging

/// A log handler that writes one logfmt line per event to standard error, with every credential
/// removed at this layer: messages and metadata values pass through ``SecretRedactor``, and
/// metadata whose key names a secret (`token`, `password`, `authorization`, …) is dropped.
///
/// Redacting here, not at each call site, means a mistake elsewhere cannot leak a secret.
public struct RedactingLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let sink: @Sendable (String) -> Void

    public init(
        label: String,
        level: Logger.Level = .info,
        sink: @escaping @Sendable (String) -> Void = RedactingLogHandler.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line =
            "ts=\(Date().formatted(.iso8601)) level=\(event.level) label=\(label) msg=\(Self.quoted(SecretRedactor.redact(event.message.description)))"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            let shown = SecretRedactor.isSensitiveKey(key) ? "[REDACTED]" : SecretRedactor.redact(value.description)
            line += " \(key)=\(Self.quoted(shown))"
        }
        sink(line)
    }

    static func quoted(_ text: String) -> String {
        let safe = text.allSatisfy { $0.isLetter || $0.isNumber || "-_./:[]…".contains($0) }
        if safe && !text.isEmpty { return text }
        return "\""
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// Writes a line to standard error.
    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
