import GatehouseCore

/// Reading request JSON field by field, throwing the API's validation errors with their paths.
enum FieldReading {
    /// The members of `value`, which must be an object.
    static func object(_ value: JSONValue?, at path: String) throws -> [(String, JSONValue)] {
        guard case .object(let members)? = value else {
            throw ContentValidationError.expected("an object", at: path, got: value)
        }
        return members
    }

    /// The elements of `value`, which must be an array.
    static func array(_ value: JSONValue?, at path: String) throws -> [JSONValue] {
        guard case .array(let elements)? = value else {
            throw ContentValidationError.expected("an array", at: path, got: value)
        }
        return elements
    }

    /// `value` as a string, which must be present.
    static func string(_ value: JSONValue?, at path: String) throws -> String {
        guard let text = value?.stringValue else {
            throw ContentValidationError.expected("a string", at: path, got: value)
        }
        return text
    }

    /// `value` as a string of at most `limit` characters.
    static func string(_ value: JSONValue?, at path: String, maxLength limit: Int) throws -> String {
        let text = try string(value, at: path)
        try checkLength(text, at: path, limit: limit)
        return text
    }

    /// Throws the API's length error when `text` has more than `limit` characters.
    static func checkLength(_ text: String, at path: String, limit: Int) throws {
        // The API counts UTF-16 code units, as JavaScript's `length` does.
        let length = text.utf16.count
        guard length <= limit else {
            throw ContentValidationError.expected("≤ `\(limit)`", at: "\(path).length", got: .number(Double(length)))
        }
    }

    /// `value` as a boolean, or `fallback` when absent.
    static func bool(_ value: JSONValue?, at path: String, default fallback: Bool) throws -> Bool {
        guard let value else { return fallback }
        guard case .bool(let flag) = value else {
            throw ContentValidationError.expected("a boolean", at: path, got: value)
        }
        return flag
    }

    /// `value` as an id: a UUID, dashed or not, returned canonical (lowercase, dashed).
    static func id(_ value: JSONValue?, at path: String) throws -> String {
        guard let text = value?.stringValue, let id = ResourceID.canonical(text) else {
            throw ContentValidationError.expected("a valid uuid", at: path, got: value)
        }
        return id
    }

    /// The payload's type name: the `type` member when present (its key must then be present
    /// too), else the only member of `object` that is one of `known`.
    static func typeKey(
        of object: JSONValue,
        at path: String,
        known: some Collection<String>,
        otherKeys: Set<String> = []
    ) throws -> String {
        if let declared = object["type"] {
            guard let name = declared.stringValue else {
                throw ContentValidationError.expected("a string", at: "\(path).type", got: declared)
            }
            guard object[name] != nil else {
                throw ContentValidationError.expected("defined", at: "\(path).\(name)", got: nil)
            }
            return name
        }
        guard case .object(let members) = object else {
            throw ContentValidationError.expected("an object", at: path, got: object)
        }
        let candidates = members.map(\.0).filter { known.contains($0) }
        if candidates.count == 1 { return candidates[0] }
        let unknown = members.map(\.0).filter { !otherKeys.contains($0) && $0 != "type" }
        if candidates.isEmpty, unknown.count == 1 { return unknown[0] }
        throw ContentValidationError(
            path: path,
            message: "\(path) should have exactly one of its type keys (\(known.sorted().joined(separator: ", "))) "
                + "or a `type`, instead had \(candidates.isEmpty ? "none" : candidates.joined(separator: ", "))."
        )
    }
}
