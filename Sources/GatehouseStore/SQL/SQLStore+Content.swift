import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit

/// ``ContentStore``: databases, pages and sharing.
extension SQLStore {
    public func createDatabase(_ record: DatabaseRecord) async throws {
        try await createDatabase(record, schema: DataSourceDefaults.titleOnlySchema)
    }

    public func database(id: String) async throws -> DatabaseRecord? {
        try await read { database in
            try await database.raw("SELECT * FROM databases WHERE id = \(bind: id)").first().map(Self.databaseRecord)
        }
    }

    public func databases(workspaceID: String) async throws -> [DatabaseRecord] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM databases WHERE workspace_id = \(bind: workspaceID) ORDER BY created_at, id"
            ).all().map(Self.databaseRecord)
        }
    }

    /// Inserts a page with its title as its only value (and, in a data source, its index rows).
    public func createPage(_ page: PageRecord) async throws {
        var dataSource: DataSourceRecord?
        if case .database(let id) = page.parent { dataSource = try await self.dataSource(id: id) }
        let titleID = dataSource?.schema.title?.id ?? "title"
        let values: [String: PropertyValue] =
            page.title.isEmpty ? [:] : [titleID: .title(RichText([.text(page.title)]))]
        let metadata = PageMetadata(
            createdTime: page.createdAt.epochMilliseconds,
            lastEditedTime: page.lastEditedAt.epochMilliseconds,
            createdBy: page.createdBy,
            lastEditedBy: page.lastEditedBy
        )
        try await writePage(
            StoredPage(record: page, properties: PageProperties(values: values, metadata: metadata)),
            create: true,
            dataSource: dataSource
        )
    }

    public func page(id: String) async throws -> PageRecord? {
        try await read { database in
            try await database.raw("SELECT * FROM pages WHERE id = \(bind: id)").first().map(Self.page)
        }
    }

    public func updatePage(_ page: PageRecord) async throws {
        let engine = self.engine
        try await transaction { database in
            try await database.raw(
                """
                UPDATE pages SET title = \(bind: page.title), archived_at = \(bind: page.archived ? page.lastEditedAt.epochMilliseconds : nil),
                    last_edited_by = \(bind: page.lastEditedBy), last_edited_at = \(bind: page.lastEditedAt.epochMilliseconds)
                WHERE id = \(bind: page.id)
                """
            ).run()
            try await Self.pageTrashed(page, engine: engine, in: database)
        }
    }

    public func setPageTrash(
        id: String,
        _ inTrash: Bool,
        by editor: String,
        at time: Date
    ) async throws
        -> PageTrashChange?
    {
        let engine = self.engine
        return try await transaction { database in
            // The row locked and its flag read first, so racing calls see each other's change.
            guard
                let before = try await database.raw(
                    "UPDATE pages SET archived_at = archived_at WHERE id = \(bind: id) RETURNING archived_at"
                ).first()
            else { return nil }
            let wasInTrash = try before.decode(column: "archived_at", as: Int64?.self) != nil
            // A page trashed meanwhile keeps the moment it went to the trash.
            let trash: SQLQueryString =
                inTrash ? "archived_at = COALESCE(archived_at, \(bind: time.epochMilliseconds))" : "archived_at = NULL"
            guard
                let page = try await database.raw(
                    "UPDATE pages SET " + trash
                        + ", last_edited_by = \(bind: editor), last_edited_at = \(bind: time.epochMilliseconds) WHERE id = \(bind: id) RETURNING *"
                ).first().map(Self.page)
            else { return nil }
            try await Self.pageTrashed(page, engine: engine, in: database)
            return PageTrashChange(page: page, changed: wasInTrash != inTrash)
        }
    }

    /// What follows a page's trash flag or last edit: its `child_page` block goes to the trash
    /// with it (or comes back), and a page of a data source is indexed again (filters and sorts
    /// read its last edit).
    private static func pageTrashed(
        _ page: PageRecord,
        engine: any SQLEngine,
        in database: any SQLDatabase
    ) async throws {
        try await trashReference(ofPage: page.id, page.archived, engine: engine, in: database)
        guard case .database(let dataSourceID) = page.parent,
            let source = try await database.raw("SELECT * FROM data_sources WHERE id = \(bind: dataSourceID)")
                .first().map(Self.dataSource),
            let row = try await database.raw("SELECT * FROM pages WHERE id = \(bind: page.id)").first()
        else { return }
        let stored = try storedPage(row, titleID: source.schema.title?.id ?? "title")
        try await writeIndex(of: stored, dataSource: source, in: database)
    }

    public func pages(workspaceID: String) async throws -> [PageRecord] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM pages WHERE workspace_id = \(bind: workspaceID) ORDER BY created_at, id"
            )
            .all().map(Self.page)
        }
    }

    public func pages(databaseID: String) async throws -> [PageRecord] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM pages WHERE parent_type = 'database' AND parent_id = \(bind: databaseID) ORDER BY created_at, id"
            ).all().map(Self.page)
        }
    }

    public func setShare(
        integrationID: String,
        resourceID: String,
        resourceType: String,
        remove: Bool,
        at time: Date
    ) async throws {
        try await transaction { database in
            // Locking the integration's row first orders this after a concurrent delete of the
            // integration (then it is not found) instead of failing on its foreign key.
            guard
                let row = try await database.raw(
                    "UPDATE integrations SET name = name WHERE id = \(bind: integrationID) RETURNING workspace_id"
                ).first()
            else { throw StoreError(.notFound, "no integration with id \(integrationID)") }
            let workspaceID = try row.decode(column: "workspace_id", as: String.self)
            if remove {
                try await database.raw(
                    "DELETE FROM shares WHERE integration_id = \(bind: integrationID) AND resource_id = \(bind: resourceID)"
                ).run()
            } else {
                try await database.raw(
                    """
                    INSERT INTO shares (integration_id, resource_id, resource_type, created_at)
                    VALUES (\(bind: integrationID), \(bind: resourceID), \(bind: resourceType), \(bind: time.epochMilliseconds))
                    ON CONFLICT DO NOTHING
                    """
                ).run()
            }
            try await self.recordChange(
                database,
                .integrationChanged,
                workspaceID: workspaceID,
                integrationID: integrationID,
                at: time
            )
        }
    }

    public func shares(integrationIDs: [String]) async throws -> [String: Set<String>] {
        guard !integrationIDs.isEmpty else { return [:] }
        return try await read { database in
            var shares: [String: Set<String>] = [:]
            for row in try await database.raw(
                "SELECT integration_id, resource_id FROM shares WHERE integration_id IN (\(binds: integrationIDs))"
            ).all() {
                shares[try row.decode(column: "integration_id", as: String.self), default: []].insert(
                    try row.decode(column: "resource_id", as: String.self)
                )
            }
            return shares
        }
    }

    public func shares(integrationID: String) async throws -> Set<String> {
        try await read { database in
            Set(
                try await database.raw("SELECT resource_id FROM shares WHERE integration_id = \(bind: integrationID)")
                    .all().map { try $0.decode(column: "resource_id", as: String.self) }
            )
        }
    }

    public func ancestry(
        of kind: ContentNodeKind,
        id: String,
        sharedWith integrationID: String?
    ) async throws -> [ContentAncestor] {
        // One recursive walk: each step finds a node in its kind's table, reports it (its trash,
        // whether it exists) and names its parent, the next step's node (a page whose parent is a
        // database names a data source: `parent_id` holds one). A step that names no parent (the
        // top, or a node not found) ends the walk.
        // The first step's text takes the columns' collation: a recursive query's columns keep one.
        let collation = engine.byteOrderCollation
        return try await read { database in
            try await database.raw(
                """
                WITH RECURSIVE up(depth, kind, id, node_kind, node_id, node_trashed, node_found) AS (
                    SELECT 0, CAST(\(bind: kind.rawValue) AS TEXT)\(unsafeRaw: collation),
                        CAST(\(bind: id) AS TEXT)\(unsafeRaw: collation),
                        CAST(NULL AS TEXT)\(unsafeRaw: collation), CAST(NULL AS TEXT)\(unsafeRaw: collation), 0, 0
                    UNION ALL
                    SELECT up.depth + 1,
                        CASE up.kind
                            WHEN 'block' THEN b.parent_type
                            WHEN 'page' THEN CASE p.parent_type WHEN 'database' THEN 'source' ELSE p.parent_type END
                            WHEN 'source' THEN 'database'
                            ELSE 'page'
                        END,
                        COALESCE(b.parent_id, p.parent_id, s.database_id, d.parent_page_id),
                        up.kind,
                        up.id,
                        CASE WHEN b.in_trash OR p.archived_at IS NOT NULL OR s.trashed_at IS NOT NULL THEN 1 ELSE 0 END,
                        CASE WHEN COALESCE(b.id, p.id, s.id, d.id) IS NULL THEN 0 ELSE 1 END
                    FROM up
                    LEFT JOIN blocks b ON up.kind = 'block' AND b.id = up.id
                    LEFT JOIN pages p ON up.kind = 'page' AND p.id = up.id
                    LEFT JOIN data_sources s ON up.kind = 'source' AND s.id = up.id
                    LEFT JOIN databases d ON up.kind = 'database' AND d.id = up.id
                    WHERE up.id IS NOT NULL AND up.depth < 64
                )
                SELECT node_kind AS kind, node_id AS id, node_trashed AS trashed,
                    CASE WHEN EXISTS (
                        SELECT 1 FROM shares sh
                        WHERE sh.integration_id = \(bind: integrationID ?? "") AND sh.resource_id = up.node_id
                    ) THEN 1 ELSE 0 END AS shared
                FROM up
                WHERE node_found = 1
                ORDER BY depth
                """
            ).all().compactMap { row in
                guard let kind = ContentNodeKind(rawValue: try row.decode(column: "kind", as: String.self)) else {
                    return nil
                }
                return ContentAncestor(
                    kind: kind,
                    id: try row.decode(column: "id", as: String.self),
                    inTrash: try row.decode(column: "trashed", as: Int.self) != 0,
                    shared: try row.decode(column: "shared", as: Int.self) != 0
                )
            }
        }
    }

    static func columns(of parent: PageParent) -> (String, String?) {
        switch parent {
        case .workspace: ("workspace", nil)
        case .database(let id): ("database", id)
        case .page(let id): ("page", id)
        }
    }

    static func databaseRecord(_ row: any SQLRow) throws -> DatabaseRecord {
        DatabaseRecord(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            title: try row.decode(column: "title", as: String.self),
            parentPageID: try row.decode(column: "parent_page_id", as: String?.self),
            createdAt: try date(row, "created_at"),
            lastEditedAt: try date(row, "last_edited_at"),
            createdBy: try row.decode(column: "created_by", as: String?.self),
            lastEditedBy: try row.decode(column: "last_edited_by", as: String?.self)
        )
    }

    static func page(_ row: any SQLRow) throws -> PageRecord {
        let parentID = try row.decode(column: "parent_id", as: String?.self)
        let parent: PageParent
        switch (try row.decode(column: "parent_type", as: String.self), parentID) {
        case ("database", .some(let id)): parent = .database(id)
        case ("page", .some(let id)): parent = .page(id)
        default: parent = .workspace
        }
        return PageRecord(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            title: try row.decode(column: "title", as: String.self),
            parent: parent,
            archived: try row.decode(column: "archived_at", as: Int64?.self) != nil,
            createdBy: try row.decode(column: "created_by", as: String.self),
            lastEditedBy: try row.decode(column: "last_edited_by", as: String.self),
            createdAt: try date(row, "created_at"),
            lastEditedAt: try date(row, "last_edited_at"),
            icon: try row.decode(column: "icon", as: String?.self).map { try StoredJSON.decode(Icon.self, from: $0) },
            cover: try row.decode(column: "cover", as: String?.self).map(PageCover.init(stored:))
        )
    }
}
