import Foundation

extension NotionClient {
    // MARK: Data sources (Notion-Version 2025-09-03 on)

    /// Adds a data source to a database (`POST /v1/data_sources`); `properties` is its schema
    /// (`["Name": ["title": [:]], "Tags": ["multi_select": ["options": []]]]`). Not retried on 5xx.
    public func createDataSource(
        inDatabase databaseID: String,
        title: [RichText]? = nil,
        properties: [String: JSONValue],
        icon: JSONValue? = nil
    ) async throws -> DataSource {
        var body: [String: JSONValue] = [
            "parent": ["type": "database_id", "database_id": .string(databaseID)],
            "properties": .object(properties),
        ]
        if let title { body["title"] = title.json }
        if let icon { body["icon"] = icon }
        return try await request("POST", "data_sources", json: .object(body))
    }

    /// A data source with its schema (`GET /v1/data_sources/{id}`).
    public func dataSource(id: String) async throws -> DataSource {
        try await request("GET", "data_sources/\(try Self.pathID(id))")
    }

    /// Renames a data source, changes its schema or trashes it (`PATCH /v1/data_sources/{id}`).
    /// In `properties`, a property's new configuration (`["Done": ["checkbox": [:]]]`), a new name
    /// (`["Done": ["name": "Finished"]]`), or `nil` to remove it; `nil` arguments are left as they are.
    public func updateDataSource(
        id: String,
        title: [RichText]? = nil,
        properties: [String: JSONValue]? = nil,
        inTrash: Bool? = nil,
        icon: JSONValue? = nil
    ) async throws -> DataSource {
        var body: [String: JSONValue] = [:]
        if let title { body["title"] = title.json }
        if let properties { body["properties"] = .object(properties) }
        if let inTrash { body["in_trash"] = .bool(inTrash) }
        if let icon { body["icon"] = icon }
        return try await request("PATCH", "data_sources/\(try Self.pathID(id))", json: .object(body))
    }

    /// The pages (rows) of a data source (`POST /v1/data_sources/{id}/query`): `filter` as the API
    /// takes it (`["property": "Done", "checkbox": ["equals": false]]`, or `["and": [...]]`), sorts
    /// in order, and `filterProperties` (property ids) to return only those properties. Read-only,
    /// so retried like a GET.
    public func queryDataSource(
        id: String,
        filter: JSONValue? = nil,
        sorts: [QuerySort] = [],
        startCursor: String? = nil,
        pageSize: Int? = nil,
        filterProperties: [String] = [],
        inTrash: Bool? = nil
    ) async throws -> ListResponse<Page> {
        try await request(
            "POST",
            "data_sources/\(try Self.pathID(id))/query",
            query: Self.filterProperties(filterProperties),
            json: Self.queryBody(
                filter: filter,
                sorts: sorts,
                startCursor: startCursor,
                pageSize: pageSize,
                inTrash: inTrash
            ),
            idempotent: true
        )
    }

    /// The template pages of a data source (`GET /v1/data_sources/{id}/templates`), optionally
    /// those whose name contains `name`.
    public func dataSourceTemplates(
        id: String,
        name: String? = nil,
        startCursor: String? = nil,
        pageSize: Int? = nil
    ) async throws -> DataSourceTemplates {
        var query = name.map { [URLQueryItem(name: "name", value: $0)] } ?? []
        query += Self.paging(startCursor, pageSize)
        return try await request("GET", "data_sources/\(try Self.pathID(id))/templates", query: query)
    }

    /// `filter_properties` query items, one per id, each sent decoded (the query encodes it once).
    static func filterProperties(_ ids: [String]) -> [URLQueryItem] {
        ids.map { URLQueryItem(name: "filter_properties", value: $0.removingPercentEncoding ?? $0) }
    }
}
