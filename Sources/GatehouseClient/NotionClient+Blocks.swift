import Foundation

extension NotionClient {
    // MARK: Blocks

    /// A block (`GET /v1/blocks/{id}`); a page's id answers its `child_page` block.
    public func block(id: String) async throws -> Block {
        try await request("GET", "blocks/\(try Self.pathID(id))")
    }

    /// Changes a block's content (same type; `content` replaces the type's object) or moves it to
    /// the trash and back (`PATCH /v1/blocks/{id}`).
    public func updateBlock(id: String, content: BlockContent? = nil, inTrash: Bool? = nil) async throws -> Block {
        var body: [String: JSONValue] = [:]
        if let content { body[content.type] = content.content }
        if let inTrash { body["in_trash"] = .bool(inTrash) }
        return try await request("PATCH", "blocks/\(try Self.pathID(id))", json: .object(body))
    }

    /// Moves a block to the trash (`DELETE /v1/blocks/{id}`) and returns it.
    public func deleteBlock(id: String) async throws -> Block {
        try await request("DELETE", "blocks/\(try Self.pathID(id))")
    }

    /// A block's (or a page's) children, one page at a time (`GET /v1/blocks/{id}/children`).
    public func blockChildren(
        id: String,
        startCursor: String? = nil,
        pageSize: Int? = nil
    ) async throws -> ListResponse<Block> {
        try await request("GET", "blocks/\(try Self.pathID(id))/children", query: Self.paging(startCursor, pageSize))
    }

    /// Appends up to 100 blocks to a block or a page (`PATCH /v1/blocks/{id}/children`) and returns
    /// them; at the end unless `position` says otherwise (`after` is the older form of
    /// `.afterBlock`, the one versions before `position` accept). Not retried on 5xx: a retry could
    /// append twice.
    public func appendBlockChildren(
        to id: String,
        children: [BlockContent],
        position: BlockPosition? = nil,
        after: String? = nil
    ) async throws -> ListResponse<Block> {
        var body: [String: JSONValue] = ["children": .array(children.map(\.json))]
        if let position { body["position"] = position.json }
        if let after { body["after"] = .string(after) }
        return try await request("PATCH", "blocks/\(try Self.pathID(id))/children", json: .object(body))
    }
}
