import Foundation

/// A property of a data source's schema (of a database's, before 2025-09-03): its id, name and
/// type, and the type's configuration (a select's options, a relation's target, a formula's
/// expression) as JSON.
public struct PropertySchema: Decodable, Sendable, Hashable, Identifiable {
    public let id: String
    public let name: String
    /// `title`, `rich_text`, `number`, `select`, `status`, `date`, `people`, `relation`, …
    public let type: String
    public let description: String?
    /// The object under the type's key (`{"options": […]}` for a select, `{}` for a title).
    public let configuration: JSONValue

    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        guard let id = json["id"]?.stringValue, let type = json["type"]?.stringValue else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "a property has no id or type")
            )
        }
        self.id = id
        self.type = type
        name = json["name"]?.stringValue ?? ""
        description = json["description"]?.stringValue
        configuration = json[type] ?? .object([:])
    }
}

/// A page's property value (`{"id", "type", <type>: value}`), also one item of a paginated
/// property (`object: "property_item"`).
///
/// Build request values with the static functions (``title(_:)``, ``select(_:)``, ``date(start:end:)``,
/// …) or ``init(type:value:)`` for anything else the API accepts.
public struct PropertyValue: Codable, Sendable, Hashable {
    /// The property's id (in responses).
    public var id: String?
    public var type: String
    /// The value under the type's key: rich text items for a title, a number, `{"name"}` for a
    /// select, `{"start", "end"}` for a date, `null` for an empty one.
    public var value: JSONValue

    public init(type: String, value: JSONValue) {
        self.id = nil
        self.type = type
        self.value = value
    }

    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        guard let type = json["type"]?.stringValue else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "a property value has no type")
            )
        }
        self.type = type
        id = json["id"]?.stringValue
        value = json[type] ?? .null
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// The value as a request sends it (`{"type": "number", "number": 3}`).
    public var json: JSONValue { ["type": .string(type), type: value] }

    /// The rich text of a `title` or `rich_text` value (a list, or one item in a property item).
    public var richText: [RichText]? {
        guard type == "title" || type == "rich_text" else { return nil }
        let items = value.arrayValue ?? (value.isNull ? [] : [value])
        return try? items.map { try $0.decoded(as: RichText.self) }
    }

    /// The plain text of a title or rich text value; `nil` for other types.
    public var plainText: String? { richText?.plainText }

    public static func title(_ text: String) -> PropertyValue { title([.text(text)]) }
    public static func title(_ items: [RichText]) -> PropertyValue {
        PropertyValue(type: "title", value: items.json)
    }
    public static func richText(_ text: String) -> PropertyValue { richText([.text(text)]) }
    public static func richText(_ items: [RichText]) -> PropertyValue {
        PropertyValue(type: "rich_text", value: items.json)
    }
    public static func number(_ number: Double?) -> PropertyValue {
        PropertyValue(type: "number", value: number.map(JSONValue.number) ?? .null)
    }
    public static func checkbox(_ checked: Bool) -> PropertyValue {
        PropertyValue(type: "checkbox", value: .bool(checked))
    }
    /// A select option by name (created on first use), or cleared with `nil`.
    public static func select(_ name: String?) -> PropertyValue {
        PropertyValue(type: "select", value: name.map { ["name": .string($0)] } ?? .null)
    }
    public static func multiSelect(_ names: [String]) -> PropertyValue {
        PropertyValue(type: "multi_select", value: .array(names.map { ["name": .string($0)] }))
    }
    public static func status(_ name: String) -> PropertyValue {
        PropertyValue(type: "status", value: ["name": .string(name)])
    }
    /// A date or a range: ISO 8601 dates (`2026-12-05`) or date-times.
    public static func date(start: String, end: String? = nil, timeZone: String? = nil) -> PropertyValue {
        var date: [String: JSONValue] = ["start": .string(start)]
        if let end { date["end"] = .string(end) }
        if let timeZone { date["time_zone"] = .string(timeZone) }
        return PropertyValue(type: "date", value: .object(date))
    }
    public static func people(_ userIDs: [String]) -> PropertyValue {
        PropertyValue(type: "people", value: .array(userIDs.map { ["id": .string($0)] }))
    }
    public static func relation(_ pageIDs: [String]) -> PropertyValue {
        PropertyValue(type: "relation", value: .array(pageIDs.map { ["id": .string($0)] }))
    }
    public static func url(_ url: String?) -> PropertyValue {
        PropertyValue(type: "url", value: .optional(url))
    }
    public static func email(_ email: String?) -> PropertyValue {
        PropertyValue(type: "email", value: .optional(email))
    }
    public static func phoneNumber(_ number: String?) -> PropertyValue {
        PropertyValue(type: "phone_number", value: .optional(number))
    }
}

/// A page property as `GET /v1/pages/{id}/properties/{property_id}` answers: one item for most
/// types, or a page of items (title, rich text, relation, people, rollup) with a cursor.
public struct PropertyItems: Decodable, Sendable, Equatable {
    /// The items: one for a single-valued property, one rich text item (or relation, person) each
    /// for a paginated one.
    public let results: [PropertyValue]
    public let nextCursor: String?
    public let hasMore: Bool
    /// For a paginated answer, the `property_item` summary (its id, type, and a rollup's result).
    public let property: PropertyValue?

    /// The plain text of a title or rich text property, all items joined.
    public var plainText: String { results.compactMap(\.plainText).joined() }

    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        if json["object"]?.stringValue == "list" {
            results = try (json["results"]?.arrayValue ?? []).map { try $0.decoded(as: PropertyValue.self) }
            nextCursor = json["next_cursor"]?.stringValue
            hasMore = json["has_more"]?.boolValue ?? false
            property = try json["property_item"].map { try $0.decoded(as: PropertyValue.self) }
        } else {
            results = [try json.decoded(as: PropertyValue.self)]
            nextCursor = nil
            hasMore = false
            property = nil
        }
    }
}
