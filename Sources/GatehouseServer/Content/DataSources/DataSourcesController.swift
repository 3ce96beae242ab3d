import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore
import Hummingbird

/// `POST /v1/data_sources`, `GET|PATCH /v1/data_sources/{id}`, `POST /v1/data_sources/{id}/query`,
/// `GET /v1/data_sources/{id}/templates` (Notion-Version 2025-09-03 and later).
struct DataSourcesController {
    let access: ContentAccess
    let bodyLimit: Int
    let clock: any WallClock
    let pageQuery: DataSourceQuery

    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.post("data_sources", use: create)
        group.get("data_sources/:data_source_id", use: retrieve)
        group.patch("data_sources/:data_source_id", use: update)
        group.post("data_sources/:data_source_id/query", use: query)
        group.get("data_sources/:data_source_id/templates", use: templates)
    }

    /// Adds a data source to a database the integration can see (needs `insert_content`).
    @Sendable func create(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.insertContent, of: principal)
        guard let raw = body["parent"]?["database_id"]?.stringValue, let databaseID = ResourceID.canonical(raw) else {
            throw APIError.validation("body failed validation: body.parent.database_id should be a valid uuid.")
        }
        let database = try await access.database(databaseID, for: principal)
        var ids = RandomShortIds()
        let schema = try ContentJSON.validated { try SchemaParser.create(body["properties"], ids: &ids) }
        let now = clock.now()
        var dataSource = DataSourceRecord(
            id: UUIDv4.string(),
            databaseID: database.id,
            workspaceID: database.workspaceID,
            name: try ContentJSON.plainText(body["title"], at: "body.title") ?? "",
            schema: schema,
            createdAt: now,
            lastEditedAt: now,
            createdBy: principal.botID,
            lastEditedBy: principal.botID
        )
        let related = try await RelatedDataSources(access: access)
            .reconcile(&dataSource, previous: DataSourceSchema(), principal: principal, at: now)
        let created = dataSource
        try await RelatedDataSources.commit(related, of: created.id, workspaceID: created.workspaceID, in: access.store)
        { store in
            try await store.createDataSource(created)
            try await store.recordWebhookEvent(
                WebhookEvents.dataSource(.dataSourceCreated, created.id, by: principal, at: now)
            )
        }
        return try await respond(dataSource, database: database, principal: principal, context: context)
    }

    @Sendable func retrieve(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "data_source_id")
        try access.policy.require(.readContent, of: principal)
        let dataSource = try await access.dataSource(id, for: principal)
        return try await respond(dataSource, principal: principal, context: context)
    }

    /// Renames, changes the schema of, trashes or restores a data source (needs `update_content`).
    @Sendable func update(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "data_source_id")
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.updateContent, of: principal)
        var dataSource = try await access.dataSource(id, for: principal)
        let previous = dataSource.schema
        let reindex = body["properties"].map { !$0.isNull } ?? false
        if reindex {
            var ids = RandomShortIds()
            let schema = dataSource.schema
            dataSource.schema = try ContentJSON.validated {
                try SchemaParser.update(schema, with: body["properties"], ids: &ids)
            }
        }
        if let title = try ContentJSON.plainText(body["title"], at: "body.title") { dataSource.name = title }
        let wasInTrash = dataSource.inTrash
        if let trash = try PageInput.flag(body, "in_trash") ?? PageInput.flag(body, "archived") {
            dataSource.inTrash = trash
        }
        let now = clock.now()
        dataSource.lastEditedAt = now
        dataSource.lastEditedBy = principal.botID
        var related = RelatedDataSources.Changes()
        if reindex {
            related = try await RelatedDataSources(access: access)
                .reconcile(&dataSource, previous: previous, principal: principal, at: now)
        }
        let updated = dataSource
        var events: [WebhookEvent] = []
        let schemaChanges = WebhookSchemaChanges.between(previous, updated.schema)
        if !schemaChanges.isEmpty {
            events.append(
                WebhookEvents.dataSource(
                    .dataSourceSchemaUpdated,
                    id,
                    by: principal,
                    at: now,
                    data: [("updated_properties", .array(schemaChanges))]
                )
            )
        }
        if updated.inTrash != wasInTrash {
            events.append(
                WebhookEvents.dataSource(
                    updated.inTrash ? .dataSourceDeleted : .dataSourceUndeleted,
                    id,
                    by: principal,
                    at: now
                )
            )
        }
        try await RelatedDataSources.commit(related, of: updated.id, workspaceID: updated.workspaceID, in: access.store)
        { [events] store in
            try await store.updateDataSource(updated, reindex: reindex)
            try await store.recordWebhookEvents(events)
        }
        return try await respond(dataSource, principal: principal, context: context)
    }

    @Sendable func query(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "data_source_id")
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.readContent, of: principal)
        let dataSource = try await access.dataSource(id, for: principal)
        return
            try await pageQuery
            .respond(dataSource, body: body, request: request, context: context, principal: principal)
    }

    /// No templates: Gatehouse has none to offer (`{templates: [], has_more: false}`).
    @Sendable func templates(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "data_source_id")
        try access.policy.require(.readContent, of: principal)
        _ = try await access.dataSource(id, for: principal)
        let json: JSONValue = [
            "object": "list", "templates": [], "results": [], "has_more": false, "next_cursor": nil,
        ]
        return JSONResponse.ok(json, requestID: context.requestID)
    }

    private func respond(
        _ dataSource: DataSourceRecord,
        database: DatabaseRecord? = nil,
        principal: Principal,
        context: GatehouseRequestContext
    ) async throws -> Response {
        var database = database
        if database == nil { database = try await access.store.database(id: dataSource.databaseID) }
        guard let database else { throw APIError.invalidRequestURL }
        return JSONResponse.ok(
            ContentJSON.dataSource(
                dataSource,
                database: database,
                requester: principal.botID,
                version: context.version
            ),
            requestID: context.requestID
        )
    }
}
