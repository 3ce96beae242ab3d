import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore
import Hummingbird

/// `POST /v1/comments`, `GET /v1/comments?block_id=`, `GET|PATCH|DELETE /v1/comments/{id}`.
///
/// Reading needs `read_comments`, writing `insert_comments`; the page a comment is on must be
/// shared with the integration (sharing inherits down from the page). An integration changes or
/// deletes only the comments its own bot wrote.
struct CommentsController {
    let access: ContentAccess
    let bodyLimit: Int
    let clock: any WallClock

    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.post("comments", use: create)
        group.get("comments", use: list)
        group.get("comments/:comment_id", use: retrieve)
        group.patch("comments/:comment_id", use: update)
        group.delete("comments/:comment_id", use: delete)
    }

    @Sendable func create(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.insertComments, of: principal)
        let text = try Self.text(of: body)
        let displayName = try CommentRequest.displayName(body["display_name"])
        let parent: CommentParent
        let pageID: String
        let discussionID: String
        let parentValue = body["parent"].flatMap { $0 == .null ? nil : $0 }
        let discussionValue = body["discussion_id"].flatMap { $0 == .null ? nil : $0 }
        switch (parentValue, discussionValue) {
        case (nil, let discussion?):
            guard case .string(let raw) = discussion, let id = ResourceID.canonical(raw) else {
                throw CommentRequest.invalid(
                    ContentValidationError.expected("a valid uuid", at: "body.discussion_id", got: discussion)
                )
            }
            guard let first = try await access.store.comments(discussionID: id).first,
                first.workspaceID == principal.workspaceID
            else {
                throw APIError.notFound(
                    "discussion",
                    id: id,
                    integrationName: principal.integrationName,
                    botID: principal.botID
                )
            }
            _ = try await access.page(first.pageID, for: principal, naming: ("discussion", id))
            (parent, pageID, discussionID) = (first.parent, first.pageID, id)
        case (let value?, nil):
            (parent, pageID) = try await resolve(parent: value, for: principal)
            discussionID = UUIDv4.string()
        case (nil, nil):
            throw CommentRequest.invalid(ContentValidationError.expected("defined", at: "body.parent", got: nil))
        case (_?, _?):
            throw APIError.validation(
                "body failed validation: send either body.parent or body.discussion_id, not both."
            )
        }
        let now = clock.now()
        let comment = CommentRecord(
            id: UUIDv4.string(),
            workspaceID: principal.workspaceID,
            parent: parent,
            pageID: pageID,
            discussionID: discussionID,
            richTextJSON: try CommentRequest.stored(text),
            displayName: displayName,
            createdBy: principal.botID,
            createdAt: now,
            lastEditedAt: now
        )
        try await access.store.atomically { store in
            try await store.createComment(comment)
            try await store.recordWebhookEvent(WebhookEvents.comment(.commentCreated, comment, by: principal, at: now))
        }
        return try await respond(with: comment, principal: principal, context: context)
    }

    @Sendable func list(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try access.policy.require(.readComments, of: principal)
        guard let raw = request.uri.queryParameters.get("block_id") else {
            throw APIError.validation(
                "query failed validation: query.block_id should be defined, instead was `undefined`."
            )
        }
        guard let blockID = ResourceID.canonical(String(raw)) else {
            throw APIError.validation(
                "query failed validation: query.block_id should be a valid uuid, instead was `\"\(raw.prefix(64))\"`."
            )
        }
        _ = try await resolve(parentID: blockID, for: principal)
        let page = try RequestInput.Page.from(query: request)
        var comments = try await access.store.comments(
            parentID: blockID,
            from: page.startCursor,
            limit: page.pageSize + 1
        )
        if page.startCursor != nil, comments.isEmpty {
            throw APIError.validation("start_cursor should be a cursor returned by a previous request.")
        }
        let next = comments.count > page.pageSize ? comments.removeLast().id : nil
        let directory = try await mentions(in: comments, principal: principal)
        let results = try comments.map { try CommentJSON.comment($0, resolving: directory, principal: principal) }
        let body: JSONValue = [
            "object": "list",
            "results": .array(results),
            "next_cursor": next.map(JSONValue.string) ?? .null,
            "has_more": .bool(next != nil),
            "type": "comment",
            "comment": [:],
        ]
        return JSONResponse.ok(body, requestID: context.requestID)
    }

    @Sendable func retrieve(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try access.policy.require(.readComments, of: principal)
        let comment = try await visibleComment(context, principal: principal)
        return try await respond(with: comment, principal: principal, context: context)
    }

    @Sendable func update(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.insertComments, of: principal)
        let comment = try await ownComment(context, principal: principal)
        let stored = try CommentRequest.stored(try Self.text(of: body))
        let now = clock.now()
        let written = try await access.store.atomically { store in
            let updated = try await store.updateComment(id: comment.id, richTextJSON: stored, at: now)
            if let updated {
                try await store.recordWebhookEvent(
                    WebhookEvents.comment(.commentUpdated, updated, by: principal, at: now)
                )
            }
            return updated
        }
        guard let updated = written else { throw Self.notFound(comment.id, principal) }
        return try await respond(with: updated, principal: principal, context: context)
    }

    @Sendable func delete(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try access.policy.require(.insertComments, of: principal)
        let comment = try await ownComment(context, principal: principal)
        let now = clock.now()
        let removed = try await access.store.atomically { store in
            let deleted = try await store.deleteComment(id: comment.id)
            if let deleted {
                try await store.recordWebhookEvent(
                    WebhookEvents.comment(.commentDeleted, deleted, by: principal, at: now)
                )
            }
            return deleted
        }
        guard let deleted = removed else {
            throw Self.notFound(comment.id, principal)
        }
        return try await respond(with: deleted, principal: principal, context: context)
    }

    // MARK: Helpers

    /// The comment's text from `rich_text`, or from `markdown` kept as plain text.
    private static func text(of body: JSONValue) throws -> RichText {
        do {
            if let markdown = body["markdown"], body["rich_text"] == nil {
                guard case .string(let text) = markdown else {
                    throw ContentValidationError.expected("a string", at: "body.markdown", got: markdown)
                }
                return try RichText.parse([["text": ["content": .string(text)]]], at: "body.markdown")
            }
            return try RichText.parse(body["rich_text"], at: "body.rich_text")
        } catch let error as ContentValidationError {
            throw CommentRequest.invalid(error)
        }
    }

    /// What `parent` names (`{page_id}` or `{block_id}`) and the page it belongs to.
    private func resolve(parent value: JSONValue, for principal: Principal) async throws -> (CommentParent, String) {
        if case .string(let raw)? = value["page_id"] {
            guard let id = ResourceID.canonical(raw) else {
                throw CommentRequest.invalid(
                    ContentValidationError.expected("a valid uuid", at: "body.parent.page_id", got: value["page_id"])
                )
            }
            _ = try await access.page(id, for: principal)
            return (.page(id), id)
        }
        if case .string(let raw)? = value["block_id"] {
            guard let id = ResourceID.canonical(raw) else {
                throw CommentRequest.invalid(
                    ContentValidationError.expected("a valid uuid", at: "body.parent.block_id", got: value["block_id"])
                )
            }
            return try await resolve(parentID: id, for: principal)
        }
        throw CommentRequest.invalid(
            ContentValidationError.expected("an object with page_id or block_id", at: "body.parent", got: value)
        )
    }

    /// A page or a block id as a comment parent, once the principal may see it.
    private func resolve(parentID id: String, for principal: Principal) async throws -> (CommentParent, String) {
        switch try await BlockTarget.resolve(id, for: principal, access: access).target {
        case .page(let page, _): (.page(page.id), page.id)
        case .block(let block): (.block(block.id), block.pageID)
        }
    }

    /// The comment in the path, if the principal may see its page.
    private func visibleComment(_ context: GatehouseRequestContext, principal: Principal) async throws -> CommentRecord
    {
        let id = try RequestInput.pathID(context, "comment_id")
        guard let comment = try await access.store.comment(id: id), comment.workspaceID == principal.workspaceID else {
            throw Self.notFound(id, principal)
        }
        _ = try await access.page(comment.pageID, for: principal, naming: ("comment", id))
        return comment
    }

    /// The comment in the path, if the principal's bot wrote it.
    private func ownComment(_ context: GatehouseRequestContext, principal: Principal) async throws -> CommentRecord {
        let comment = try await visibleComment(context, principal: principal)
        guard comment.createdBy == principal.botID else {
            throw APIError(
                status: 403,
                code: "restricted_resource",
                message: "An integration can change or delete only the comments it wrote."
            )
        }
        return comment
    }

    private func mentions(in comments: [CommentRecord], principal: Principal) async throws -> StoreMentions {
        try await StoreMentions.load(
            for: comments.compactMap { try? CommentRequest.richText($0.richTextJSON) },
            principal: principal,
            access: access
        )
    }

    private func respond(
        with comment: CommentRecord,
        principal: Principal,
        context: GatehouseRequestContext
    ) async throws -> Response {
        let directory = try await mentions(in: [comment], principal: principal)
        return JSONResponse.ok(
            try CommentJSON.comment(comment, resolving: directory, principal: principal),
            requestID: context.requestID
        )
    }

    private static func notFound(_ id: String, _ principal: Principal) -> APIError {
        .notFound("comment", id: id, integrationName: principal.integrationName, botID: principal.botID)
    }
}
