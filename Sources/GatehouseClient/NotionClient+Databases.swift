import Foundation

extension NotionClient {
    // MARK: Databases

    /// Creates a database with its first data source (`POST /v1/databases`, 2025-09-03 on):
    /// `properties` is that data source's schema (`["Name": ["title": [:]], "Done": ["checkbox": [:]]]`).
    /// Not retried on 5xx (not idempotent).
    public func createDatabase(
        under parent: Parent,
        title: [RichText],
        properties: [String: JSONValue],
        description: [RichText]? = nil,
        isInline: Bool? = nil,
        icon: JSONValue? = nil,
        cover: JSONValue? = nil
    ) async throws -> Database {
        var body: [String: JSONValue] = [
            "parent": parent.json,
            "title": title.json,
            "initial_data_source": ["properties": .object(properties)],
        ]
        if let description { body["description"] = description.json }
        if let isInline { body["is_inline"] = .bool(isInline) }
        if let icon { body["icon"] = icon }
        if let cover { body["cover"] = cover }
        return try await request("POST", "databases", json: .object(body))
    }

    /// A database: its data sources from 2025-09-03, its schema before (`GET /v1/databases/{id}`).
    public func database(id: String) async throws -> Database {
        try await request("GET", "databases/\(try Self.pathID(id))")
    }

    /// Renames, moves, locks or trashes a database (`PATCH /v1/databases/{id}`); `nil` leaves a
    /// member as it is. The schema is changed on the data source (``updateDataSource(id:title:properties:inTrash:icon:)``).
    public func updateDatabase(
        id: String,
        title: [RichText]? = nil,
        description: [RichText]? = nil,
        parent: Parent? = nil,
        isInline: Bool? = nil,
        isLocked: Bool? = nil,
        inTrash: Bool? = nil,
        icon: JSONValue? = nil,
        cover: JSONValue? = nil
    ) async throws -> Database {
        var body: [String: JSONValue] = [:]
        if let title { body["title"] = title.json }
        if let description { body["description"] = description.json }
        if let parent { body["parent"] = parent.json }
        if let isInline { body["is_inline"] = .bool(isInline) }
        if let isLocked { body["is_locked"] = .bool(isLocked) }
        if let inTrash { body["in_trash"] = .bool(inTrash) }
        if let icon { body["icon"] = icon }
        if let cover { body["cover"] = cover }
        return try await request("PATCH", "databases/\(try Self.pathID(id))", json: .object(body))
    }

    /// The databases shared with the integration (`GET /v1/databases`, the seed's test call;
    /// Gatehouse answers it, Notion has deprecated it: use ``search(query:filter:startCursor:pageSize:)``).
    public func databases(startCursor: String? = nil, pageSize: Int? = nil) async throws -> ListResponse<Database> {
        try await request("GET", "databases", query: Self.paging(startCursor, pageSize))
    }

    /// The pages (rows) of a database, before 2025-09-03 (`POST /v1/databases/{id}/query`); from
    /// 2025-09-03 on, query its data source with ``queryDataSource(id:filter:sorts:startCursor:pageSize:filterProperties:inTrash:)``.
    public func queryDatabase(
        id: String,
        filter: JSONValue? = nil,
        sorts: [QuerySort] = [],
        startCursor: String? = nil,
        pageSize: Int? = nil
    ) async throws -> ListResponse<Page> {
        try await request(
            "POST",
            "databases/\(try Self.pathID(id))/query",
            json: Self.queryBody(filter: filter, sorts: sorts, startCursor: startCursor, pageSize: pageSize),
            idempotent: true
        )
    }

    static func queryBody(
        filter: JSONValue?,
        sorts: [QuerySort],
        startCursor: String?,
        pageSize: Int?,
        inTrash: Bool? = nil
    ) -> JSONValue {
        var body: [String: JSONValue] = [:]
        if let filter { body["filter"] = filter }
        if !sorts.isEmpty { body["sorts"] = .array(sorts.map(\.json)) }
        if let inTrash { body["in_trash"] = .bool(inTrash) }
        addPaging(&body, startCursor, pageSize)
        return .object(body)
    }
}
