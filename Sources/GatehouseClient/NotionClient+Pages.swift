import Foundation

extension NotionClient {
    // MARK: Pages

    /// A page with its properties (`GET /v1/pages/{id}`); `filterProperties` (property ids) keeps
    /// only those.
    public func page(id: String, filterProperties: [String] = []) async throws -> Page {
        try await request("GET", "pages/\(try Self.pathID(id))", query: Self.filterProperties(filterProperties))
    }

    /// Creates a page (`POST /v1/pages`): a row in a data source (`.dataSource(id)`, or
    /// `.database(id)` before 2025-09-03) with `properties` named as in its schema, or a page under a
    /// page (`.page(id)`, whose only property is `title`), with `children` as its content. Not
    /// retried on 5xx (not idempotent).
    public func createPage(
        in parent: Parent,
        properties: [String: PropertyValue],
        children: [BlockContent] = [],
        icon: JSONValue? = nil,
        cover: JSONValue? = nil
    ) async throws -> Page {
        var body: [String: JSONValue] = [
            "parent": parent.json,
            "properties": .object(properties.mapValues(\.json)),
        ]
        if !children.isEmpty { body["children"] = .array(children.map(\.json)) }
        if let icon { body["icon"] = icon }
        if let cover { body["cover"] = cover }
        return try await request("POST", "pages", json: .object(body))
    }

    /// Creates a page in a database whose title property is `Name` (the seed's call). Not retried
    /// on 5xx (not idempotent).
    public func createPage(inDatabase databaseID: String, title: String) async throws -> Page {
        try await createPage(in: .database(databaseID), properties: ["Name": .title(title)])
    }

    /// Changes a page's properties (only those named), icon or cover, or moves it to the trash and
    /// back (`PATCH /v1/pages/{id}`).
    public func updatePage(
        id: String,
        properties: [String: PropertyValue],
        inTrash: Bool? = nil,
        icon: JSONValue? = nil,
        cover: JSONValue? = nil
    ) async throws -> Page {
        var body: [String: JSONValue] = [:]
        if !properties.isEmpty { body["properties"] = .object(properties.mapValues(\.json)) }
        if let inTrash { body["in_trash"] = .bool(inTrash) }
        if let icon { body["icon"] = icon }
        if let cover { body["cover"] = cover }
        return try await request("PATCH", "pages/\(try Self.pathID(id))", json: .object(body))
    }

    /// Renames or archives a page (`PATCH /v1/pages/{id}`; `archived` is the pre-2026 name of `in_trash`).
    public func updatePage(id: String, title: String? = nil, archived: Bool? = nil) async throws -> Page {
        var body: [String: JSONValue] = [:]
        if let title { body["properties"] = ["title": PropertyValue.title(title).json] }
        if let archived { body["archived"] = .bool(archived) }
        return try await request("PATCH", "pages/\(try Self.pathID(id))", json: .object(body))
    }

    /// One property of a page (`GET /v1/pages/{id}/properties/{property_id}`): its value, or for a
    /// title, rich text, relation or people property a page of items with a cursor. `propertyID` as
    /// the API returns it (`title`, `%3AUPp`).
    public func pageProperty(
        pageID: String,
        propertyID: String,
        startCursor: String? = nil,
        pageSize: Int? = nil
    ) async throws -> PropertyItems {
        try await request(
            "GET",
            "pages/\(try Self.pathID(pageID))/properties/\(try Self.pathPropertyID(propertyID))",
            query: Self.paging(startCursor, pageSize)
        )
    }
}
