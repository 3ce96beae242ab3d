/// A store failure a caller can act on. Messages name the problem, never a secret.
public struct StoreError: Error, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// A unique value (an email, say) is taken.
        case duplicate
        /// A referenced record does not exist.
        case notFound
        /// The store cannot be opened or reached.
        case unavailable
        /// What the change was computed from changed meanwhile (the API's `conflict_error`).
        case conflict
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension StoreError {
    /// Any error described for a log line, credentials redacted. A PostgreSQL error gets its
    /// code, SQLSTATE and the server's primary message (the driver hides them by default); never
    /// the values bound to the statement.
    public static func diagnostic(for error: any Error) -> String {
        PostgresEngine.diagnostic(for: error)
    }
}
