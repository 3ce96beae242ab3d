import Foundation

/// A database. From `Notion-Version` 2025-09-03 a container of data sources (``dataSources``);
/// before it, a table with its own schema (``properties``). Both decode.
public struct Database: Decodable, Sendable, Equatable, Identifiable {
    public let id: String
    /// The title as plain text.
    public let title: String
    public let titleRichText: [RichText]
    public let description: [RichText]
    public let parent: Parent?
    public let url: String?
    public let publicURL: String?
    /// Deprecated by the API in favour of ``inTrash``; either is read into both.
    public let archived: Bool
    public let inTrash: Bool
    public let isInline: Bool
    public let isLocked: Bool
    public let createdTime: String?
    public let lastEditedTime: String?
    public let icon: JSONValue?
    public let cover: JSONValue?
    /// From 2025-09-03: the database's data sources (query and change rows through them); empty before.
    public let dataSources: [DataSourceReference]
    /// Before 2025-09-03: the schema, by property name; empty from it on (read the data source's).
    public let properties: [String: PropertySchema]

    public init(from decoder: any Decoder) throws {
        let object = try ObjectReader(decoder)
        id = try object.id()
        titleRichText = try object.richText("title")
        title = titleRichText.plainText
        description = try object.richText("description")
        parent = try object.decode("parent", as: Parent.self)
        url = object.string("url")
        publicURL = object.string("public_url")
        archived = object.trashed(preferring: "archived")
        inTrash = object.trashed(preferring: "in_trash")
        isInline = object.bool("is_inline") ?? false
        isLocked = object.bool("is_locked") ?? false
        createdTime = object.string("created_time")
        lastEditedTime = object.string("last_edited_time")
        icon = object.value("icon")
        cover = object.value("cover")
        dataSources = try object.decode("data_sources", as: [DataSourceReference].self) ?? []
        properties = try object.decode("properties", as: [String: PropertySchema].self) ?? [:]
    }
}

/// A data source as a database lists it.
public struct DataSourceReference: Codable, Sendable, Hashable, Identifiable {
    public let id: String
    public let name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}
