import GatehouseCore
import GatehouseStore
import Hummingbird
import Synchronization

/// `GET /v1/users/me`, `GET /v1/users`, `GET /v1/users/{id}`.
struct UsersController {
    let store: any Store
    let botBodies = BotUserBodies()

    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.get("users/me", use: me)
        group.get("users", use: list)
        group.get("users/:user_id", use: retrieve)
    }

    /// The bot user: needs no capability, and is served from the principal alone (no store access).
    @Sendable func me(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        JSONResponse.ok(openObject: botBodies.body(for: try context.requirePrincipal()), requestID: context.requestID)
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

/// The serialized bot user of each token in use, so `users/me` (which clients call to check a
/// token) costs no JSON building per request.
///
/// An entry is used only while the principal it was built from is unchanged: a renamed
/// integration or a changed capability gives the token a new principal and so a new body.
final class BotUserBodies: Sendable {
    private let bodies = Mutex<[String: (principal: Principal, openObject: [UInt8])]>([:])
    /// Past this many tokens the map starts over, so it stays small whatever the traffic.
    static let capacity = 4_096

    func body(for principal: Principal) -> [UInt8] {
        let cached = bodies.withLock { bodies -> [UInt8]? in
            guard let entry = bodies[principal.tokenID] else { return nil }
            if entry.principal.isIdentical(to: principal) { return entry.openObject }
            guard entry.principal == principal else { return nil }
            // An equal copy read from the store by a concurrent first request: keep the one the
            // cache serves, so that later requests match by identity, not field by field.
            bodies[principal.tokenID] = (principal, entry.openObject)
            return entry.openObject
        }
        if let cached { return cached }
        let body = JSONResponse.openObject(NotionObjects.bot(of: principal))
        bodies.withLock { bodies in
            if bodies.count >= Self.capacity { bodies.removeAll(keepingCapacity: true) }
            bodies[principal.tokenID] = (principal, body)
        }
        return body
    }

    /// The principal whose body is held for `tokenID` (for tests: which copy the map keeps).
    func heldPrincipal(tokenID: String) -> Principal? {
        bodies.withLock { $0[tokenID]?.principal }
    }
}
