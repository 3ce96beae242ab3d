import Foundation

/// Where the store lives: an SQLite file (the default) or a PostgreSQL server.
public enum DatabaseURL: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(URL)

    /// The default store: `gatehouse.sqlite` in the working directory.
    public static let defaultValue = "sqlite:gatehouse.sqlite"

    /// Reads `sqlite:PATH`, `sqlite://PATH`, `postgres://…` or `postgresql://…`.
    public init(parsing text: String) throws(DatabaseURLError) {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw DatabaseURLError(text: text, reason: "the SQLite file path is empty") }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
                throw DatabaseURLError(text: text, reason: "expected postgres://user:password@host:port/database")
            }
            guard url.user?.isEmpty == false else {
                throw DatabaseURLError(text: text, reason: "the PostgreSQL URL names no user")
            }
            self = .postgres(url)
        } else {
            throw DatabaseURLError(
                text: text,
                reason: "use sqlite:PATH (e.g. sqlite:gatehouse.sqlite) or postgres://user:password@host:port/database"
            )
        }
    }

    /// The URL with any password hidden, safe to print and log.
    public var redacted: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): DatabaseURLError.redact(url.absoluteString)
        }
    }
}

/// A database URL that cannot be used; its description never contains the password.
public struct DatabaseURLError: Error, CustomStringConvertible {
    public let text: String
    public let reason: String

    public var description: String {
        "invalid database URL '\(Self.redact(text))': \(reason)"
    }

    /// `scheme://user:password@host` → `scheme://user:***@host`.
    static func redact(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text.range(of: "@", options: .backwards),
            at.lowerBound > schemeEnd.upperBound
        else { return text }
        let userInfo = text[schemeEnd.upperBound..<at.lowerBound]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at.lowerBound...])
    }
}
