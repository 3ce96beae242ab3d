import Foundation
import GatehouseAdmin
import GatehouseCore
import HTTPTypes
import Hummingbird

/// `POST /v1/oauth/register`: RFC 7591 dynamic client registration, as MCP clients register
/// themselves before the authorization code flow. Each registration is a public integration of
/// the operator's registration workspace, holding ``ClientRegistration/capabilities``; nothing is
/// reachable through it until a person consents and picks pages.
///
/// Open to anyone who can reach the server, so each client address may register a few clients
/// an hour (``allowance``), and the endpoint exists only where the operator enabled it.
struct ClientRegistrationController {
    let admin: AdminOperations
    /// The workspace that owns registered clients.
    let workspaceID: String
    let throttle: RateLimiter
    /// Ten registrations, then one every six minutes, per client address.
    static let allowance = RatePlan(requestsPerSecond: 1.0 / 360, burst: 10, dailyQuota: nil)

    func addRoutes(to router: Router<GatehouseRequestContext>) {
        router.post("v1/oauth/register", use: register)
    }

    @Sendable func register(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let outcome = throttle.check(key: "register:" + context.clientThrottleKey, plan: Self.allowance)
        guard outcome.isAllowed else {
            var refusal = APIError.rateLimited(.clientRegistration)
            refusal.oauthError = "invalid_request"
            return RateLimitHeaders.tooManyRequests(
                refusal,
                outcome: outcome,
                policy: "registration",
                requestID: context.requestID
            )
        }
        // JSON only (RFC 7591 §3.1): a page elsewhere cannot post it from a visitor's browser
        // without a CORS preflight, which this server never grants.
        guard request.headers[.contentType].map(Self.isJSON) == true else {
            return Self.refusal(.metadata("The body should be JSON, sent as Content-Type: application/json."))
        }
        var request = request
        let body = try await request.collectBody(upTo: 16 * 1024)
        let registration: ClientRegistration
        do {
            registration = try ClientRegistration.parse(try JSONValue.parse(Data(body.readableBytesView)))
        } catch let error as ClientRegistrationError {
            return Self.refusal(error)
        } catch {
            return Self.refusal(.metadata("The body is not valid JSON."))
        }
        let (app, secret) = try await admin.createPublicIntegration(
            workspaceID: workspaceID,
            name: registration.clientName,
            capabilities: ClientRegistration.capabilities,
            redirectURIs: registration.redirectURIs,
            expiringTokens: true,
            withSecret: registration.confidential,
            registeredFrom: context.clientIP
        )
        guard let client = app.oauthClient else { throw APIError.internalError }
        var members: [(String, JSONValue)] = [
            ("client_id", .string(client.clientID)),
            ("client_id_issued_at", .number(app.createdAt.timeIntervalSince1970.rounded(.down))),
            ("client_name", .string(app.name)),
            ("redirect_uris", .array(client.redirectURIs.map(JSONValue.string))),
            // Both, whatever was asked: the tokens expire, and a refresh token comes with each.
            ("grant_types", ["authorization_code", "refresh_token"]),
            ("response_types", ["code"]),
            ("token_endpoint_auth_method", .string(registration.tokenEndpointAuthMethod)),
            ("scope", .string(app.capabilities.names(joinedBy: " "))),
        ]
        if let secret {
            members.insert(("client_secret", .string(secret)), at: 1)
            members.insert(("client_secret_expires_at", 0), at: 3)
        }
        var response = JSONResponse.raw(JSONValue.object(members).serializedBytes(), status: .created)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    static func isJSON(_ contentType: String) -> Bool {
        contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            == "application/json"
    }

    /// 400 with RFC 7591's `error` and `error_description`.
    static func refusal(_ error: ClientRegistrationError) -> Response {
        let body: JSONValue = ["error": .string(error.error), "error_description": .string(error.description)]
        var response = JSONResponse.raw(body.serializedBytes(), status: .badRequest)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
