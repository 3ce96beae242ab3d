import Foundation

/// A page: a row of a data source (a database before 2025-09-03), or a page under a page.
public struct Page: Decodable, Sendable, Equatable, Identifiable {
    public let id: String
    /// The `title`-typed property as plain text.
    public let title: String
    /// Deprecated by the API in favour of ``inTrash``; either is read into both.
    public let archived: Bool
    public let inTrash: Bool
    public let url: String?
    public let publicURL: String?
    public let parent: Parent?
    /// The database the page is a row of, if any (at every version).
    public let databaseID: String?
    /// The data source the page is a row of (2025-09-03 on).
    public let dataSourceID: String?
    /// The property values, by property name.
    public let properties: [String: PropertyValue]
    public let createdTime: String?
    public let lastEditedTime: String?
    public let createdBy: PartialUser?
    public let lastEditedBy: PartialUser?
    public let icon: JSONValue?
    public let cover: JSONValue?

    public init(from decoder: any Decoder) throws {
        let object = try ObjectReader(decoder)
        id = try object.id()
        archived = object.trashed(preferring: "archived")
        inTrash = object.trashed(preferring: "in_trash")
        url = object.string("url")
        publicURL = object.string("public_url")
        var values: [String: PropertyValue] = [:]
        for (name, value) in object.value("properties")?.objectValue ?? [:] {
            if let property = try? value.decoded(as: PropertyValue.self) { values[name] = property }
        }
        properties = values
        title = values.values.first { $0.type == "title" }?.plainText ?? ""
        parent = try object.decode("parent", as: Parent.self)
        switch parent {
        case .database(let id):
            databaseID = id
            dataSourceID = nil
        case .dataSource(let id, let database):
            databaseID = database
            dataSourceID = id
        default:
            databaseID = nil
            dataSourceID = nil
        }
        createdTime = object.string("created_time")
        lastEditedTime = object.string("last_edited_time")
        createdBy = try object.decode("created_by", as: PartialUser.self)
        lastEditedBy = try object.decode("last_edited_by", as: PartialUser.self)
        icon = object.value("icon")
        cover = object.value("cover")
    }
}

/// A search hit: a page, a data source (2025-09-03 on) or a database (before it).
public enum SearchResult: Decodable, Sendable, Equatable {
    case page(Page)
    case dataSource(DataSource)
    case database(Database)

    enum CodingKeys: String, CodingKey { case object }

    public init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .object)
        switch object {
        case "data_source": self = .dataSource(try DataSource(from: decoder))
        case "database": self = .database(try Database(from: decoder))
        default: self = .page(try Page(from: decoder))
        }
    }
}
