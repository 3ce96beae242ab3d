import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `/forward-auth`: the endpoint a reverse proxy asks before it forwards a request to the
/// deployment's own API — nginx `auth_request`, Caddy `forward_auth`, Traefik `forwardAuth`, Envoy
/// `ext_authz` (HTTP mode, which calls `/forward-auth` + the original path with the original method).
///
/// The bearer token is authenticated exactly as `/v1` does it (cache, revocation, failed-auth
/// throttle, usage, audit), the route policy names the scopes the original request needs, and
/// the integration's plan limits apply. The answer is 200 with the identity headers for the
/// upstream and the rate-limit headers for the client, or the API's error object with 401, 403 or
/// 429 (and `Retry-After`). Every answer also carries `X-Gatehouse-Status` and, on a refusal,
/// the error object in `X-Gatehouse-Error`, because nginx discards the body of an `auth_request`
/// answer (see `docs/forward-auth.md`).
struct ForwardAuthController {
    let authentication: BearerAuthentication
    let rateLimit: RateLimitEnforcement
    let usageLimit: UsageLimitEnforcement
    let policy: RoutePolicySource

    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]

    func addRoutes(to router: Router<GatehouseRequestContext>) {
        for method in Self.methods {
            router.on("forward-auth", method: method, use: check)
            router.on("forward-auth/**", method: method, use: check)
        }
    }

    /// The request the proxy is about to forward.
    struct OriginalRequest: Equatable {
        var method: String
        var uri: String
        var host: String?

        /// From the headers each proxy sends: `X-Forwarded-Method`/`-Uri`/`-Host` (Caddy, Traefik,
        /// and the nginx configuration we document), `X-Original-Method`/`-URI` (nginx's usual
        /// names); without them, Envoy's form: this request's own method, its path after
        /// `/forward-auth`, and its `Host`.
        init(_ request: Request) {
            let headers = request.headers
            let path = request.uri.string
            let envoyURI = path.hasPrefix("/forward-auth/") ? String(path.dropFirst("/forward-auth".count)) : "/"
            method =
                headers[.xForwardedMethod] ?? headers[.xOriginalMethod] ?? request.method.rawValue
            uri = headers[.xForwardedURI] ?? headers[.xOriginalURI] ?? envoyURI
            host = headers[.xForwardedHost] ?? headers[.xOriginalHost] ?? request.head.authority ?? headers[.host]
        }
    }

    @Sendable func check(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let answer: Result<Principal, AuthenticationFailure>
        if let cached = authentication.cachedPrincipal(for: request) {
            answer = cached
        } else {
            answer = await authentication.principal(for: request)
        }
        let principal: Principal
        switch answer {
        case .success(let found):
            principal = found
        case .failure(let failure):
            do {
                let response = try await authentication.refusal(failure, of: request, context: context)
                let error =
                    response.status == .tooManyRequests ? APIError.rateLimited(.failedAuthentication) : failure.apiError
                return Self.describedForProxies(response, error: error, requestID: context.requestID)
            } catch {
                return Self.refusal(error, requestID: context.requestID)
            }
        }
        let original = OriginalRequest(request)
        switch policy.current.decision(method: original.method, uri: original.uri, host: original.host) {
        case .deny(let reason):
            let error = APIError(
                status: 403,
                code: "restricted_resource",
                message: "The route policy refuses this request: \(reason)."
            )
            return Self.refusal(error, requestID: context.requestID)
        case .requires(let scopes) where !principal.scopes.covers(scopes):
            let missing = scopes.names.filter { !principal.scopes.contains($0) }
            let error = APIError(
                status: 403,
                code: "restricted_resource",
                message:
                    "This token lacks the scope\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) that \(original.method) \(original.uri.prefix(200)) requires.",
                additionalData: ["required_scopes": scopes.spaceSeparated]
            )
            return Self.refusal(error, requestID: context.requestID)
        case .requires:
            break
        }
        let decision: RateLimitEnforcement.Decision
        if let decided = rateLimit.decisionFromMemory(for: principal) {
            decision = decided
        } else {
            decision = await rateLimit.decision(for: principal)
        }
        var response: Response
        if let refusal = rateLimit.refusal(decision, requestID: context.requestID),
            let reason = decision.outcome.refusal
        {
            response = Self.describedForProxies(refusal, error: .rateLimited(reason), requestID: context.requestID)
        } else {
            if let maxUses = principal.maxUses,
                let refusal = await usageLimit.refusal(for: principal, requestID: context.requestID)
            {
                let error =
                    refusal.status == .forbidden
                    ? UsageLimitEnforcement.exhausted(maxUses) : APIError.serviceUnavailable
                response = Self.describedForProxies(refusal, error: error, requestID: context.requestID)
            } else {
                response = Response(status: .ok)
                Self.identify(principal, on: &response.headers)
                response.headers[.gatehouseStatus] = "200"
            }
            rateLimit.stamp(decision, on: &response.headers)
        }
        authentication.recordUse(by: principal, status: response.status, of: request, context: context)
        return response
    }

    /// The identity headers the upstream reads; each is always present (empty when it does not
    /// apply), so a proxy that copies them replaces anything the client sent under those names.
    static func identify(_ principal: Principal, on headers: inout HTTPFields) {
        headers[.gatehouseIntegrationID] = principal.integrationID
        headers[.gatehouseBotID] = principal.botID
        headers[.gatehouseWorkspaceID] = principal.workspaceID
        if case .user(let id, _, _) = principal.owner {
            headers[.gatehouseUserID] = id
        } else {
            headers[.gatehouseUserID] = ""
        }
        headers[.gatehouseScopes] = principal.scopes.spaceSeparated
        headers[.gatehousePlan] = principal.plan.rawValue
    }

    /// The error object for `error`, described for proxies too.
    static func refusal(_ error: APIError, requestID: String) -> Response {
        describedForProxies(JSONResponse.error(error, requestID: requestID), error: error, requestID: requestID)
    }

    /// `response` (the error object of `error`) with its status and that object repeated in
    /// headers, for proxies that pass on only the headers of a refusal (nginx).
    static func describedForProxies(_ response: Response, error: APIError, requestID: String) -> Response {
        var response = response
        response.headers[.gatehouseStatus] = String(response.status.code)
        response.headers[.gatehouseError] = String(
            decoding: JSONResponse.errorBody(error, requestID: requestID),
            as: UTF8.self
        )
        return response
    }
}

extension HTTPField.Name {
    static let xForwardedMethod = HTTPField.Name("X-Forwarded-Method")!
    static let xForwardedURI = HTTPField.Name("X-Forwarded-Uri")!
    static let xForwardedHost = HTTPField.Name("X-Forwarded-Host")!
    static let xOriginalMethod = HTTPField.Name("X-Original-Method")!
    static let xOriginalURI = HTTPField.Name("X-Original-URI")!
    static let xOriginalHost = HTTPField.Name("X-Original-Host")!
    static let host = HTTPField.Name("Host")!
    static let gatehouseStatus = HTTPField.Name("X-Gatehouse-Status")!
    static let gatehouseError = HTTPField.Name("X-Gatehouse-Error")!
    static let gatehouseIntegrationID = HTTPField.Name("X-Gatehouse-Integration-Id")!
    static let gatehouseBotID = HTTPField.Name("X-Gatehouse-Bot-Id")!
    static let gatehouseWorkspaceID = HTTPField.Name("X-Gatehouse-Workspace-Id")!
    static let gatehouseUserID = HTTPField.Name("X-Gatehouse-User-Id")!
    static let gatehouseScopes = HTTPField.Name("X-Gatehouse-Scopes")!
    static let gatehousePlan = HTTPField.Name("X-Gatehouse-Plan")!
}
