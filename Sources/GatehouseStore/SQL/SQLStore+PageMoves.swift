import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit

/// ``DataSourceStore/movePage(_:from:to:into:by:at:reference:)``: a page to a new parent page or
/// data source.
extension SQLStore {
    @discardableResult
    public func movePage(
        _ id: String,
        from expected: PageParent,
        to parent: PageParent,
        into dataSource: DataSourceRecord?,
        by editor: String,
        at time: Date,
        reference: BlockAppendTarget?
    ) async throws -> WrittenPage {
        let engine = self.engine
        return try await transaction { database in
            // Moves of a workspace queue on its mirroring lock, taken first as by every write of
            // two-way relations: two crossed moves cannot both pass the check below.
            guard
                let workspaceID = try await database.raw("SELECT workspace_id FROM pages WHERE id = \(bind: id)")
                    .first()?.decode(column: "workspace_id", as: String.self)
            else { throw StoreError(.notFound, "page \(id)") }
            try await Self.takeMirroringLock(of: workspaceID, in: database)
            // Then the page's row, locked: the move is made from the page as stored now.
            guard
                let row = try await database.raw("UPDATE pages SET title = title WHERE id = \(bind: id) RETURNING *")
                    .first()
            else { throw StoreError(.notFound, "page \(id)") }
            let stored = try Self.page(row)
            guard stored.parent == expected, !stored.archived else {
                throw StoreError(.conflict, "page \(id) moved or was trashed meanwhile")
            }
            if try await Self.lies(parent, under: id, in: database) {
                throw StoreError(.conflict, "the new parent of page \(id) moved under it meanwhile")
            }
            var leaving: DataSourceRecord?
            if case .database(let sourceID) = expected,
                let row = try await database.raw("SELECT * FROM data_sources WHERE id = \(bind: sourceID)").first()
            {
                leaving = try Self.dataSource(row)
            }
            let oldSchema = leaving?.schema ?? PropertyValueParser.pageParentSchema
            var page = try Self.storedPage(row, titleID: oldSchema.title?.id ?? "title")
            let previous = page.properties.values
            page.properties.values = PageMove.values(
                previous,
                from: oldSchema,
                to: dataSource?.schema ?? PropertyValueParser.pageParentSchema
            )
            page.record.parent = parent
            page.record.lastEditedBy = editor
            page.record.lastEditedAt = time
            page.properties.metadata.lastEditedBy = editor
            page.properties.metadata.lastEditedTime = time.epochMilliseconds
            page.properties.metadata.uniqueNumber = nil
            var written = WrittenPage(page: page, dataSource: dataSource)
            if let dataSource {
                // As for a new page: reconciled with the stored schema, numbered when it has a `unique_id`.
                var mirroringLocked = true
                written = try await Self.reconcile(
                    page,
                    create: true,
                    with: dataSource,
                    mirroringLocked: &mirroringLocked,
                    in: database
                )
            }
            let moved = written.page
            let (parentType, parentID) = Self.columns(of: moved.record.parent)
            try await database.raw(
                """
                UPDATE pages SET parent_type = \(bind: parentType), parent_id = \(bind: parentID),
                    properties = \(bind: try StoredJSON.text(moved.properties.values)),
                    unique_number = \(bind: moved.properties.metadata.uniqueNumber),
                    last_edited_by = \(bind: editor), last_edited_at = \(bind: time.epochMilliseconds)
                WHERE id = \(bind: id)
                """
            ).run()
            // Its `child_page` block leaves the page or block it was under (which, if a block,
            // may have no child left).
            let parentBlock = try await Self.lockParentBlock(of: id, engine: engine, in: database)
            try await database.raw("DELETE FROM blocks WHERE id = \(bind: id)").run()
            if let parentBlock { try await Self.updateHasChildren(of: parentBlock, in: database) }
            if let reference {
                _ = try await Self.appendChildReference(
                    id: id,
                    content: .childPage(title: moved.record.title),
                    to: reference,
                    engine: engine,
                    in: database
                )
            }
            if let dataSource = written.dataSource {
                try await Self.writeIndex(of: moved, dataSource: dataSource, in: database)
            } else {
                try await database.raw("DELETE FROM page_index WHERE page_id = \(bind: id)").run()
                try await database.raw("DELETE FROM page_sort_keys WHERE page_id = \(bind: id)").run()
            }
            // The links it held in two-way relations of the data source it leaves go; those it
            // carries into one are made on the other side.
            if let leaving {
                try await Self.mirror(
                    DualRelations.mirrors(in: leaving.schema, from: previous, to: [:]),
                    of: id,
                    in: database
                )
            }
            if let entered = written.dataSource {
                try await Self.mirror(
                    DualRelations.mirrors(in: entered.schema, from: [:], to: moved.properties.values),
                    of: id,
                    in: database
                )
            }
            return written
        }
    }

    /// Whether `parent` is the page `pageID` or lies under it (walked up through pages, blocks,
    /// data sources and databases).
    static func lies(_ parent: PageParent, under pageID: String, in database: any SQLDatabase) async throws -> Bool {
        var node: (kind: String, id: String)
        switch parent {
        case .workspace: return false
        case .page(let id): node = ("page", id)
        case .database(let id): node = ("source", id)
        }
        for _ in 0..<64 {
            if node.kind == "page", node.id == pageID { return true }
            let query: SQLQueryString
            switch node.kind {
            case "page": query = "SELECT parent_type AS kind, parent_id AS id FROM pages WHERE id = \(bind: node.id)"
            case "block": query = "SELECT parent_type AS kind, parent_id AS id FROM blocks WHERE id = \(bind: node.id)"
            case "source":
                query = "SELECT 'database' AS kind, database_id AS id FROM data_sources WHERE id = \(bind: node.id)"
            case "database":
                query = "SELECT 'page' AS kind, parent_page_id AS id FROM databases WHERE id = \(bind: node.id)"
            default: return false
            }
            guard let row = try await database.raw(query).first(),
                let id = try row.decode(column: "id", as: String?.self)
            else { return false }
            let kind = try row.decode(column: "kind", as: String.self)
            node = (kind == "database" && node.kind == "page" ? "source" : kind, id)
        }
        return false
    }
}
