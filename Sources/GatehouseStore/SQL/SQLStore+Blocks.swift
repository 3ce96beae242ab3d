import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit

/// ``BlockStore``: blocks in one table, ordered among siblings by an integer key.
extension SQLStore {
    static let blockColumns = [
        "id", "workspace_id", "parent_type", "parent_id", "page_id", "position", "type", "content", "has_children",
        "in_trash", "created_by", "last_edited_by", "created_at", "last_edited_at",
    ]

    /// Rows per `INSERT`, well under both engines' limit on bound parameters.
    static let blockInsertBatch = 200

    public func block(id: String) async throws -> BlockRecord? {
        try await read { database in
            try await database.raw("SELECT * FROM blocks WHERE id = \(bind: id)").first().map(Self.blockRecord)
        }
    }

    public func children(of parentID: String, startCursor: String?, pageSize: Int) async throws -> BlockChildrenPage {
        let limit = max(1, pageSize)
        return try await read { database in
            let rows: [any SQLRow]
            if let startCursor {
                // The cursor's position is read in the same statement: `position >=` lets the index
                // seek to it, the OR keeps ties in order. No row may mean no such cursor.
                let position: SQLQueryString =
                    "(SELECT position FROM blocks WHERE id = \(bind: startCursor) AND parent_id = \(bind: parentID))"
                rows = try await database.raw(
                    """
                    SELECT * FROM blocks
                    WHERE parent_id = \(bind: parentID) AND in_trash = \(bind: false)
                      AND position >= \(position)
                      AND (position > \(position) OR id >= \(bind: startCursor))
                    ORDER BY position, id LIMIT \(bind: limit + 1)
                    """
                ).all()
                if rows.isEmpty,
                    try await database.raw(
                        "SELECT 1 AS found FROM blocks WHERE id = \(bind: startCursor) AND parent_id = \(bind: parentID)"
                    ).first() == nil
                {
                    throw StoreError(.notFound, "start_cursor is not a child of the block")
                }
            } else {
                rows = try await database.raw(
                    """
                    SELECT * FROM blocks WHERE parent_id = \(bind: parentID) AND in_trash = \(bind: false)
                    ORDER BY position, id LIMIT \(bind: limit + 1)
                    """
                ).all()
            }
            var blocks = try rows.map(Self.blockRecord)
            var next: String?
            if blocks.count > limit {
                next = blocks[limit].id
                blocks.removeLast(blocks.count - limit)
            }
            return BlockChildrenPage(blocks: blocks, nextCursor: next)
        }
    }

    public func appendBlocks(
        _ drafts: [BlockDraft],
        to target: BlockAppendTarget,
        at position: AppendPosition
    ) async throws -> [BlockRecord] {
        guard !drafts.isEmpty else { return [] }
        let engine = self.engine
        return try await transaction { database in
            // Appends to one parent run one after another: each reads the keys the last one wrote.
            try await engine.lockForInstallation("blocks:\(target.parentID)", in: database)
            let placement = try await Self.placement(inserting: drafts.count, at: position, under: target, in: database)
            for (id, key) in placement.renumbered {
                try await database.raw("UPDATE blocks SET position = \(bind: key) WHERE id = \(bind: id)").run()
            }
            let rows = drafts.flattened(under: target.parent, positions: placement.positions) {
                UUID().uuidString.lowercased()
            }
            let records = rows.map { row in
                BlockRecord(
                    id: row.id,
                    workspaceID: target.workspaceID,
                    parent: row.parent,
                    pageID: target.pageID,
                    position: row.position,
                    content: row.content,
                    hasChildren: row.hasChildren,
                    createdBy: target.userID,
                    lastEditedBy: target.userID,
                    createdAt: target.time,
                    lastEditedAt: target.time
                )
            }
            try await Self.insert(records, into: database)
            if case .block(let parentID) = target.parent {
                try await database.raw(
                    "UPDATE blocks SET has_children = \(bind: true) WHERE id = \(bind: parentID) AND has_children = \(bind: false)"
                ).run()
            }
            return records
        }
    }

    public func updateBlock(
        id: String,
        content: BlockContent,
        inTrash: Bool?,
        by userID: String,
        at time: Date
    ) async throws -> BlockRecord? {
        let json = try Self.contentJSON(content)
        let engine = self.engine
        return try await transaction { database in
            // A move to or out of the trash changes the parent's `has_children`: its lock first,
            // as an append to it takes it before it renumbers (and so row-locks) the siblings.
            let parentBlock =
                inTrash == nil ? nil : try await Self.lockParentBlock(of: id, engine: engine, in: database)
            let row: (any SQLRow)?
            if let inTrash {
                row = try await database.raw(
                    """
                    UPDATE blocks SET content = \(bind: json), in_trash = \(bind: inTrash),
                        last_edited_by = \(bind: userID), last_edited_at = \(bind: time.epochMilliseconds)
                    WHERE id = \(bind: id) RETURNING *
                    """
                ).first()
            } else {
                row = try await database.raw(
                    """
                    UPDATE blocks SET content = \(bind: json),
                        last_edited_by = \(bind: userID), last_edited_at = \(bind: time.epochMilliseconds)
                    WHERE id = \(bind: id) RETURNING *
                    """
                ).first()
            }
            guard let row else { return nil }
            var record = try Self.blockRecord(row)
            if inTrash != nil {
                if let parentBlock { try await Self.updateHasChildren(of: parentBlock, in: database) }
                // Its children stay where they are when it moves: read its own flag back afresh.
                record.hasChildren = try await Self.hasLiveChildren(record.id, in: database)
            }
            return record
        }
    }

    /// The parent block of block `id`, if its parent is a block, once the lock appends to that
    /// parent take is held (``lockParentBlock(of:engine:in:)`` before any row of its children is
    /// written: an append holding it may be renumbering them).
    static func lockParentBlock(
        of id: String,
        engine: any SQLEngine,
        in database: any SQLDatabase
    ) async throws
        -> String?
    {
        guard
            let row = try await database.raw("SELECT parent_type, parent_id FROM blocks WHERE id = \(bind: id)")
                .first(),
            try row.decode(column: "parent_type", as: String.self) == "block"
        else { return nil }
        let parentID = try row.decode(column: "parent_id", as: String.self)
        try await engine.lockForInstallation("blocks:\(parentID)", in: database)
        return parentID
    }

    /// Sets the block's `has_children` to whether any child of it is out of the trash: a toggle
    /// whose only child was deleted has none, as the API answers. The caller holds the block's
    /// append lock (``lockParentBlock(of:engine:in:)``), so an append cannot commit in between.
    static func updateHasChildren(of blockID: String, in database: any SQLDatabase) async throws {
        let live = try await hasLiveChildren(blockID, in: database)
        try await database.raw("UPDATE blocks SET has_children = \(bind: live) WHERE id = \(bind: blockID)").run()
    }

    /// Whether any child of the block (or page) `id` is out of the trash.
    static func hasLiveChildren(_ id: String, in database: any SQLDatabase) async throws -> Bool {
        try await database.raw(
            "SELECT 1 AS found FROM blocks WHERE parent_id = \(bind: id) AND in_trash = \(bind: false) LIMIT 1"
        ).first() != nil
    }

    /// A page moved to or out of the trash takes its `child_page` block in its parent along, so
    /// that its parent's children list it only while it is live.
    static func trashReference(
        ofPage pageID: String,
        _ inTrash: Bool,
        engine: any SQLEngine,
        in database: any SQLDatabase
    ) async throws {
        let parentBlock = try await lockParentBlock(of: pageID, engine: engine, in: database)
        let moved = try await database.raw(
            """
            UPDATE blocks SET in_trash = \(bind: inTrash)
            WHERE id = \(bind: pageID) AND in_trash <> \(bind: inTrash) RETURNING id
            """
        ).first()
        if moved != nil, let parentBlock { try await updateHasChildren(of: parentBlock, in: database) }
    }

    @discardableResult
    public func appendChildReference(
        id: String,
        content: BlockContent,
        to target: BlockAppendTarget
    ) async throws
        -> BlockRecord
    {
        let engine = self.engine
        return try await mapUnique("block \(id)") {
            try await transaction { database in
                try await Self.appendChildReference(id: id, content: content, to: target, engine: engine, in: database)
            }
        }
    }

    /// ``appendChildReference(id:content:to:)`` inside the caller's transaction.
    static func appendChildReference(
        id: String,
        content: BlockContent,
        to target: BlockAppendTarget,
        engine: any SQLEngine,
        in database: any SQLDatabase
    ) async throws -> BlockRecord {
        try await engine.lockForInstallation("blocks:\(target.parentID)", in: database)
        let placement = try await placement(inserting: 1, at: .end, under: target, in: database)
        let record = BlockRecord(
            id: id,
            workspaceID: target.workspaceID,
            parent: target.parent,
            pageID: target.pageID,
            position: placement.positions[0],
            content: content,
            createdBy: target.userID,
            lastEditedBy: target.userID,
            createdAt: target.time,
            lastEditedAt: target.time
        )
        try await insert([record], into: database)
        return record
    }

    /// The keys for `count` new children of the target's parent: read from the one or two
    /// siblings that bound the spot, and from every sibling only when the gap there is used up
    /// and the placement renumbers them.
    private static func placement(
        inserting count: Int,
        at position: AppendPosition,
        under target: BlockAppendTarget,
        in database: any SQLDatabase
    ) async throws -> SiblingOrder.Placement {
        let parentID = target.parentID
        func keys(_ query: SQLQueryString) async throws -> [(id: String, position: Int64)] {
            try await database.raw(query).all().map {
                (try $0.decode(column: "id", as: String.self), try $0.decode(column: "position", as: Int64.self))
            }
        }
        var bounds: [(id: String, position: Int64)]
        switch position {
        case .end:
            bounds = try await keys(
                "SELECT id, position FROM blocks WHERE parent_id = \(bind: parentID) ORDER BY position DESC, id DESC LIMIT 1"
            )
        case .start:
            bounds = try await keys(
                "SELECT id, position FROM blocks WHERE parent_id = \(bind: parentID) ORDER BY position, id LIMIT 1"
            )
        case .afterBlock(let id, _):
            bounds = try await keys(
                "SELECT id, position FROM blocks WHERE parent_id = \(bind: parentID) AND id = \(bind: id)"
            )
            if let after = bounds.first {
                bounds += try await keys(
                    """
                    SELECT id, position FROM blocks
                    WHERE parent_id = \(bind: parentID)
                      AND (position > \(bind: after.position) OR (position = \(bind: after.position) AND id > \(bind: after.id)))
                    ORDER BY position, id LIMIT 1
                    """
                )
            }
        }
        let placement = try SiblingOrder.placement(inserting: count, at: position, among: bounds)
        guard !placement.renumbered.isEmpty else { return placement }
        let siblings = try await keys(
            "SELECT id, position FROM blocks WHERE parent_id = \(bind: parentID) ORDER BY position, id"
        )
        return try SiblingOrder.placement(inserting: count, at: position, among: siblings)
    }

    public func blocks(workspaceID: String) async throws -> [BlockRecord] {
        let rows = try await read { database in
            try await database.raw(
                "SELECT * FROM blocks WHERE workspace_id = \(bind: workspaceID) ORDER BY position, id"
            ).all().map(Self.blockRecord)
        }
        // Pre-order from each page: a parent before its children, siblings by position.
        var children: [String: [BlockRecord]] = [:]
        for record in rows { children[Self.columns(of: record.parent).1, default: []].append(record) }
        var ordered: [BlockRecord] = []
        var visited = Set<String>()
        func visit(_ parentID: String) {
            guard visited.insert(parentID).inserted else { return }
            for child in children[parentID] ?? [] {
                ordered.append(child)
                visit(child.id)
            }
        }
        for pageID in Set(rows.map(\.pageID)).sorted() { visit(pageID) }
        return ordered
    }

    public func insertBlocks(_ records: [BlockRecord]) async throws {
        guard !records.isEmpty else { return }
        try await mapUnique("block") {
            try await transaction { database in try await Self.insert(records, into: database) }
        }
    }

    private static func insert(_ records: [BlockRecord], into database: any SQLDatabase) async throws {
        var start = records.startIndex
        while start < records.endIndex {
            let end = min(start + blockInsertBatch, records.endIndex)
            let insert = database.insert(into: "blocks").columns(blockColumns)
            for record in records[start..<end] {
                let (parentType, parentID) = columns(of: record.parent)
                insert.values([
                    SQLBind(record.id), SQLBind(record.workspaceID), SQLBind(parentType), SQLBind(parentID),
                    SQLBind(record.pageID), SQLBind(record.position), SQLBind(record.content.type.rawValue),
                    SQLBind(try contentJSON(record.content)), SQLBind(record.hasChildren), SQLBind(record.inTrash),
                    SQLBind(record.createdBy), SQLBind(record.lastEditedBy),
                    SQLBind(record.createdAt.epochMilliseconds), SQLBind(record.lastEditedAt.epochMilliseconds),
                ])
            }
            try await insert.run()
            start = end
        }
    }

    static func contentJSON(_ content: BlockContent) throws -> String {
        try StoredJSON.text(content)
    }

    static func columns(of parent: BlockParent) -> (String, String) {
        switch parent {
        case .page(let id): ("page", id)
        case .block(let id): ("block", id)
        }
    }

    /// Blocks' contents by their stored text: 16 MiB of texts.
    static let decodedContents = DecodedJSONCache<BlockContent>(byteBudget: 16 << 20)

    static func blockRecord(_ row: any SQLRow) throws -> BlockRecord {
        let parentID = try row.decode(column: "parent_id", as: String.self)
        let parent: BlockParent =
            try row.decode(column: "parent_type", as: String.self) == "page"
            ? .page(id: parentID) : .block(id: parentID)
        let content = try decodedContents.value(of: try row.decode(column: "content", as: String.self))
        return BlockRecord(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            parent: parent,
            pageID: try row.decode(column: "page_id", as: String.self),
            position: try row.decode(column: "position", as: Int64.self),
            content: content,
            hasChildren: try row.decode(column: "has_children", as: Bool.self),
            inTrash: try row.decode(column: "in_trash", as: Bool.self),
            createdBy: try row.decode(column: "created_by", as: String.self),
            lastEditedBy: try row.decode(column: "last_edited_by", as: String.self),
            createdAt: try date(row, "created_at"),
            lastEditedAt: try date(row, "last_edited_at")
        )
    }
}
