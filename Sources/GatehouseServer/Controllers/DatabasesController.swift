import GatehouseCore
import GatehouseStore
import Hummingbird

/// `GET /v1/databases`, `GET /v1/databases/{id}`, `POST /v1/databases/{id}/query`.
struct DatabasesController {
    let access: ContentAccess
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.get("databases", use: list)
        group.get("databases/:database_id", use: retrieve)
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
        let json = results.map { NotionObjects.database($0, createdBy: principal.botID, version: context.version) }
        return JSONResponse.ok(
            NotionObjects.list(json, nextCursor: next, type: "database"),
            requestID: context.requestID
        )
    }

    @Sendable func retrieve(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "database_id")
        try access.policy.require(.readContent, of: principal)
        let database = try await access.database(id, for: principal)
        return JSONResponse.ok(
            NotionObjects.database(database, createdBy: principal.botID, version: context.version),
            requestID: context.requestID
        )
    }

    @Sendable func query(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "database_id")
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.readContent, of: principal)
        let page = try RequestInput.Page.from(body: body)
        let database = try await access.database(id, for: principal)
        let pages = try await access.store.pages(databaseID: database.id).filter { !$0.archived }
        let (results, next) = try page.slice(pages) { $0.id }
        return JSONResponse.ok(
            NotionObjects.list(
                results.map { NotionObjects.page($0, version: context.version) },
                nextCursor: next,
                type: "page_or_database"
            ),
            requestID: context.requestID
        )
    }
}
