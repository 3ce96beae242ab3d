import GatehouseCore

/// A select, multi-select or status option as stored in a schema.
public struct SelectOption: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    /// One of ``SelectOption/colors``.
    public var color: String
    public var description: String?

    public init(id: String, name: String, color: String = "default", description: String? = nil) {
        self.id = id
        self.name = name
        self.color = color
        self.description = description
    }

    /// The colors an option may have (`SelectColor` in notion-sdk-js `src/api-endpoints/common.ts`).
    public static let colors: Set<String> = [
        "default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red",
    ]
}

/// A status property's group of options (To-do, In progress, Complete).
public struct StatusGroup: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var color: String
    public var optionIds: [String]

    public init(id: String, name: String, color: String, optionIds: [String]) {
        self.id = id
        self.name = name
        self.color = color
        self.optionIds = optionIds
    }
}

/// A relation property's target and whether it is mirrored on the other side.
public struct RelationConfig: Codable, Equatable, Sendable {
    /// The related data source (`data_source_id`); `nil` when the request named only a database
    /// (`database_id`, 2022-06-28), which the caller resolves.
    public var dataSourceId: String?
    /// The database containing the data source (`database_id`).
    public var databaseId: String?
    /// `nil` for `single_property`; the synced property's id and name for `dual_property`.
    public var syncedPropertyId: String?
    public var syncedPropertyName: String?
    public var isDual: Bool

    public init(
        dataSourceId: String?,
        databaseId: String? = nil,
        isDual: Bool = false,
        syncedPropertyId: String? = nil,
        syncedPropertyName: String? = nil
    ) {
        self.dataSourceId = dataSourceId
        self.databaseId = databaseId
        self.isDual = isDual
        self.syncedPropertyId = syncedPropertyId
        self.syncedPropertyName = syncedPropertyName
    }
}

/// One property of a data source's schema: what `properties.<name>` describes.
public struct PropertyDefinition: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var type: PropertyType
    public var description: String?
    /// `number.format`.
    public var numberFormat: String?
    /// Options of select, multi_select and status, in order.
    public var options: [SelectOption]
    /// Status groups.
    public var groups: [StatusGroup]
    public var relation: RelationConfig?
    /// `formula.expression`.
    public var expression: String?
    /// `rollup` configuration, kept as sent (read-only, never evaluated).
    public var rollup: JSONValueBox?
    /// `unique_id.prefix`.
    public var prefix: String?

    public init(id: String, name: String, type: PropertyType) {
        self.id = id
        self.name = name
        self.type = type
        self.options = []
        self.groups = []
        if type == .number { numberFormat = "number" }
    }

    /// The option named `name` (exact match, as the API compares option names).
    public func option(named name: String) -> SelectOption? { options.first { $0.name == name } }

    /// The option whose id is `id`.
    public func option(id: String) -> SelectOption? { options.first { $0.id == id } }
}

/// A data source's schema: its properties in the order they were defined.
public struct DataSourceSchema: Codable, Equatable, Sendable {
    public var properties: [PropertyDefinition]

    public init(properties: [PropertyDefinition] = []) { self.properties = properties }

    /// The property a request names: by name first, then by id (the API accepts both; ids may
    /// arrive URL-encoded or decoded).
    public func property(named key: String) -> PropertyDefinition? {
        properties.first { $0.name == key }
            ?? properties.first { $0.id == key || $0.id.removingPercentEncodingSafely == key }
    }

    /// The index of the property named or identified by `key`.
    public func index(of key: String) -> Int? {
        properties.firstIndex { $0.name == key }
            ?? properties.firstIndex { $0.id == key || $0.id.removingPercentEncodingSafely == key }
    }

    /// The schema's title property (every data source has exactly one).
    public var title: PropertyDefinition? { properties.first { $0.type == .title } }
}

/// A JSON value stored inside a `Codable` struct (`JSONValue` is Codable; this keeps the field explicit).
public struct JSONValueBox: Codable, Equatable, Sendable {
    public var value: JSONValue
    public init(_ value: JSONValue) { self.value = value }
    public init(from decoder: any Decoder) throws { value = try JSONValue(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

extension String {
    /// The string with `%XX` escapes decoded; itself when it has none or they are malformed.
    var removingPercentEncodingSafely: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = Array(utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let decoded = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(decoded)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
