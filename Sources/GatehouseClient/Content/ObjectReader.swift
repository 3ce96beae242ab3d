import Foundation

/// Reads an API object leniently: a missing or mistyped optional member is `nil`, so objects from
/// any `Notion-Version` (and members added later) decode.
struct ObjectReader {
    let json: JSONValue
    let codingPath: [any CodingKey]

    init(_ decoder: any Decoder) throws {
        json = try JSONValue(from: decoder)
        codingPath = decoder.codingPath
    }

    func string(_ key: String) -> String? { json[key]?.stringValue }
    func bool(_ key: String) -> Bool? { json[key]?.boolValue }

    /// A member that is present and not `null`, as JSON.
    func value(_ key: String) -> JSONValue? {
        guard let value = json[key], !value.isNull else { return nil }
        return value
    }

    func id() throws -> String {
        guard let id = string("id") else {
            throw DecodingError.keyNotFound(
                ObjectKey("id"),
                DecodingError.Context(codingPath: codingPath, debugDescription: "the object has no id")
            )
        }
        return id
    }

    func decode<T: Decodable>(_ key: String, as type: T.Type) throws -> T? {
        try value(key).map { try $0.decoded(as: T.self) }
    }

    func richText(_ key: String) throws -> [RichText] { try decode(key, as: [RichText].self) ?? [] }

    /// `in_trash`, or the older `archived` when it is absent (and the other way round).
    func trashed(preferring key: String) -> Bool {
        bool(key) ?? bool(key == "in_trash" ? "archived" : "in_trash") ?? false
    }

    struct ObjectKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
