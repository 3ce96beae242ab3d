import Foundation
import GatehouseCore
import SQLKit

/// ``CommentStore``: comments, one row each; a listing is one indexed range read.
extension SQLStore {
    public func createComment(_ comment: CommentRecord) async throws {
        let (parentType, parentID) = Self.columns(of: comment.parent)
        let (displayType, displayName) = Self.columns(of: comment.displayName)
        try await mapUnique("comment \(comment.id)") {
            try await write { database in
                try await database.raw(
                    """
                    INSERT INTO comments (id, workspace_id, parent_type, parent_id, page_id, discussion_id, rich_text,
                        display_type, display_name, created_by, created_at, last_edited_at)
                    VALUES (\(bind: comment.id), \(bind: comment.workspaceID), \(bind: parentType), \(bind: parentID),
                        \(bind: comment.pageID), \(bind: comment.discussionID), \(bind: comment.richTextJSON),
                        \(bind: displayType), \(bind: displayName), \(bind: comment.createdBy),
                        \(bind: comment.createdAt.epochMilliseconds), \(bind: comment.lastEditedAt.epochMilliseconds))
                    """
                ).run()
            }
        }
    }

    public func comments(workspaceID: String) async throws -> [CommentRecord] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM comments WHERE workspace_id = \(bind: workspaceID) ORDER BY created_at, id"
            ).all().map(Self.commentRecord)
        }
    }

    public func comment(id: String) async throws -> CommentRecord? {
        try await read { database in
            try await database.raw("SELECT * FROM comments WHERE id = \(bind: id)").first().map(Self.commentRecord)
        }
    }

    public func comments(parentID: String, from cursor: String?, limit: Int) async throws -> [CommentRecord] {
        try await read { database in
            guard let cursor else {
                return try await database.raw(
                    """
                    SELECT * FROM comments WHERE parent_id = \(bind: parentID)
                    ORDER BY created_at, id LIMIT \(bind: limit)
                    """
                ).all().map(Self.commentRecord)
            }
            guard
                let start = try await database.raw(
                    "SELECT created_at FROM comments WHERE id = \(bind: cursor) AND parent_id = \(bind: parentID)"
                ).first()?.decode(column: "created_at", as: Int64.self)
            else { return [] }
            return try await database.raw(
                """
                SELECT * FROM comments WHERE parent_id = \(bind: parentID)
                    AND (created_at > \(bind: start) OR (created_at = \(bind: start) AND id >= \(bind: cursor)))
                ORDER BY created_at, id LIMIT \(bind: limit)
                """
            ).all().map(Self.commentRecord)
        }
    }

    public func comments(discussionID: String) async throws -> [CommentRecord] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM comments WHERE discussion_id = \(bind: discussionID) ORDER BY created_at, id LIMIT 100"
            ).all().map(Self.commentRecord)
        }
    }

    public func updateComment(id: String, richTextJSON: String, at time: Date) async throws -> CommentRecord? {
        try await write { database in
            try await database.raw(
                """
                UPDATE comments SET rich_text = \(bind: richTextJSON), last_edited_at = \(bind: time.epochMilliseconds)
                WHERE id = \(bind: id) RETURNING *
                """
            ).first().map(Self.commentRecord)
        }
    }

    public func deleteComment(id: String) async throws -> CommentRecord? {
        try await write { database in
            try await database.raw("DELETE FROM comments WHERE id = \(bind: id) RETURNING *").first()
                .map(Self.commentRecord)
        }
    }

    static func columns(of parent: CommentParent) -> (type: String, id: String) {
        switch parent {
        case .page(let id): ("page", id)
        case .block(let id): ("block", id)
        }
    }

    static func columns(of name: CommentDisplayName) -> (type: String, name: String?) {
        switch name {
        case .integration: ("integration", nil)
        case .user: ("user", nil)
        case .custom(let custom): ("custom", custom)
        }
    }

    static func commentRecord(_ row: any SQLRow) throws -> CommentRecord {
        let parentID = try row.decode(column: "parent_id", as: String.self)
        let displayName: CommentDisplayName =
            switch try row.decode(column: "display_type", as: String.self) {
            case "user": .user
            case "custom": .custom(try row.decode(column: "display_name", as: String?.self) ?? "")
            default: .integration
            }
        return CommentRecord(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            parent: try row.decode(column: "parent_type", as: String.self) == "block"
                ? .block(parentID) : .page(parentID),
            pageID: try row.decode(column: "page_id", as: String.self),
            discussionID: try row.decode(column: "discussion_id", as: String.self),
            richTextJSON: try row.decode(column: "rich_text", as: String.self),
            displayName: displayName,
            createdBy: try row.decode(column: "created_by", as: String.self),
            createdAt: Date(epochMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            lastEditedAt: Date(epochMilliseconds: try row.decode(column: "last_edited_at", as: Int64.self))
        )
    }
}
