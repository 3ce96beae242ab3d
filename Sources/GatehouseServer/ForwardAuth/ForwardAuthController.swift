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
        init(_ head: HTTPRequest) {
            let headers = head.headerFields
            let path = head.path ?? "/"
            let envoyURI = path.hasPrefix("/forward-auth/") ? String(path.dropFirst("/forward-auth".count)) : "/"
            method = headers[.xForwardedMethod] ?? headers[.xOriginalMethod] ?? head.method.rawValue
            uri = headers[.xForwardedURI] ?? headers[.xOriginalURI] ?? envoyURI
            host = headers[.xForwardedHost] ?? headers[.xOriginalHost] ?? head.authority ?? headers[.host]
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
        if let error = policyRefusal(of: OriginalRequest(request.head), for: principal) {
            return Self.refusal(error, requestID: context.requestID)
        }
        let decision: RateLimitEnforcement.Decision
        if let decided = rateLimit.decisionFromMemory(for: principal) {
            decision = decided
        } else {
            decision = await rateLimit.decision(for: principal)
        }
        var response: Response
        if decision.outcome.isAllowed, let maxUses = principal.maxUses,
            let refusal = await usageLimit.refusal(for: principal, requestID: context.requestID)
        {
            let error =
                refusal.status == .forbidden ? UsageLimitEnforcement.exhausted(maxUses) : APIError.serviceUnavailable
            response = Self.describedForProxies(refusal, error: error, requestID: context.requestID)
            rateLimit.stamp(decision, on: &response.headers)
        } else {
            response = admission(of: principal, decision, requestID: context.requestID).response
        }
        authentication.recordUse(
            by: principal,
            status: response.status,
            address: context.remoteAddress,
            userAgent: request.headers.clippedUserAgent
        )
        return response
    }

    /// The route policy's refusal of `original` for `principal`: a route it denies, or scopes the
    /// token lacks; `nil` when the policy lets it through.
    func policyRefusal(of original: OriginalRequest, for principal: Principal) -> APIError? {
        switch policy.current.decision(method: original.method, uri: original.uri, host: original.host) {
        case .deny(let reason):
            return APIError(
                status: 403,
                code: "restricted_resource",
                message: "The route policy refuses this request: \(reason)."
            )
        case .requires(let scopes) where !principal.scopes.covers(scopes):
            let missing = scopes.names.filter { !principal.scopes.contains($0) }
            return APIError(
                status: 403,
                code: "restricted_resource",
                message:
                    "This token lacks the scope\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) that \(original.method) \(original.uri.prefix(200)) requires.",
                additionalData: ["required_scopes": scopes.spaceSeparated]
            )
        case .requires:
            return nil
        }
    }

    /// The answer for a request the policy lets through, once its rate limit is decided (and any
    /// usage limit has a use left): 200 with the identity, or the limit's 429; either with the
    /// rate-limit headers.
    func admission(
        of principal: Principal,
        _ decision: RateLimitEnforcement.Decision,
        requestID: String
    ) -> PreparedAnswer {
        var answer: PreparedAnswer
        if let reason = decision.outcome.refusal {
            rateLimit.metrics.recordRateLimited(reason: reason.rawValue)
            answer = Self.refusalAnswer(.rateLimited(reason), requestID: requestID)
            answer.headers.append(
                HTTPField(name: .retryAfter, value: String(max(1, decision.outcome.retryAfterSeconds)))
            )
        } else {
            answer = PreparedAnswer(status: .ok, headers: HTTPFields())
            answer.headers.reserveCapacity(18)
            Self.identify(principal, on: &answer.headers)
            answer.headers.append(Self.admitted)
        }
        rateLimit.stamp(decision, on: &answer.headers)
        return answer
    }

    private static let admitted = HTTPField(name: .gatehouseStatus, value: "200")

    /// The identity headers the upstream reads; each is always present (empty when it does not
    /// apply), so a proxy that copies them replaces anything the client sent under those names.
    static func identify(_ principal: Principal, on headers: inout HTTPFields) {
        // Appended, not set: the answers passed here carry none of these fields yet.
        headers.append(HTTPField(name: .gatehouseIntegrationID, value: principal.integrationID))
        headers.append(HTTPField(name: .gatehouseBotID, value: principal.botID))
        headers.append(HTTPField(name: .gatehouseWorkspaceID, value: principal.workspaceID))
        if case .user(let id, _, _) = principal.owner {
            headers.append(HTTPField(name: .gatehouseUserID, value: id))
        } else {
            headers.append(HTTPField(name: .gatehouseUserID, value: ""))
        }
        headers.append(HTTPField(name: .gatehouseScopes, value: principal.scopes.spaceSeparated))
        headers.append(HTTPField(name: .gatehousePlan, value: principal.plan.rawValue))
    }

    /// The error object for `error`, described for proxies too.
    static func refusal(_ error: APIError, requestID: String) -> Response {
        refusalAnswer(error, requestID: requestID).response
    }

    /// The error object for `error` with its status, and that object repeated in headers for
    /// proxies that pass on only the headers of a refusal (nginx).
    static func refusalAnswer(_ error: APIError, requestID: String) -> PreparedAnswer {
        let body = JSONResponse.errorBody(error, requestID: requestID)
        var answer = PreparedAnswer(status: HTTPResponse.Status(code: error.status), headers: JSONResponse.headers())
        answer.headers.append(HTTPField(name: .gatehouseStatus, value: String(error.status)))
        answer.headers.append(HTTPField(name: .gatehouseError, value: String(decoding: body, as: UTF8.self)))
        answer.body = body
        return answer
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

extension ForwardAuthController: InlineResponder {
    /// Requests without a body to `/forward-auth` and `/forward-auth/…`; not `HEAD`, whose
    /// answers must drop the body a refusal carries (the router's business).
    func bodyLimit(for head: HTTPRequest) -> Int? {
        guard let path = head.path, path.hasPrefix("/forward-auth"), head.method != .head,
            Self.methods.contains(head.method)
        else { return nil }
        // `/forward-auth`, `/forward-auth?…` or `/forward-auth/x…`: the router's own reading of the
        // path (and its route label) for anything else, such as `/forward-auth//x`.
        let rest = path.utf8.dropFirst("/forward-auth".utf8.count)
        guard let first = rest.first else { return 0 }
        if first == UInt8(ascii: "?") { return 0 }
        guard first == UInt8(ascii: "/"), let second = rest.dropFirst().first,
            second != UInt8(ascii: "/"), second != UInt8(ascii: "?"), second != UInt8(ascii: "#")
        else { return nil }
        return 0
    }

    /// The answer ``check(_:context:)`` gives when the token is cached, the rate limit is decided
    /// from memory, and the token has no usage limit; `nil` otherwise.
    func answer(_ request: InlineRequest) -> (answer: PreparedAnswer, route: String)? {
        let headers = request.head.headerFields
        guard case .success(let principal)? = authentication.cachedPrincipal(for: headers) else { return nil }
        let route = request.head.path?.hasPrefix("/forward-auth/") == true ? "/forward-auth/**" : "/forward-auth"
        if let error = policyRefusal(of: OriginalRequest(request.head), for: principal) {
            return (Self.refusalAnswer(error, requestID: request.requestID), route)
        }
        guard principal.maxUses == nil, let decision = rateLimit.decisionFromMemory(for: principal) else {
            return nil
        }
        let answer = admission(of: principal, decision, requestID: request.requestID)
        authentication.recordUse(
            by: principal,
            status: answer.status,
            address: request.clientAddress,
            userAgent: headers.clippedUserAgent
        )
        return (answer, route)
    }
}
