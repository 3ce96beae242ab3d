import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore
import Hummingbird

/// `POST /v1/pages`, `GET|PATCH /v1/pages/{id}`, `POST /v1/pages/{id}/move`,
/// `GET /v1/pages/{id}/properties/{property_id}`.
struct PagesController {
    let access: ContentAccess
    let bodyLimit: Int
    let clock: any WallClock

    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.get("pages/:page_id", use: retrieve)
        group.post("pages", use: create)
        group.patch("pages/:page_id", use: update)
        group.post("pages/:page_id/move", use: move)
        group.get("pages/:page_id/properties/:property_id", use: property)
    }

    @Sendable func retrieve(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "page_id")
        try access.policy.require(.readContent, of: principal)
        var (page, dataSource, inTrash) = try await load(id, for: principal)
        if inTrash { page.record.archived = true }
        let schema = dataSource?.schema ?? PropertyValueParser.pageParentSchema
        let only = try ContentJSON.validated {
            try schema.propertyIDs(filtering: RequestInput.filterProperties(request))
        }
        return try await respond(page, dataSource: dataSource, principal: principal, context: context, only: only)
    }

    /// Creates a page in a data source (or, before 2025-09-03, a database) or under a page the
    /// integration can see, its `properties` validated against the schema (needs `insert_content`).
    @Sendable func create(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.insertContent, of: principal)
        var dataSource: DataSourceRecord?
        let parent: PageParent
        // Whether the parent is in the trash, itself or through what lies above it.
        let parentInTrash: Bool
        switch try PageInput.parent(body) {
        case .database(let id):
            let (database, inTrash) = try await access.databaseWithTrash(id, for: principal)
            dataSource = try await access.store.dataSources(databaseID: database.id).first
            parent = .database(dataSource?.id ?? id)
            parentInTrash = inTrash || dataSource?.inTrash == true
        case .dataSource(let id):
            let (source, inTrash) = try await access.dataSourceWithTrash(id, for: principal)
            dataSource = source
            parent = .database(id)
            parentInTrash = inTrash
        case .page(let id):
            parent = .page(id)
            parentInTrash = try await access.pageWithTrash(id, for: principal).inTrash
        }
        if parentInTrash { throw BlockTarget.archivedAncestorError }
        let now = clock.now()
        let metadata = PageMetadata(
            createdTime: now.epochMilliseconds,
            lastEditedTime: now.epochMilliseconds,
            createdBy: principal.botID,
            lastEditedBy: principal.botID
        )
        var record = PageRecord(
            id: UUIDv4.string(),
            workspaceID: principal.workspaceID,
            title: "",
            parent: parent,
            createdBy: principal.botID,
            lastEditedBy: principal.botID,
            createdAt: now,
            lastEditedAt: now
        )
        let appearance = try ContentJSON.validated { try PageAppearance.parse(body) }
        appearance.apply(to: &record)
        let children = try Self.children(of: body, version: context.version)
        let (page, _) = try await validated(
            StoredPage(record: record, properties: PageProperties(values: [:], metadata: metadata)),
            body: body,
            dataSource: &dataSource,
            principal: principal
        )
        let uploadNames = try await access.attachFileUploads(
            appearance.fileUploadPlacements + children.flatMap(\.fileUploadPlacements),
            for: principal,
            at: now
        )
        let content = children.map { $0.naming(uploads: uploadNames) }
        let schemaRead = dataSource
        let written = try await access.store.atomically { store in
            let written = try await store.writePage(page, create: true, dataSource: schemaRead)
            if case .page(let parentID) = parent {
                try await store.appendChildReference(
                    id: page.record.id,
                    content: .childPage(title: page.record.title),
                    to: Self.appendTarget(under: .page(id: parentID), pageID: parentID, principal, now)
                )
            }
            if !content.isEmpty {
                let target = Self.appendTarget(under: .page(id: page.record.id), pageID: page.record.id, principal, now)
                _ = try await store.appendBlocks(content, to: target, at: .end)
            }
            try await store.recordWebhookEvents(Self.creationEvents(of: page.record, by: principal, at: now))
            return written
        }
        return try await respond(written.page, dataSource: written.dataSource, principal: principal, context: context)
    }

    /// Changes a page's properties, trashes or restores it (needs `update_content`). A page in the
    /// trash takes only its restoring; one under a trashed page takes nothing, as in the API.
    @Sendable func update(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "page_id")
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.updateContent, of: principal)
        var (page, dataSource, inTrash) = try await load(id, for: principal)
        let trash = try PageInput.flag(body, "in_trash") ?? PageInput.flag(body, "archived")
        if page.record.archived, trash != false { throw BlockTarget.archivedPageError }
        if !page.record.archived, inTrash {
            throw BlockTarget.archivedAncestorError
        }
        if let trash { page.record.archived = trash }
        let appearance = try ContentJSON.validated { try PageAppearance.parse(body) }
        try await access.attachFileUploads(appearance.fileUploadPlacements, for: principal, at: clock.now())
        appearance.apply(to: &page.record)
        page.record.lastEditedBy = principal.botID
        page.record.lastEditedAt = clock.now()
        page.properties.metadata.lastEditedBy = principal.botID
        page.properties.metadata.lastEditedTime = page.record.lastEditedAt.epochMilliseconds
        let properties: Set<String>
        (page, properties) = try await validated(page, body: body, dataSource: &dataSource, principal: principal)
        let setting = PageUpdate(
            properties: properties,
            setsTrash: trash != nil,
            setsIcon: appearance.icon != nil,
            setsCover: appearance.cover != nil
        )
        var events: [WebhookEvent] = []
        let now = page.record.lastEditedAt
        if !properties.isEmpty {
            events.append(WebhookEvents.pageProperties(id, Array(properties), by: principal, at: now))
            if case .database(let sourceID) = page.record.parent {
                events.append(Self.dataSourceContent(sourceID, page: id, by: principal, at: now))
            }
        }
        let pageWritten = page
        let schemaRead = dataSource
        let written = try await access.store.atomically { [events] store in
            let written = try await store.writePage(
                pageWritten,
                create: false,
                dataSource: schemaRead,
                setting: setting
            )
            var told = events
            // Trashed or restored by this write: decided on the flag read under the row lock.
            if let trash, let was = written.wasInTrash, trash != was {
                told.append(WebhookEvents.page(trash ? .pageDeleted : .pageUndeleted, id, by: principal, at: now))
            }
            try await store.recordWebhookEvents(told)
            return written
        }
        return try await respond(written.page, dataSource: written.dataSource, principal: principal, context: context)
    }

    /// Moves a page under another page or into a data source (needs `update_content`; the page
    /// and its new parent must both be visible, and neither in the trash). What the page keeps
    /// of its values is ``PageMove``'s rule; its content and child pages move with it.
    @Sendable func move(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "page_id")
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.updateContent, of: principal)
        let (page, _, inTrash) = try await load(id, for: principal)
        if page.record.archived || inTrash {
            throw APIError.validation("Object \(id) is in trash and cannot be moved.")
        }
        let destination = try await moveDestination(of: id, body, principal: principal)
        guard destination.parent != page.record.parent else {
            throw APIError.validation("New parent must be different from the current parent.")
        }
        let now = clock.now()
        var reference: BlockAppendTarget?
        if case .page(let parentID) = destination.parent {
            reference = Self.appendTarget(under: .page(id: parentID), pageID: parentID, principal, now)
        }
        let from = page.record.parent
        let moved = reference
        let written = try await access.store.atomically { store in
            let written = try await store.movePage(
                id,
                from: from,
                to: destination.parent,
                into: destination.dataSource,
                by: principal.botID,
                at: now,
                reference: moved
            )
            try await store.recordWebhookEvents([WebhookEvents.page(.pageMoved, id, by: principal, at: now)])
            return written
        }
        return try await respond(written.page, dataSource: written.dataSource, principal: principal, context: context)
    }

    /// What creating `page` tells: `page.created`, and the content change of the page or data
    /// source it was created in.
    private static func creationEvents(of page: PageRecord, by principal: Principal, at time: Date) -> [WebhookEvent] {
        var events = [WebhookEvents.page(.pageCreated, page.id, by: principal, at: time)]
        switch page.parent {
        case .workspace: break
        case .database(let sourceID): events.append(dataSourceContent(sourceID, page: page.id, by: principal, at: time))
        case .page(let parentID):
            events.append(WebhookEvents.pageContent(parentID, blocks: [(page.id, "page")], by: principal, at: time))
        }
        return events
    }

    /// `data_source.content_updated` for page `pageID` added to or changed in data source `id`.
    private static func dataSourceContent(
        _ id: String,
        page pageID: String,
        by principal: Principal,
        at time: Date
    )
        -> WebhookEvent
    {
        WebhookEvents.dataSource(
            .dataSourceContentUpdated,
            id,
            by: principal,
            at: time,
            data: [("updated_blocks", [["id": .string(pageID), "type": "page"]])]
        )
    }

    /// Where `body.parent` moves page `pageID`: a page, or a data source (a database's id under
    /// `page_id` names its data source while it has only one, as the API allows); refused when it
    /// is the page itself, lies under it, or is in the trash.
    private func moveDestination(
        of pageID: String,
        _ body: JSONValue,
        principal: Principal
    ) async throws -> (parent: PageParent, dataSource: DataSourceRecord?) {
        switch try PageInput.parent(body) {
        case .page(let parentID) where parentID == pageID:
            throw APIError.validation("Parent ID must be different from the child ID: \(pageID).")
        case .page(let parentID):
            if try await access.store.page(id: parentID) == nil,
                try await access.store.database(id: parentID)?.workspaceID == principal.workspaceID
            {
                do {
                    _ = try await access.database(parentID, for: principal)
                } catch let error as APIError where error.status == 404 {
                    // Hidden as a page id would be: no hint that it names a database.
                    throw APIError.notFound(
                        "page",
                        id: parentID,
                        integrationName: principal.integrationName,
                        botID: principal.botID
                    )
                }
                let sources = try await access.store.dataSources(databaseID: parentID)
                guard sources.count == 1, let only = sources.first else {
                    throw APIError.validation(
                        "body failed validation: body.parent.page_id names a database with more than one data source: use its data_source_id."
                    )
                }
                return try await dataSourceDestination(only.id, of: pageID, principal: principal)
            }
            let record = try await access.page(parentID, for: principal)
            let ancestry = try await access.blockAncestry(
                parentID,
                .page,
                workspaceID: record.workspaceID,
                for: principal
            )
            try Self.refuseCycle(ancestry, parent: parentID, pageID: pageID)
            return (.page(parentID), nil)
        case .dataSource(let sourceID):
            return try await dataSourceDestination(sourceID, of: pageID, principal: principal)
        case .database(let databaseID):
            // Visible first, as `POST /v1/pages` checks it: no answer tells a hidden database's
            // data sources apart from a missing one's.
            _ = try await access.database(databaseID, for: principal)
            guard let first = try await access.store.dataSources(databaseID: databaseID).first else {
                throw APIError.validation("Could not find data source of database \(databaseID).")
            }
            return try await dataSourceDestination(first.id, of: pageID, principal: principal)
        }
    }

    private func dataSourceDestination(
        _ sourceID: String,
        of pageID: String,
        principal: Principal
    ) async throws -> (parent: PageParent, dataSource: DataSourceRecord?) {
        let source = try await access.dataSource(sourceID, for: principal)
        let ancestry = try await access.blockAncestry(
            sourceID,
            .dataSource,
            workspaceID: source.workspaceID,
            for: principal
        )
        try Self.refuseCycle(ancestry, parent: sourceID, pageID: pageID)
        return (.database(sourceID), source)
    }

    /// Refuses a new parent (`parent`, whose ancestry is `ancestry`) under the page itself, or in the trash.
    private static func refuseCycle(_ ancestry: [ContentAncestor], parent: String, pageID: String) throws {
        if ancestry.contains(where: { $0.id == pageID }) {
            throw APIError.validation("New parent \(parent) cannot be under the hierarchy of child \(pageID).")
        }
        if ancestry.anyInTrash { throw BlockTarget.archivedAncestorError }
    }

    /// One property's value as property items (paginated for title, rich_text, people, relation).
    @Sendable func property(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "page_id")
        let propertyID = context.parameters.get("property_id") ?? ""
        try access.policy.require(.readContent, of: principal)
        let (page, dataSource, _) = try await load(id, for: principal)
        let schema = dataSource?.schema ?? PropertyValueParser.pageParentSchema
        guard
            let property = schema.property(named: propertyID.removingPercentEncoding ?? propertyID)
                ?? schema.property(named: propertyID)
        else {
            throw APIError(
                status: 404,
                code: "object_not_found",
                message: "Could not find property with id: \(propertyID.prefix(64))."
            )
        }
        let users = try await WorkspaceUsers.load(for: principal, store: access.store, files: access.fileLinks)
        let rendered = PropertyValueRenderer(schema: schema, resolver: users, version: context.version)
            .render(property, page.properties.values[property.id], metadata: page.properties.metadata)
        let pageSize = try request.uri.queryParameters.get("page_size").map { text throws(APIError) -> Int in
            guard let size = Int(text) else {
                throw .validation("query.page_size should be a number, instead was `\"\(text.prefix(16))\"`.")
            }
            return size
        }
        let json = try ContentJSON.validated {
            try PropertyItemPager.respond(
                property: property,
                renderedValue: rendered,
                pageSize: pageSize,
                startCursor: request.uri.queryParameters.get("start_cursor"),
                baseURL: "/v1/pages/\(page.record.id)/properties/\(property.id)"
            )
        }
        return JSONResponse.ok(json, requestID: context.requestID)
    }

    /// The page and, when it lives in one, its data source.
    /// The page with its values, its data source, and whether it is in the trash (itself or
    /// through what lies above it).
    private func load(
        _ id: String,
        for principal: Principal
    ) async throws -> (page: StoredPage, dataSource: DataSourceRecord?, inTrash: Bool) {
        let (record, inTrash) = try await access.pageWithTrash(id, for: principal)
        var dataSource: DataSourceRecord?
        if case .database(let sourceID) = record.parent { dataSource = try await access.store.dataSource(id: sourceID) }
        guard
            let page = try await access.store.storedPage(
                id: record.id,
                titleID: dataSource?.schema.title?.id ?? "title"
            )
        else {
            throw APIError.notFound("page", id: id, integrationName: principal.integrationName, botID: principal.botID)
        }
        return (page, dataSource, inTrash)
    }

    /// The blocks of `body.children` (a new page's content), checked whole before anything is written.
    private static func children(of body: JSONValue, version: NotionVersion) throws -> [BlockDraft] {
        guard let value = body["children"], !value.isNull else { return [] }
        return try ContentJSON.validated {
            try BlockDraft.parseChildren(value, at: "body.children", version: version)
        }
    }

    private static func appendTarget(
        under parent: BlockParent,
        pageID: String,
        _ principal: Principal,
        _ time: Date
    ) -> BlockAppendTarget {
        BlockAppendTarget(
            parent: parent,
            pageID: pageID,
            workspaceID: principal.workspaceID,
            userID: principal.botID,
            time: time
        )
    }

    /// Validates `body.properties` over the page's values and checks the people and pages they
    /// name; returns the page (and, through `dataSource`, the schema with any options created on
    /// first use) for the caller to store with its index in one transaction, and the properties
    /// (ids) the request sets.
    private func validated(
        _ page: StoredPage,
        body: JSONValue,
        dataSource: inout DataSourceRecord?,
        principal: Principal
    ) async throws -> (page: StoredPage, properties: Set<String>) {
        var page = page
        let schema = dataSource?.schema ?? PropertyValueParser.pageParentSchema
        var ids = RandomShortIds()
        let values = page.properties.values
        var write = try ContentJSON.validated {
            try PropertyValueParser(schema: schema).parse(body["properties"], existing: values, ids: &ids)
        }
        if !write.referencedFileUploads.isEmpty {
            let names = try await access.attachFileUploads(
                write.referencedFileUploads.sorted().map { ($0, .filesProperty) },
                for: principal,
                at: clock.now()
            )
            // An uploaded file given no name is named after its file, as the API names it.
            for (id, value) in write.values {
                if case .files(let entries) = value { write.values[id] = .files(PropertyFiles.naming(entries, names)) }
            }
        }
        if !write.referencedUserIds.isEmpty {
            let users = try await WorkspaceUsers.load(for: principal, store: access.store, files: access.fileLinks)
            if let missing = write.referencedUserIds.sorted().first(where: { !users.ids.contains($0) }) {
                throw APIError.validation("Could not find user with ID: \(missing).")
            }
        }
        // A relation may name only pages the integration can see (Notion: the related database
        // must be shared with it); any other id reads as one that does not exist. A page it can
        // see must belong to the related data source ("New linked pages must belong to this
        // database in order to be valid", the API's relation property).
        var parents: [String: PageParent] = [:]
        for pageID in write.referencedPageIds.sorted() {
            do {
                parents[pageID] = try await access.page(pageID, for: principal).parent
            } catch is APIError {
                throw APIError.validation("Could not find page with ID: \(pageID).")
            }
        }
        for property in write.schema.properties where property.type == .relation {
            // The schema keeps the id as the client wrote it (without dashes, say); pages' parents are canonical.
            guard let target = property.relation?.dataSourceId.flatMap(ResourceID.canonical),
                case .relation(let pageIDs)? = write.values[property.id]
            else { continue }
            for pageID in pageIDs where parents[pageID].map({ $0 != .database(target) }) ?? false {
                throw APIError.validation(
                    "body failed validation: body.properties.\(property.name).relation: the page \(pageID) is not in the data source \(target) that \(property.name) relates to."
                )
            }
        }
        let titleID = write.schema.title?.id ?? "title"
        let title = write.values[titleID]?.plainText ?? ""
        do {
            page.record.title = try DisplayName.validate(title)
        } catch {
            throw APIError.validation("body failed validation: body.properties.title.title \(error).")
        }
        page.properties.values = write.values
        dataSource?.schema = write.schema
        return (page, write.writtenIds)
    }

    private func respond(
        _ page: StoredPage,
        dataSource: DataSourceRecord?,
        principal: Principal,
        context: GatehouseRequestContext,
        only: [String] = []
    ) async throws -> Response {
        let users = try await WorkspaceUsers.load(for: principal, store: access.store, files: access.fileLinks)
        return JSONResponse.ok(
            ContentJSON.page(
                page,
                schema: dataSource?.schema ?? PropertyValueParser.pageParentSchema,
                databaseID: dataSource?.databaseID,
                users: users,
                version: context.version,
                only: only
            ),
            requestID: context.requestID
        )
    }
}

/// Reading the common fields of page and data source requests.
enum PageInput {
    enum Parent {
        case database(String)
        case dataSource(String)
        case page(String)
    }

    static func parent(_ body: JSONValue) throws(APIError) -> Parent {
        guard let parent = body["parent"], case .object = parent else {
            throw .validation("body failed validation: body.parent should be defined, instead was `undefined`.")
        }
        for (key, make) in [
            ("data_source_id", Parent.dataSource), ("database_id", Parent.database), ("page_id", Parent.page),
        ] {
            guard let value = parent[key] else { continue }
            guard let raw = value.stringValue, let id = ResourceID.canonical(raw) else {
                throw .validation("body failed validation: body.parent.\(key) should be a valid uuid.")
            }
            return make(id)
        }
        throw .validation("body failed validation: body.parent should have a data_source_id, database_id or page_id.")
    }

    static func flag(_ body: JSONValue, _ key: String) throws(APIError) -> Bool? {
        switch body[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?:
            throw .validation(
                "body failed validation: body.\(key) should be a boolean, instead was `\(other.typeName)`."
            )
        }
    }
}
