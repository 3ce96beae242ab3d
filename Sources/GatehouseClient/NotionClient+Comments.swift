import Foundation

extension NotionClient {
    // MARK: Comments

    /// Comments on a page or a block, or replies in a discussion (`POST /v1/comments`); needs the
    /// `insert_comments` capability. Not retried on 5xx (not idempotent).
    public func createComment(
        on target: CommentTarget,
        richText: [RichText],
        displayName: JSONValue? = nil
    ) async throws -> Comment {
        var body: [String: JSONValue] = ["rich_text": richText.json]
        switch target {
        case .page(let id): body["parent"] = Parent.page(id).json
        case .block(let id): body["parent"] = Parent.block(id).json
        case .discussion(let id): body["discussion_id"] = .string(id)
        }
        if let displayName { body["display_name"] = displayName }
        return try await request("POST", "comments", json: .object(body))
    }

    /// The open comments on a page or block, oldest first (`GET /v1/comments?block_id=`); needs
    /// `read_comments`.
    public func comments(
        blockID: String,
        startCursor: String? = nil,
        pageSize: Int? = nil
    ) async throws -> ListResponse<Comment> {
        let query =
            [URLQueryItem(name: "block_id", value: try Self.pathID(blockID))] + Self.paging(startCursor, pageSize)
        return try await request("GET", "comments", query: query)
    }

    /// One comment (`GET /v1/comments/{id}`).
    public func comment(id: String) async throws -> Comment {
        try await request("GET", "comments/\(try Self.pathID(id))")
    }

    /// Replaces a comment's text (`PATCH /v1/comments/{id}`); only the integration's own comments.
    public func updateComment(id: String, richText: [RichText]) async throws -> Comment {
        try await request("PATCH", "comments/\(try Self.pathID(id))", json: ["rich_text": richText.json])
    }

    /// Deletes a comment (`DELETE /v1/comments/{id}`); only the integration's own comments.
    public func deleteComment(id: String) async throws -> Comment {
        try await request("DELETE", "comments/\(try Self.pathID(id))")
    }
}
