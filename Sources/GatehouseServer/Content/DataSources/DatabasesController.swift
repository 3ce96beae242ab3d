import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore
import Hummingbird

/// `GET|POST /v1/databases`, `GET|PATCH /v1/databases/{id}`, `POST /v1/databases/{id}/query`.
///
/// At 2025-09-03 and later a database is a container listing its data sources; before, it carries
/// its (first) data source's `properties` and is queried directly. The same rows answer both.
struct DatabasesController {
    let access: ContentAccess
    let bodyLimit: Int
    let clock: any WallClock
    let pageQuery: DataSourceQuery

    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.get("databases", use: list)
        group.post("databases", use: create)
        group.get("databases/:database_id", use: retrieve)
        group.patch("databases/:database_id", use: update)
        group.post("databases/:database_id/query", use: query)
    }

    /// The databases shared with the integration explicitly (the seed's test call; deprecated in
    /// Notion since 2022-02-22 but still what the seed shows).
    @Sendable func list(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try access.policy.require(.readContent, of: principal)
        let page = try RequestInput.Page.from(query: request)
        let shares = try await access.store.shares(integrationID: principal.integrationID)
        let databases = try await access.store.databases(workspaceID: principal.workspaceID).filter {
            shares.contains($0.id)
        }
        let (results, next) = try page.slice(databases) { $0.id }
        var json: [JSONValue] = []
        for database in results { json.append(try await render(database, principal: principal, context: context)) }
        return JSONResponse.ok(
            NotionObjects.list(json, nextCursor: next, type: "database"),
            requestID: context.requestID
        )
    }

    /// Creates a database under a page the integration can see (needs `insert_content`), with its
    /// first data source: `initial_data_source.properties` from 2025-09-03, `properties` before.
    @Sendable func create(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.insertContent, of: principal)
        guard let raw = body["parent"]?["page_id"]?.stringValue, let parentID = ResourceID.canonical(raw) else {
            throw APIError.validation("body failed validation: body.parent.page_id should be a valid uuid.")
        }
        if try await access.pageWithTrash(parentID, for: principal).inTrash { throw BlockTarget.archivedAncestorError }
        let (properties, path) =
            context.version.usesDataSources
            ? (body["initial_data_source"]?["properties"], "body.initial_data_source.properties")
            : (body["properties"], "body.properties")
        var ids = RandomShortIds()
        var schema = DataSourceDefaults.titleOnlySchema
        if let properties, !properties.isNull {
            schema = try ContentJSON.validated { try SchemaParser.create(properties, at: path, ids: &ids) }
        }
        let now = clock.now()
        let database = DatabaseRecord(
            id: UUIDv4.string(),
            workspaceID: principal.workspaceID,
            title: try ContentJSON.plainText(body["title"], at: "body.title") ?? "",
            parentPageID: parentID,
            createdAt: now,
            lastEditedAt: now,
            createdBy: principal.botID,
            lastEditedBy: principal.botID
        )
        let reference = BlockAppendTarget(
            parent: .page(id: parentID),
            pageID: parentID,
            workspaceID: principal.workspaceID,
            userID: principal.botID,
            time: now
        )
        // The first data source has the database's id and title.
        var first = DataSourceRecord(
            id: database.id,
            databaseID: database.id,
            workspaceID: database.workspaceID,
            name: database.title,
            schema: schema,
            createdAt: now,
            lastEditedAt: now
        )
        let related = try await RelatedDataSources(access: access)
            .reconcile(&first, previous: DataSourceSchema(), principal: principal, at: now)
        let initialSchema = first.schema
        try await RelatedDataSources.commit(
            related,
            of: database.id,
            workspaceID: database.workspaceID,
            in: access.store
        ) { store in
            try await store.createDatabase(database, schema: initialSchema)
            try await store.appendChildReference(
                id: database.id,
                content: .childDatabase(title: database.title),
                to: reference
            )
            try await store.recordWebhookEvents([
                WebhookEvents.database(.databaseCreated, database.id, by: principal, at: now),
                WebhookEvents.pageContent(parentID, blocks: [(database.id, "database")], by: principal, at: now),
            ])
        }
        return JSONResponse.ok(
            try await render(database, principal: principal, context: context),
            requestID: context.requestID
        )
    }

    @Sendable func retrieve(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "database_id")
        try access.policy.require(.readContent, of: principal)
        let database = try await access.database(id, for: principal)
        return JSONResponse.ok(
            try await render(database, principal: principal, context: context),
            requestID: context.requestID
        )
    }

    /// Renames a database; before 2025-09-03 also changes its (first) data source's schema
    /// (needs `update_content`).
    @Sendable func update(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "database_id")
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.updateContent, of: principal)
        var database = try await access.database(id, for: principal)
        let now = clock.now()
        if let properties = body["properties"], !properties.isNull, !context.version.usesDataSources,
            var dataSource = try await access.store.dataSources(databaseID: database.id).first
        {
            var ids = RandomShortIds()
            let schema = dataSource.schema
            dataSource.schema = try ContentJSON.validated {
                try SchemaParser.update(schema, with: properties, ids: &ids)
            }
            dataSource.lastEditedAt = now
            dataSource.lastEditedBy = principal.botID
            let related = try await RelatedDataSources(access: access)
                .reconcile(&dataSource, previous: schema, principal: principal, at: now)
            let updated = dataSource
            try await RelatedDataSources.commit(
                related,
                of: updated.id,
                workspaceID: updated.workspaceID,
                in: access.store
            ) { store in
                try await store.updateDataSource(updated, reindex: true)
                let changes = WebhookSchemaChanges.between(schema, updated.schema)
                if !changes.isEmpty {
                    try await store.recordWebhookEvent(
                        WebhookEvents.dataSource(
                            .dataSourceSchemaUpdated,
                            updated.id,
                            by: principal,
                            at: now,
                            data: [("updated_properties", .array(changes))]
                        )
                    )
                }
            }
        }
        if let title = try ContentJSON.plainText(body["title"], at: "body.title") { database.title = title }
        database.lastEditedAt = now
        database.lastEditedBy = principal.botID
        try await access.store.updateDatabase(database)
        return JSONResponse.ok(
            try await render(database, principal: principal, context: context),
            requestID: context.requestID
        )
    }

    /// Queries the database's first data source (the pre-2025 endpoint; later versions query data sources).
    @Sendable func query(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "database_id")
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.readContent, of: principal)
        let database = try await access.database(id, for: principal)
        guard let dataSource = try await access.store.dataSources(databaseID: database.id).first else {
            throw APIError.notFound(
                "database",
                id: id,
                integrationName: principal.integrationName,
                botID: principal.botID
            )
        }
        return
            try await pageQuery
            .respond(dataSource, body: body, request: request, context: context, principal: principal)
    }

    private func render(
        _ database: DatabaseRecord,
        principal: Principal,
        context: GatehouseRequestContext
    ) async throws -> JSONValue {
        ContentJSON.database(
            database,
            dataSources: try await access.store.dataSources(databaseID: database.id),
            requester: principal.botID,
            version: context.version
        )
    }
}
