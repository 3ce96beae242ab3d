import GatehouseCore
import GatehouseStore
import Hummingbird

/// `GET /v1/users/me`, `GET /v1/users`, `GET /v1/users/{id}`.
struct UsersController {
    let store: any Store

    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.get("users/me", use: me)
        group.get("users", use: list)
        group.get("users/:user_id", use: retrieve)
    }

    /// The bot user: needs no capability, and is served from the principal alone (no store
    /// access), serialized once per principal (clients call it to check a token).
    @Sendable func me(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        JSONResponse.ok(
            openObject: try context.requirePrincipal().botBody(orMake: Self.serializedBot),
            requestID: context.requestID
        )
    }

    /// `principal`'s bot user, serialized without its closing brace.
    static func serializedBot(of principal: Principal) -> [UInt8] {
        JSONResponse.openObject(NotionObjects.bot(of: principal))
    }

    @Sendable func list(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try requireUserInfo(principal)
        let page = try RequestInput.Page.from(query: request)
        let users = try await workspaceUsers(of: principal)
        let (results, next) = try page.slice(users) { $0.0 }
        return JSONResponse.ok(
            NotionObjects.list(results.map(\.1), nextCursor: next, type: "user"),
            requestID: context.requestID
        )
    }

    @Sendable func retrieve(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try requireUserInfo(principal)
        let id = try RequestInput.pathID(context, "user_id")
        guard let user = try await workspaceUsers(of: principal).first(where: { $0.0 == id }) else {
            throw APIError.notFound("user", id: id, integrationName: principal.integrationName, botID: principal.botID)
        }
        return JSONResponse.ok(user.1, requestID: context.requestID)
    }

    private func requireUserInfo(_ principal: Principal) throws(APIError) {
        guard principal.capabilities.userInfo != .none else { throw .missingCapability }
    }

    /// The workspace's people, then its integrations' bots, as (id, JSON) pairs.
    private func workspaceUsers(of principal: Principal) async throws -> [(String, JSONValue)] {
        let people = try await store.people(workspaceID: principal.workspaceID).map {
            ($0.id, NotionObjects.person($0, userInfo: principal.capabilities.userInfo))
        }
        let bots = try await store.integrations(workspaceID: principal.workspaceID).map { integration in
            (
                integration.botID,
                integration.botID == principal.botID
                    ? NotionObjects.bot(of: principal) : NotionObjects.otherBot(integration)
            )
        }
        return people + bots
    }
}
