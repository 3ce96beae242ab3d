import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /verify`: for application code that cannot sit behind a proxy. A service presents its
/// own verifier key (`Authorization: Bearer gvk_…`) and the token a client sent it, optionally
/// with the scopes the call needs and the client's address; the answer says whether the token is
/// valid, whom it identifies, its scopes and the rate-limit outcome (a permit is taken, as for any
/// request of the token's). Only a verifier key can ask, so the endpoint is no oracle for clients.
///
/// Request: `{"token": "secret_…", "scopes": ["orders:read"], "client_ip": "203.0.113.9"}`.
/// Answer (200 whenever the verifier key is good): `{"object": "verification", "valid": true,
/// "integration_id", "bot_id", "workspace_id", "user_id", "scopes", "plan", "rate_limit": {…}}`, or
/// `"valid": false` with the `code` and `message` the API would have answered (`unauthorized`,
/// `restricted_resource` for a missing scope, `rate_limited`).
struct VerifyController {
    let authenticator: Authenticator
    let rateLimit: RateLimitEnforcement
    let usageLimit: UsageLimitEnforcement
    let usage: UsageRecorder

    static let bodyLimit = 16 * 1024

    /// The request body; every member optional, so that a missing one is our own clear error.
    struct VerifyRequest: Decodable {
        var token: String?
        var scopes: [String]?
        var clientIP: String?

        enum CodingKeys: String, CodingKey {
            case token, scopes
            case clientIP = "client_ip"
        }
    }

    func addRoutes(to router: Router<GatehouseRequestContext>) {
        router.post("verify", use: verify)
    }

    @Sendable func verify(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        do {
            _ = try await authenticator.authenticateVerifier(authorization: request.headers[.authorization])
        } catch {
            let apiError =
                error.reason == .storeUnavailable
                ? APIError.serviceUnavailable
                : APIError(
                    status: 401,
                    code: "unauthorized",
                    message: "POST /verify needs a verifier key (gvk_…) as its bearer token."
                )
            return JSONResponse.error(apiError, requestID: context.requestID)
        }
        let body = try await RequestInput.decoded(VerifyRequest.self, request, limit: Self.bodyLimit)
        guard let token = body.token else {
            throw APIError.validation("body failed validation: body.token should be a string.")
        }
        var required = Scopes()
        if let names = body.scopes {
            do {
                required = try Scopes(names)
            } catch {
                throw APIError.validation("body failed validation: body.scopes: \(error.description)")
            }
        }
        var clientAddress: SocketAddress?
        if let text = body.clientIP {
            guard let address = IPAddress(text) else {
                throw APIError.validation("body failed validation: body.client_ip should be an IP address.")
            }
            clientAddress = try? SocketAddress(ipAddress: address.description, port: 0)
        }

        let principal: Principal
        do {
            principal = try await authenticator.authenticateExplaining(token: Substring(token))
        } catch {
            if error.reason == .storeUnavailable { throw APIError.serviceUnavailable }
            return Self.answer(invalid: .unauthorized, requestID: context.requestID)
        }
        guard principal.scopes.covers(required) else {
            let missing = required.names.filter { !principal.scopes.contains($0) }
            return Self.answer(
                invalid: APIError(
                    status: 403,
                    code: "restricted_resource",
                    message:
                        "The token lacks the scope\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))."
                ),
                requestID: context.requestID
            )
        }
        let decision: RateLimitEnforcement.Decision
        if let decided = rateLimit.decisionFromMemory(for: principal) {
            decision = decided
        } else {
            decision = await rateLimit.decision(for: principal)
        }
        let outcome = decision.outcome
        usage.record(
            tokenID: principal.tokenID,
            integrationID: principal.integrationID,
            status: outcome.isAllowed ? 200 : 429,
            at: authenticator.clock.now(),
            address: clientAddress,
            userAgent: request.clippedUserAgent
        )
        if let refusal = outcome.refusal {
            return Self.answer(
                invalid: .rateLimited(refusal),
                rateLimit: Self.rateLimit(outcome),
                requestID: context.requestID
            )
        }
        if let maxUses = principal.maxUses,
            let refusal = await usageLimit.refusal(for: principal, requestID: context.requestID)
        {
            guard refusal.status == .forbidden else { throw APIError.serviceUnavailable }
            return Self.answer(invalid: UsageLimitEnforcement.exhausted(maxUses), requestID: context.requestID)
        }
        var owner = JSONValue.null
        if case .user(let id, _, _) = principal.owner { owner = .string(id) }
        return JSONResponse.ok(
            .object([
                ("object", "verification"), ("valid", .bool(true)),
                ("integration_id", .string(principal.integrationID)), ("bot_id", .string(principal.botID)),
                ("workspace_id", .string(principal.workspaceID)), ("user_id", owner),
                ("scopes", .array(principal.scopes.names.map(JSONValue.string))),
                ("plan", .string(principal.plan.rawValue)), ("rate_limit", Self.rateLimit(outcome)),
            ]),
            requestID: context.requestID
        )
    }

    static func rateLimit(_ outcome: RateLimitOutcome) -> JSONValue {
        .object([
            ("limited", .bool(!outcome.isAllowed)),
            ("limit", .number(Double(outcome.burst))),
            ("remaining", .number(Double(outcome.burstRemaining))),
            ("reset_seconds", .number(Double(outcome.burstResetSeconds))),
            ("retry_after_seconds", outcome.isAllowed ? .null : .number(Double(outcome.retryAfterSeconds))),
            ("daily_remaining", outcome.dailyRemaining.map { .number(Double($0)) } ?? .null),
        ])
    }

    static func answer(invalid error: APIError, rateLimit: JSONValue = .null, requestID: String) -> Response {
        var members: [(String, JSONValue)] = [
            ("object", "verification"), ("valid", .bool(false)), ("status", .number(Double(error.status))),
            ("code", .string(error.code)), ("message", .string(error.message)),
        ]
        if rateLimit != .null { members.append(("rate_limit", rateLimit)) }
        return JSONResponse.ok(.object(members), requestID: requestID)
    }
}
