/// A refused admin operation, with a message that says what to fix. Never contains a secret.
public struct AdminError: Error, CustomStringConvertible, Equatable {
    public let message: String
    /// Whether the integration operated on does not exist (or was deleted while the operation ran).
    public let integrationNotFound: Bool

    public init(_ message: String) {
        self.message = message
        self.integrationNotFound = false
    }

    private init(integrationID: String) {
        self.message = "no integration with id '\(integrationID.prefix(64))'"
        self.integrationNotFound = true
    }

    /// The integration `id` does not exist.
    public static func noIntegration(_ id: String) -> AdminError { AdminError(integrationID: id) }

    public var description: String { message }
}
