import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import Synchronization

/// The OAuth endpoints that clients call directly: `POST /v1/oauth/token`, `/introspect`,
/// `/revoke`, and the RFC 8414 metadata. They need no `Notion-Version` and no bearer token (a
/// generic OAuth client sends neither); they authenticate the client instead.
struct OAuthController {
    let service: OAuthService
    let issuer: OAuthIssuer
    /// Failed client authentications per IP, as for bearer tokens.
    let failureThrottle: RateLimiter
    let failureAllowance: RatePlan
    let metrics: ServerMetrics
    /// The deployment's declared scopes, listed in the metadata beside Notion's capabilities.
    let routePolicy: RoutePolicySource
    /// Whether `POST /v1/oauth/register` accepts clients (RFC 7591), so the metadata names it.
    let registrationOpen: Bool

    func addRoutes(to router: Router<GatehouseRequestContext>) {
        router.post("v1/oauth/token", use: token)
        router.post("v1/oauth/introspect", use: introspect)
        router.post("v1/oauth/revoke", use: revoke)
        router.get(".well-known/oauth-authorization-server", use: metadata)
    }

    @Sendable func token(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withClient(request, context) { parameters, app, origin in
            if let resource = parameters["resource"],
                let problem = ResourceIndicator.problem([resource], issuer: issuer.value)
            {
                throw problem
            }
            switch parameters["grant_type"] {
            case "authorization_code":
                guard let code = parameters["code"] else { throw OAuthError.invalidRequest("code is required.") }
                let grant = try await service.exchange(
                    code: code,
                    redirectURI: parameters["redirect_uri"],
                    codeVerifier: parameters["code_verifier"],
                    app: app,
                    origin: origin
                )
                return OAuthJSON.tokenResponse(grant, app: app)
            case "refresh_token":
                guard let refreshToken = parameters["refresh_token"] else {
                    throw OAuthError.invalidRequest("refresh_token is required.")
                }
                let grant = try await service.refresh(
                    refreshToken: refreshToken,
                    scope: parameters["scope"],
                    app: app,
                    origin: origin
                )
                return OAuthJSON.tokenResponse(grant, app: app)
            case nil:
                throw OAuthError.invalidRequest("grant_type is required.")
            case let other?:
                throw OAuthError.unsupportedGrantType(other)
            }
        }
    }

    @Sendable func introspect(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withClient(request, context) { parameters, app, _ in
            guard let token = parameters["token"] else { throw OAuthError.invalidRequest("token is required.") }
            return OAuthJSON.introspection(try await service.introspect(token: token, app: app))
        }
    }

    @Sendable func revoke(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try await withClient(request, context) { parameters, app, origin in
            guard let token = parameters["token"] else { throw OAuthError.invalidRequest("token is required.") }
            try await service.revoke(token: token, app: app, origin: origin)
            return .object([])
        }
    }

    @Sendable func metadata(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let base = issuer.value
        var members: [(String, JSONValue)] = [
            ("issuer", .string(base)),
            ("authorization_endpoint", .string(base + "/v1/oauth/authorize")),
            ("token_endpoint", .string(base + "/v1/oauth/token")),
            ("introspection_endpoint", .string(base + "/v1/oauth/introspect")),
            ("revocation_endpoint", .string(base + "/v1/oauth/revoke")),
            ("response_types_supported", ["code"]),
            ("response_modes_supported", ["query"]),
            ("grant_types_supported", ["authorization_code", "refresh_token"]),
            ("code_challenge_methods_supported", ["S256"]),
            ("token_endpoint_auth_methods_supported", ["client_secret_basic", "client_secret_post", "none"]),
            ("introspection_endpoint_auth_methods_supported", ["client_secret_basic", "client_secret_post"]),
            ("revocation_endpoint_auth_methods_supported", ["client_secret_basic", "client_secret_post"]),
            ("authorization_response_iss_parameter_supported", true),
            (
                "scopes_supported",
                .array((Capabilities.allNames + routePolicy.current.scopes.map(\.name)).map(JSONValue.string))
            ),
        ]
        if registrationOpen { members.insert(("registration_endpoint", .string(base + "/v1/oauth/register")), at: 5) }
        return JSONResponse.ok(.object(members), requestID: context.requestID)
    }

    /// Reads the parameters, authenticates the client, runs `body`, and answers in JSON with the
    /// headers RFC 6749 §5.1 asks of token responses; every failure in both error vocabularies.
    private func withClient(
        _ request: Request,
        _ context: GatehouseRequestContext,
        _ body: ([String: String], Integration, OAuthService.Origin) async throws -> JSONValue
    ) async throws -> Response {
        let origin = OAuthService.Origin(
            address: context.remoteAddress,
            userAgent: request.clippedUserAgent,
            requestID: context.requestID
        )
        var basicUsed = false
        var response: Response
        do {
            let parameters = try await Self.parameters(of: request)
            let credentials = try OAuthClientCredentials(
                authorization: request.headers[values: .authorization],
                parameters: parameters
            )
            basicUsed = credentials.viaBasic
            let app: Integration
            do {
                app = try await service.authenticateClient(credentials)
            } catch let error as OAuthError {
                return try await refuseClient(error, basicUsed: basicUsed, origin: origin)
            }
            response = JSONResponse.ok(try await body(parameters, app, origin), requestID: context.requestID)
        } catch let error as OAuthError where error.error == "invalid_client" {
            return try await refuseClient(error, basicUsed: basicUsed, origin: origin)
        } catch let error as OAuthError {
            response = JSONResponse.error(error.apiError, requestID: context.requestID)
        } catch let error as APIError {
            var error = error
            error.oauthError = "invalid_request"
            response = JSONResponse.error(error, requestID: context.requestID)
        }
        response.headers.append(contentsOf: Self.noStore)
        return response
    }

    /// RFC 6749 §5.1: token responses are not to be cached. Appended: JSON responses carry
    /// neither field.
    private static let noStore = [
        HTTPField(name: .cacheControl, value: "no-store"), HTTPField(name: .pragma, value: "no-cache"),
    ]

    /// 401 `invalid_client`, audited; past the per-IP allowance, 429 instead.
    private func refuseClient(
        _ error: OAuthError,
        basicUsed: Bool,
        origin: OAuthService.Origin
    ) async throws
        -> Response
    {
        let outcome = failureThrottle.check(key: origin.throttleKey, plan: failureAllowance)
        metrics.recordAuthenticationFailure(reason: "invalid_client")
        var response: Response
        if outcome.isAllowed {
            await service.audit(
                "oauth.client_auth_failed",
                actor: origin.ip,
                target: nil,
                outcome: "failure",
                origin: origin
            )
            response = JSONResponse.error(error.apiError, requestID: origin.requestID)
            if basicUsed { response.headers[.wwwAuthenticate] = "Basic realm=\"gatehouse\", charset=\"UTF-8\"" }
        } else {
            var refusal = APIError.rateLimited(.failedAuthentication)
            refusal.oauthError = "invalid_client"
            response = RateLimitHeaders.tooManyRequests(
                refusal,
                outcome: outcome,
                policy: "failed_auth",
                requestID: origin.requestID
            )
        }
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The request's parameters, from a form body (RFC 6749) or a JSON body (Notion's clients).
    /// Repeated or non-string parameters are refused.
    static func parameters(of request: Request) async throws -> [String: String] {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        if FormFields.isMediaType(request.headers.first(.contentType)) {
            let fields = FormFields(body: buffer)
            var parameters: [String: String] = [:]
            for (name, values) in fields.values {
                guard values.count == 1 else { throw OAuthError.invalidRequest("The parameter \(name) is repeated.") }
                parameters[name] = values[0]
            }
            return parameters
        }
        guard buffer.readableBytes > 0 else { return [:] }
        let value: JSONValue
        do {
            value = try JSONValue.parse(Data(buffer.readableBytesView))
        } catch {
            throw APIError.invalidJSON
        }
        guard case .object(let members) = value else {
            throw OAuthError.invalidRequest("The body should be a JSON object.")
        }
        var parameters: [String: String] = [:]
        for (name, member) in members {
            switch member {
            case .string(let text): parameters[name] = text
            case .null: continue
            default:
                // external_account (Link Preview integrations) is accepted and ignored.
                if name == "external_account" { continue }
                throw OAuthError.invalidRequest("body.\(name.prefix(40)) should be a string.")
            }
        }
        return parameters
    }
}

/// The authorization server's issuer URL (RFC 8414, RFC 9207): the configured public URL, or
/// `http://<host>:<port>` once the server knows its port.
public final class OAuthIssuer: Sendable {
    private let storage: Mutex<String>

    public init(_ value: String) {
        storage = Mutex(value)
    }

    public var value: String { storage.withLock { $0 } }

    public func set(_ value: String) {
        storage.withLock { $0 = value }
    }
}

extension HTTPField.Name {
    static let pragma = HTTPField.Name("Pragma")!
}
