import Foundation

/// A data source (`Notion-Version` 2025-09-03 on): the table inside a database, with the schema
/// its pages (rows) follow.
public struct DataSource: Decodable, Sendable, Equatable, Identifiable {
    public let id: String
    /// The title as plain text.
    public let title: String
    public let titleRichText: [RichText]
    public let description: [RichText]
    /// The database that contains it (`.database`).
    public let parent: Parent?
    /// Where that database lives (a page, the workspace, …).
    public let databaseParent: Parent?
    /// The schema, by property name.
    public let properties: [String: PropertySchema]
    public let isInline: Bool
    public let inTrash: Bool
    public let archived: Bool
    public let createdTime: String?
    public let lastEditedTime: String?
    public let createdBy: PartialUser?
    public let lastEditedBy: PartialUser?
    public let icon: JSONValue?
    public let cover: JSONValue?
    public let url: String?
    public let publicURL: String?

    /// The id of the database that contains it.
    public var databaseID: String? {
        if case .database(let id) = parent { return id }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let object = try ObjectReader(decoder)
        id = try object.id()
        titleRichText = try object.richText("title")
        title = titleRichText.plainText
        description = try object.richText("description")
        parent = try object.decode("parent", as: Parent.self)
        databaseParent = try object.decode("database_parent", as: Parent.self)
        properties = try object.decode("properties", as: [String: PropertySchema].self) ?? [:]
        isInline = object.bool("is_inline") ?? false
        inTrash = object.trashed(preferring: "in_trash")
        archived = object.trashed(preferring: "archived")
        createdTime = object.string("created_time")
        lastEditedTime = object.string("last_edited_time")
        createdBy = try object.decode("created_by", as: PartialUser.self)
        lastEditedBy = try object.decode("last_edited_by", as: PartialUser.self)
        icon = object.value("icon")
        cover = object.value("cover")
        url = object.string("url")
        publicURL = object.string("public_url")
    }
}

/// A template page of a data source (`GET /v1/data_sources/{id}/templates`).
public struct DataSourceTemplate: Decodable, Sendable, Hashable, Identifiable {
    public let id: String
    public let name: String
    public let isDefault: Bool

    enum CodingKeys: String, CodingKey {
        case id, name
        case isDefault = "is_default"
    }
}

/// One page of a data source's templates.
public struct DataSourceTemplates: Decodable, Sendable, Equatable {
    public let templates: [DataSourceTemplate]
    public let nextCursor: String?
    public let hasMore: Bool

    enum CodingKeys: String, CodingKey {
        case templates
        case nextCursor = "next_cursor"
        case hasMore = "has_more"
    }
}
