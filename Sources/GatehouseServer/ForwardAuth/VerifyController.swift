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

    func addRoutes(to router: Router<GatehouseRequestContext>) {
        router.post("verify", use: verify)
    }

    /// What a request asks, read and checked.
    struct Question {
        var token: String
        var required: Scopes
        var clientAddress: SocketAddress?
    }

    /// The question in a request body (`nil`: none); a `validation_error` naming the member that
    /// is missing or wrong.
    static func question(in body: ByteBuffer?) throws(APIError) -> Question {
        // Parsed as a `JSONValue` (by `JSONSerialization`) rather than by `JSONDecoder`: a check
        // is answered on the event loop, and the decoder's generic machinery cost twice as much.
        let body = try RequestInput.jsonObject(from: body)
        var required = Scopes()
        if let scopes = body["scopes"], !scopes.isNull {
            guard case .array(let values) = scopes else {
                throw APIError.validation("body failed validation: body.scopes should be an array of strings.")
            }
            var names: [String] = []
            names.reserveCapacity(values.count)
            for value in values {
                guard let name = value.stringValue else {
                    throw APIError.validation("body failed validation: body.scopes should be an array of strings.")
                }
                names.append(name)
            }
            do {
                required = try Scopes(names)
            } catch {
                throw APIError.validation("body failed validation: body.scopes: \(error.description)")
            }
        }
        var clientAddress: SocketAddress?
        if let clientIP = body["client_ip"], !clientIP.isNull {
            guard let text = clientIP.stringValue, let address = IPAddress(text) else {
                throw APIError.validation("body failed validation: body.client_ip should be an IP address.")
            }
            clientAddress = try? SocketAddress(ipAddress: address.description, port: 0)
        }
        // Checked last, so that a body with a token missing and another member wrong names that member.
        guard let token = body["token"]?.stringValue else {
            throw APIError.validation("body failed validation: body.token should be a string.")
        }
        return Question(token: token, required: required, clientAddress: clientAddress)
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
        var request = request
        let question = try Self.question(in: try await request.collectBody(upTo: Self.bodyLimit))
        let principal: Principal
        do {
            principal = try await authenticator.authenticateExplaining(token: Substring(question.token))
        } catch {
            if error.reason == .storeUnavailable { throw APIError.serviceUnavailable }
            return Self.answer(invalid: .unauthorized, requestID: context.requestID).response
        }
        if let refusal = Self.scopeRefusal(of: question, by: principal, requestID: context.requestID) {
            return refusal.response
        }
        let decision: RateLimitEnforcement.Decision
        if let decided = rateLimit.decisionFromMemory(for: principal) {
            decision = decided
        } else {
            decision = await rateLimit.decision(for: principal)
        }
        recordUse(by: principal, decision, question: question, userAgent: request.clippedUserAgent)
        if decision.outcome.isAllowed, let maxUses = principal.maxUses,
            let refusal = await usageLimit.refusal(for: principal, requestID: context.requestID)
        {
            guard refusal.status == .forbidden else { throw APIError.serviceUnavailable }
            return Self.answer(invalid: UsageLimitEnforcement.exhausted(maxUses), requestID: context.requestID).response
        }
        return Self.answer(principal, decision.outcome, requestID: context.requestID).response
    }

    /// The answer for a token that lacks some of the scopes asked for; `nil` if it has them all.
    static func scopeRefusal(of question: Question, by principal: Principal, requestID: String) -> PreparedAnswer? {
        guard !principal.scopes.covers(question.required) else { return nil }
        let missing = question.required.names.filter { !principal.scopes.contains($0) }
        return answer(
            invalid: APIError(
                status: 403,
                code: "restricted_resource",
                message: "The token lacks the scope\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))."
            ),
            requestID: requestID
        )
    }

    /// Counts the request against the token, as a request the rate limit admitted (200) or refused.
    func recordUse(
        by principal: Principal,
        _ decision: RateLimitEnforcement.Decision,
        question: Question,
        userAgent: String?
    ) {
        usage.record(
            tokenID: principal.tokenID,
            integrationID: principal.integrationID,
            status: decision.outcome.isAllowed ? 200 : 429,
            at: authenticator.clock.now(),
            address: question.clientAddress,
            userAgent: userAgent
        )
    }

    /// The answer once the rate limit is decided (and any usage limit has a use left): valid with
    /// the identity, or the limit's refusal. The identity is the same on every check of a token,
    /// so it is serialized once per principal; only the rate limit and the request id are new.
    static func answer(_ principal: Principal, _ outcome: RateLimitOutcome, requestID: String) -> PreparedAnswer {
        if let refusal = outcome.refusal {
            return answer(invalid: .rateLimited(refusal), rateLimit: rateLimit(outcome), requestID: requestID)
        }
        let identity = principal.verificationIdentity(orMake: Self.serializedIdentity)
        var body: [UInt8] = []
        body.reserveCapacity(identity.count + 200)
        body.append(contentsOf: identity)
        body.append(contentsOf: #","rate_limit":"#.utf8)
        rateLimit(outcome).write(to: &body)
        body.append(contentsOf: #","request_id":""#.utf8)
        body.append(contentsOf: requestID.utf8)  // a UUID: nothing to escape
        body.append(contentsOf: #""}"#.utf8)
        return PreparedAnswer(status: .ok, headers: JSONResponse.headers(), body: body)
    }

    /// What a valid answer says of `principal`, serialized without its closing brace.
    static func serializedIdentity(of principal: Principal) -> [UInt8] {
        var owner = JSONValue.null
        if case .user(let id, _, _) = principal.owner { owner = .string(id) }
        return JSONResponse.openObject(
            .object([
                ("object", "verification"), ("valid", .bool(true)),
                ("integration_id", .string(principal.integrationID)), ("bot_id", .string(principal.botID)),
                ("workspace_id", .string(principal.workspaceID)), ("user_id", owner),
                ("scopes", .array(principal.scopes.names.map(JSONValue.string))),
                ("plan", .string(principal.plan.rawValue)),
            ])
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

    static func answer(invalid error: APIError, rateLimit: JSONValue = .null, requestID: String) -> PreparedAnswer {
        var members: [(String, JSONValue)] = [
            ("object", "verification"), ("valid", .bool(false)), ("status", .number(Double(error.status))),
            ("code", .string(error.code)), ("message", .string(error.message)),
        ]
        if rateLimit != .null { members.append(("rate_limit", rateLimit)) }
        return JSONResponse.okAnswer(.object(members), requestID: requestID)
    }
}

extension VerifyController: InlineResponder {
    /// `POST /verify` with a body of up to ``bodyLimit`` bytes.
    func bodyLimit(for head: HTTPRequest) -> Int? {
        head.method == .post && head.path == "/verify" ? Self.bodyLimit : nil
    }

    /// The answer ``verify(_:context:)`` gives when the verifier key and the token are cached,
    /// the question is valid, the rate limit is decided from memory, and the token has no usage
    /// limit; `nil` otherwise.
    func answer(_ request: InlineRequest) -> (answer: PreparedAnswer, route: String)? {
        let headers = request.head.headerFields
        guard (try? authenticator.cachedVerifier(authorization: headers[.authorization])) != nil,
            let question = try? Self.question(in: request.body),
            let principal = try? authenticator.cachedPrincipal(token: Substring(question.token))
        else { return nil }
        if let refusal = Self.scopeRefusal(of: question, by: principal, requestID: request.requestID) {
            return (refusal, "/verify")
        }
        guard principal.maxUses == nil, let decision = rateLimit.decisionFromMemory(for: principal) else { return nil }
        recordUse(by: principal, decision, question: question, userAgent: headers.clippedUserAgent)
        return (Self.answer(principal, decision.outcome, requestID: request.requestID), "/verify")
    }
}
