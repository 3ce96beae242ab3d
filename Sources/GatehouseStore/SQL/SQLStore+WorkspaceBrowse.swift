import Foundation
import GatehouseCore
import SQLKit

/// ``WorkspaceBrowseStore``: indexed range reads by parent (`pages_browse`, `pages_query`,
/// `databases_browse`, `comments_page`).
extension SQLStore {
    public func childPages(
        workspaceID: String,
        parentPageID: String?,
        offset: Int,
        limit: Int
    ) async throws -> [PageRecord] {
        let parent: SQLQueryString =
            if let parentPageID {
                "parent_type = 'page' AND parent_id = \(bind: parentPageID)"
            } else {
                "parent_type = 'workspace' AND parent_id IS NULL"
            }
        return try await read { database in
            try await database.raw(
                "SELECT * FROM pages WHERE workspace_id = \(bind: workspaceID) AND " + parent
                    + " ORDER BY created_at, id LIMIT \(bind: limit) OFFSET \(bind: offset)"
            ).all().map(Self.page)
        }
    }

    public func childDatabases(
        workspaceID: String,
        parentPageID: String?,
        limit: Int
    ) async throws -> [DatabaseRecord] {
        let parent: SQLQueryString =
            if let parentPageID { "parent_page_id = \(bind: parentPageID)" } else { "parent_page_id IS NULL" }
        return try await read { database in
            try await database.raw(
                "SELECT * FROM databases WHERE workspace_id = \(bind: workspaceID) AND " + parent
                    + " ORDER BY created_at, id LIMIT \(bind: limit)"
            ).all().map(Self.databaseRecord)
        }
    }

    public func pageTitles(workspaceID: String, ids: Set<String>) async throws -> [String: String] {
        let wanted = Array(ids.sorted().prefix(1_000))
        guard !wanted.isEmpty else { return [:] }
        return try await read { database in
            var titles: [String: String] = [:]
            for row in try await database.raw(
                "SELECT id, title FROM pages WHERE workspace_id = \(bind: workspaceID) AND id IN (\(binds: wanted))"
            ).all() {
                titles[try row.decode(column: "id", as: String.self)] = try row.decode(column: "title", as: String.self)
            }
            return titles
        }
    }

    public func comments(pageID: String, limit: Int) async throws -> [CommentRecord] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM comments WHERE page_id = \(bind: pageID) ORDER BY created_at, id LIMIT \(bind: limit)"
            ).all().map(Self.commentRecord)
        }
    }
}
