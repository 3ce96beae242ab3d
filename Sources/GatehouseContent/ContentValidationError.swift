import GatehouseCore

/// Why a content request body breaks the API's rules: answered as `400 validation_error`.
///
/// `path` names the offending field the way the API does (`body.children[3].paragraph.rich_text[0]`),
/// and `message` is the whole sentence sent to the client, which names the path and what was
/// expected. Nothing is written when a request fails validation.
public struct ContentValidationError: Error, Equatable, Sendable {
    /// The field at fault, from `body` down (`body.properties.Status.status.name`).
    public var path: String
    /// The sentence sent in the error object's `message`.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path should be <expected>, instead was <actual>.`, the API's wording for a wrong value.
    public static func expected(_ expected: String, at path: String, got actual: JSONValue?) -> Self {
        let shown =
            switch actual {
            case nil: "`undefined`"
            case .string(let text)?: "`\"\(text.prefix(100))\"`"
            case let value?: "`\(String(decoding: value.serialized().prefix(100), as: UTF8.self))`"
            }
        return Self(path: path, message: "\(path) should be \(expected), instead was \(shown).")
    }
}
