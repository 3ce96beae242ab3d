import HTTPTypes
import Hummingbird

/// What a request holds of a header that may appear at most once (`Authorization`,
/// `Notion-Version`).
enum SingleField: Equatable {
    case absent
    case one(String)
    /// Present more than once: ambiguous, so refused (the values are in `headers[values:]`).
    case repeated

    /// The value when there is exactly one.
    var value: String? {
        if case .one(let value) = self { return value }
        return nil
    }
}

extension HTTPFields {
    /// The field named `name` for headers that may appear at most once. Unlike
    /// `self[values: name]` or `self[name]`, it builds no array and joins no strings: it runs for
    /// every API request.
    func single(_ name: HTTPField.Name) -> SingleField {
        var found: String?
        for field in self where field.name == name {
            guard found == nil else { return .repeated }
            found = field.value
        }
        return found.map(SingleField.one) ?? .absent
    }

    /// The value of the first field named `name`, without joining repeated ones.
    func first(_ name: HTTPField.Name) -> String? {
        first { $0.name == name }?.value
    }
}

extension Request {
    /// The client's `User-Agent` as the audit log and last-use records keep it (see
    /// ``HTTPFields/clippedUserAgent``).
    var clippedUserAgent: String? { headers.clippedUserAgent }
}

extension HTTPFields {
    /// The client's `User-Agent` as the audit log and last-use records keep it: cut to 200
    /// characters (copied only when it is longer).
    var clippedUserAgent: String? {
        guard let agent = first(.userAgent) else { return nil }
        return agent.utf8.count <= 200 ? agent : String(agent.prefix(200))
    }
}
