/// A refused admin operation, with a message that says what to fix. Never contains a secret.
public struct AdminError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
