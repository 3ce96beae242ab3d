import GatehouseCore

/// Reads request JSON for the property and query rules, throwing the API's validation errors.
enum PropertyJSONReader {
    static func object(_ value: JSONValue?, at path: String) throws -> [(String, JSONValue)] {
        guard case .object(let members)? = value else {
            throw ContentValidationError.expected("an object", at: path, got: value)
        }
        return members
    }

    static func array(_ value: JSONValue?, at path: String) throws -> [JSONValue] {
        guard case .array(let items)? = value else {
            throw ContentValidationError.expected("an array", at: path, got: value)
        }
        return items
    }

    static func string(_ value: JSONValue?, at path: String) throws -> String {
        guard case .string(let text)? = value else {
            throw ContentValidationError.expected("a string", at: path, got: value)
        }
        return text
    }

    static func optionalString(_ value: JSONValue?, at path: String) throws -> String? {
        if value == nil || value == .null { return nil }
        return try string(value, at: path)
    }

    static func number(_ value: JSONValue?, at path: String) throws -> Double {
        guard case .number(let number)? = value, number.isFinite else {
            throw ContentValidationError.expected("a number", at: path, got: value)
        }
        return number
    }

    static func bool(_ value: JSONValue?, at path: String) throws -> Bool {
        guard case .bool(let flag)? = value else {
            throw ContentValidationError.expected("a boolean", at: path, got: value)
        }
        return flag
    }

    /// `value` as an object with no members (`{}`), the configuration of most property types.
    static func emptyObject(_ value: JSONValue?, at path: String) throws {
        _ = try object(value, at: path)
    }

    /// A string no longer than `limit` UTF-16 units (as the API counts length).
    static func string(_ value: JSONValue?, at path: String, maxLength limit: Int) throws -> String {
        let text = try string(value, at: path)
        guard text.utf16.count <= limit else {
            throw ContentValidationError(
                path: path,
                message: "\(path).length should be ≤ `\(limit)`, instead was `\(text.utf16.count)`."
            )
        }
        return text
    }

    /// The single key of `members` among `allowed`, for `{type?: T, T: config}` shapes.
    static func variant(
        _ members: [(String, JSONValue)],
        among allowed: [String],
        at path: String
    ) throws -> (String, JSONValue) {
        if case .string(let declared)? = members.last(where: { $0.0 == "type" })?.1 {
            guard allowed.contains(declared) else {
                throw ContentValidationError.expected(
                    "one of " + allowed.map { "`\($0)`" }.joined(separator: ", "),
                    at: "\(path).type",
                    got: .string(declared)
                )
            }
            guard let config = members.last(where: { $0.0 == declared })?.1 else {
                throw ContentValidationError.expected("defined", at: "\(path).\(declared)", got: nil)
            }
            return (declared, config)
        }
        let present = members.filter { allowed.contains($0.0) }
        guard present.count == 1 else {
            let expected =
                "an object with exactly one of " + allowed.prefix(8).map { "`\($0)`" }.joined(separator: ", ")
            throw ContentValidationError(
                path: path,
                message: "\(path) should be \(expected)\(allowed.count > 8 ? ", …" : ""), instead had \(present.count)."
            )
        }
        return present[0]
    }
}
