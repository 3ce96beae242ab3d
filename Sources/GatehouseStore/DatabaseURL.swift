import Foundation
import GatehouseCore

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
            do {
                _ = try PostgresTLSMode(of: url)
            } catch {
                throw DatabaseURLError(text: text, reason: error.reason)
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

/// How the connection to PostgreSQL is protected, from the URL's `sslmode` (also read as `tlsmode`,
/// `tls` or `ssl`).
///
/// Without one, a server on a loopback address is reached with `prefer` (TLS when the server offers
/// it) and any other host with `verify-full`: a network attacker cannot downgrade the connection to
/// plain text. `require`, `verify-ca` and `verify-full` all verify the certificate and the host name
/// (stricter than libpq's `require`, which does not verify). An unknown value is an error, never a
/// silent downgrade.
public enum PostgresTLSMode: String, Sendable, Equatable {
    case disable
    case prefer
    case verifyFull = "verify-full"

    /// The mode `url` asks for, or its host's default.
    public init(of url: URL) throws(PostgresURLOptionError) {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let given = components?.queryItems?.first { ["sslmode", "tlsmode", "tls", "ssl"].contains($0.name) }
        guard let given else {
            self = IPAddress.isLoopbackHost(url.host ?? "") ? .prefer : .verifyFull
            return
        }
        switch given.value?.lowercased() ?? "" {
        case "disable", "false": self = .disable
        case "allow", "prefer": self = .prefer
        case "require", "verify-ca", "verify-full", "true": self = .verifyFull
        default:
            throw PostgresURLOptionError(
                reason:
                    "\(given.name) must be disable, prefer, require, verify-ca or verify-full, not '\((given.value ?? "").prefix(20))'"
            )
        }
    }
}

/// Whether Gatehouse prepares its statements on each PostgreSQL connection, from the URL's
/// `prepared_statements` (`on`, the default, or `off`): off for a pooler that hands a session's
/// statements to other sessions (PgBouncer before 1.21 in transaction pooling).
public enum PostgresPreparedStatementsMode: Sendable, Equatable {
    case on, off

    public init(of url: URL) throws(PostgresURLOptionError) {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        guard let given = components?.queryItems?.first(where: { $0.name == "prepared_statements" }) else {
            self = .on
            return
        }
        switch given.value?.lowercased() ?? "" {
        case "on", "true", "1": self = .on
        case "off", "false", "0": self = .off
        default:
            throw PostgresURLOptionError(
                reason: "prepared_statements must be on or off, not '\((given.value ?? "").prefix(20))'"
            )
        }
    }
}

/// A PostgreSQL URL option (`sslmode`, `prepared_statements`) with a value that is not one of its known ones.
public struct PostgresURLOptionError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
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
