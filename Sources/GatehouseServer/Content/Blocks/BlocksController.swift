import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore
import Hummingbird

/// `GET/PATCH/DELETE /v1/blocks/{id}`, `GET/PATCH /v1/blocks/{id}/children`. A page id works
/// wherever a block id does: the page is its `child_page` block, its content the blocks under it.
struct BlocksController {
    let access: ContentAccess
    let bodyLimit: Int
    let clock: any WallClock

    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.get("blocks/:block_id", use: retrieve)
        group.patch("blocks/:block_id", use: update)
        group.delete("blocks/:block_id", use: delete)
        group.get("blocks/:block_id/children", use: children)
        group.patch("blocks/:block_id/children", use: append)
    }

    @Sendable func retrieve(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "block_id")
        try access.policy.require(.readContent, of: principal)
        let resolved = try await BlockTarget.resolve(id, for: principal, access: access)
        let target = resolved.inTrash ? resolved.target.markedInTrash() : resolved.target
        return try await respond(with: target, principal: principal, context: context)
    }

    /// Lists the untrashed children, `page_size` (≤ 100) at a time from `start_cursor`; under a
    /// trashed block or page they read as trashed (trash is inherited).
    @Sendable func children(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "block_id")
        let page = try RequestInput.Page.from(query: request)
        try access.policy.require(.readContent, of: principal)
        let (target, inTrash) = try await BlockTarget.resolve(id, for: principal, access: access, withReference: false)
        let children: BlockChildrenPage
        do {
            children = try await access.store.children(
                of: target.id,
                startCursor: page.startCursor,
                pageSize: page.pageSize
            )
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.validation("start_cursor should be a cursor returned by a previous request.")
        }
        var blocks = children.blocks
        if inTrash {
            for index in blocks.indices { blocks[index].inTrash = true }
        }
        return try await respond(listing: blocks, nextCursor: children.nextCursor, principal, context)
    }

    /// Appends the blocks of `children` (with what is nested in them) at `position`/`after`; answers
    /// the new first-level blocks. A body that breaks any rule writes nothing.
    @Sendable func append(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "block_id")
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.insertContent, of: principal)
        let (target, inTrash) = try await BlockTarget.resolve(id, for: principal, access: access, withReference: false)
        guard !inTrash else { throw BlockTarget.archivedError }
        let parentContent: BlockContent? =
            switch target {
            case .page: nil
            case .block(let block): block.content
            }
        let appendTarget = BlockAppendTarget(
            parent: target.appendParent,
            pageID: target.pageID,
            workspaceID: principal.workspaceID,
            userID: principal.botID,
            time: clock.now()
        )
        let records = try await Self.validating {
            let request = try AppendRequest.parse(body, version: context.version, parent: parentContent)
            let names = try await access.attachFileUploads(
                request.children.flatMap(\.fileUploadPlacements),
                for: principal,
                at: appendTarget.time
            )
            let children = request.children.map { $0.naming(uploads: names) }
            return try await access.store.atomically { store in
                let records = try await store.appendBlocks(children, to: appendTarget, at: request.position)
                let firstLevel = records.filter { $0.parent == appendTarget.parent }
                try await store.recordWebhookEvent(
                    WebhookEvents.pageContent(
                        appendTarget.pageID,
                        blocks: firstLevel.map { ($0.id, "block") },
                        by: principal,
                        at: appendTarget.time
                    )
                )
                return records
            }
        }
        let firstLevel = records.filter { $0.parent == appendTarget.parent }
        return try await respond(listing: firstLevel, nextCursor: nil, principal, context)
    }

    /// Changes the block's content (its type cannot change) and/or moves it to or from the trash.
    @Sendable func update(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "block_id")
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.updateContent, of: principal)
        let (target, inTrash) = try await BlockTarget.resolve(id, for: principal, access: access)
        if !target.inTrash, inTrash {
            throw BlockTarget.archivedError
        }
        switch target {
        case .page(var page, let reference):
            let update = try Self.parsed {
                try BlockUpdate.parse(body, current: .childPage(title: page.title), version: context.version)
            }
            if let inTrash = update.inTrash {
                page = try await setTrash(of: page.id, inTrash, principal: principal)
            }
            return try await respond(with: .page(page, reference: reference), principal: principal, context: context)
        case .block(let block):
            let update = try Self.parsed {
                try BlockUpdate.parse(body, current: block.content, version: context.version)
            }
            if block.inTrash, update.inTrash != false, update.content != block.content {
                throw BlockTarget.archivedError
            }
            var content = update.content
            if let placement = content.fileUploadPlacement, placement.id != block.content.fileUpload {
                let names = try await access.attachFileUploads([placement], for: principal, at: clock.now())
                content = content.naming(uploads: names)
            }
            guard let updated = try await updateBlock(block, content: content, inTrash: update.inTrash, principal)
            else {
                throw Self.notFound(id, principal)
            }
            return try await respond(with: .block(updated), principal: principal, context: context)
        }
    }

    /// Moves the block (or page) to the trash and returns it; what is already in the trash,
    /// itself or through an ancestor, answers the archived error as the API does.
    @Sendable func delete(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "block_id")
        try access.policy.require(.updateContent, of: principal)
        let (target, inTrash) = try await BlockTarget.resolve(id, for: principal, access: access)
        guard !inTrash else { throw BlockTarget.archivedError }
        switch target {
        case .page(let page, let reference):
            let page = try await setTrash(of: page.id, true, principal: principal)
            return try await respond(with: .page(page, reference: reference), principal: principal, context: context)
        case .block(let block):
            guard let updated = try await updateBlock(block, content: block.content, inTrash: true, principal) else {
                throw Self.notFound(id, principal)
            }
            return try await respond(with: .block(updated), principal: principal, context: context)
        }
    }

    /// Writes the block's content and trash flag, telling its page's subscribers; the block as
    /// stored, or `nil` when it is gone.
    private func updateBlock(
        _ block: BlockRecord,
        content: BlockContent,
        inTrash: Bool?,
        _ principal: Principal
    ) async throws -> BlockRecord? {
        let now = clock.now()
        return try await access.store.atomically { store in
            let updated = try await store.updateBlock(
                id: block.id,
                content: content,
                inTrash: inTrash,
                by: principal.botID,
                at: now
            )
            if updated != nil {
                try await store.recordWebhookEvent(
                    WebhookEvents.pageContent(block.pageID, blocks: [(block.id, "block")], by: principal, at: now)
                )
            }
            return updated
        }
    }

    /// Moves a page to the trash or out of it, touching nothing else of it (a title or value
    /// written meanwhile stays), and returns it as stored.
    private func setTrash(of pageID: String, _ inTrash: Bool, principal: Principal) async throws -> PageRecord {
        let now = clock.now()
        let result = try await access.store.atomically { store -> PageRecord? in
            guard let change = try await store.setPageTrash(id: pageID, inTrash, by: principal.botID, at: now) else {
                return nil
            }
            if change.changed {
                try await store.recordWebhookEvent(
                    WebhookEvents.page(inTrash ? .pageDeleted : .pageUndeleted, pageID, by: principal, at: now)
                )
            }
            return change.page
        }
        guard let page = result else { throw Self.notFound(pageID, principal) }
        return page
    }

    /// The API's 404 for block `id`.
    private static func notFound(_ id: String, _ principal: Principal) -> APIError {
        APIError.notFound("block", id: id, integrationName: principal.integrationName, botID: principal.botID)
    }

    // MARK: Responses

    private func respond(
        with target: BlockTarget,
        principal: Principal,
        context: GatehouseRequestContext
    ) async throws -> Response {
        switch target {
        case .page(let page, let reference):
            let hasChildren = try await !access.store.children(of: page.id, startCursor: nil, pageSize: 1).blocks
                .isEmpty
            let object = BlockJSON.page(page, reference: reference, hasChildren: hasChildren, version: context.version)
            return JSONResponse.ok(object, requestID: context.requestID)
        case .block(let block):
            let blocks = try await BlockJSON.refreshingChildPages([block], store: access.store)
            let mentions = try await StoreMentions.load(
                for: blocks.map(\.content),
                principal: principal,
                access: access
            )
            let object = BlockJSON.block(blocks[0], version: context.version, mentions: mentions)
            return JSONResponse.ok(object, requestID: context.requestID)
        }
    }

    private func respond(
        listing records: [BlockRecord],
        nextCursor: String?,
        _ principal: Principal,
        _ context: GatehouseRequestContext
    ) async throws -> Response {
        let blocks = try await BlockJSON.refreshingChildPages(records, store: access.store)
        let mentions = try await StoreMentions.load(for: blocks.map(\.content), principal: principal, access: access)
        let results = blocks.map { BlockJSON.block($0, version: context.version, mentions: mentions) }
        return JSONResponse.ok(
            NotionObjects.list(results, nextCursor: nextCursor, type: "block"),
            requestID: context.requestID
        )
    }

    /// Runs `body`, answering a broken rule as `400 validation_error` with the API's prefix.
    private static func validating<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as ContentValidationError {
            throw APIError.validation("body failed validation: \(error.message)")
        }
    }

    private static func parsed<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as ContentValidationError {
            throw APIError.validation("body failed validation: \(error.message)")
        }
    }
}
