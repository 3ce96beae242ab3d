import GatehouseStore

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

extension AdminOperations {
    /// Runs a store change on the integration `id`, reporting a concurrent deletion of it (the
    /// store's not-found) as ``AdminError/noIntegration(_:)``.
    func changing<Result>(integration id: String, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as StoreError where error.code == .notFound {
            throw AdminError.noIntegration(id)
        }
    }
}
