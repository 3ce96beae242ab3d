import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import NIOCore

/// The `/v1` API's bearer step (``APIMiddleware``): `Authorization: Bearer <token>` for a live
/// token, whose principal the request then acts as.
///
/// Failed attempts are counted per client IP: past the allowance they are answered 429 instead of
/// 401, which slows guessing without ever refusing a valid token from the same address.
struct BearerAuthentication: Sendable {
    typealias Context = GatehouseRequestContext
    let authenticator: Authenticator
    let failureThrottle: RateLimiter
    let failureAllowance: RatePlan
    /// Counts each authenticated request against its token (memory only).
    let usage: UsageRecorder
    let metrics: ServerMetrics
    /// Records a failed authentication in the audit log (with the token's display hint only).
    let recordFailure: @Sendable (AuditEvent) async -> Void

    /// The principal of the request's credential, or why it is refused, when that is known
    /// without the store (a cached token, a malformed header), without suspending; `nil` when
    /// only the store can tell (``principal(for:)``).
    func cachedPrincipal(for request: Request) -> Result<Principal, AuthenticationFailure>? {
        cachedPrincipal(for: request.headers)
    }

    /// As ``cachedPrincipal(for:)-(Request)``, from a request's header fields.
    func cachedPrincipal(for headers: HTTPFields) -> Result<Principal, AuthenticationFailure>? {
        do {
            guard let principal = try authenticator.cachedPrincipal(authorization: try authorization(of: headers))
            else { return nil }
            return .success(principal)
        } catch {
            return .failure(error)
        }
    }

    /// The principal of the request's credential, from the cache or the store, or why it is
    /// refused. After ``cachedPrincipal(for:)`` missed, this parses and hashes the token again and
    /// looks at the cache once more (another request may have filled it): about a microsecond,
    /// beside the store read a miss costs, for one path through the ``Authenticator``.
    func principal(for request: Request) async -> Result<Principal, AuthenticationFailure> {
        do {
            return .success(
                try await authenticator.authenticateExplaining(authorization: try authorization(of: request.headers))
            )
        } catch {
            return .failure(error)
        }
    }

    /// The single `Authorization` value, if any: two are ambiguous, so refused rather than one
    /// picked.
    private func authorization(of headers: HTTPFields) throws(AuthenticationFailure) -> String? {
        let authorization = headers.single(.authorization)
        guard authorization != .repeated else { throw AuthenticationFailure(.ambiguous) }
        return authorization.value
    }

    /// The answer to a refused credential: 401 `unauthorized`, recorded in the audit log, or 429
    /// past the per-IP allowance; either carries the allowance in the rate-limit headers. An
    /// unreachable store is thrown as 503 instead.
    func refusal(
        _ failure: AuthenticationFailure,
        of request: Request,
        context: Context
    ) async throws(APIError)
        -> Response
    {
        metrics.recordAuthenticationFailure(reason: failure.reason.rawValue)
        let error = failure.apiError
        guard error.status == 401 else { throw error }
        let outcome = failureThrottle.check(key: context.clientThrottleKey, plan: failureAllowance)
        if outcome.isAllowed {
            // Recorded while under the allowance only, so guessing cannot flood the log.
            await recordFailure(
                AuditEvent(
                    time: authenticator.clock.now(),
                    actor: context.clientIP,
                    action: "auth.failed",
                    outcome: "failure",
                    ip: context.clientIP,
                    userAgent: request.clippedUserAgent,
                    requestID: context.requestID,
                    details: ["hint": Self.hint(request.headers[values: .authorization])]
                )
            )
            var response = JSONResponse.error(error, requestID: context.requestID)
            RateLimitHeaders.stamp(outcome, on: &response.headers, policy: "failed_auth")
            return response
        }
        metrics.recordRateLimited(reason: RateLimitReason.failedAuthentication.rawValue)
        return RateLimitHeaders.tooManyRequests(
            .rateLimited(.failedAuthentication),
            outcome: outcome,
            policy: "failed_auth",
            requestID: context.requestID
        )
    }

    /// Counts an authenticated request, and the status it was answered with, against its token.
    func recordUse(by principal: Principal, status: HTTPResponse.Status, of request: Request, context: Context) {
        recordUse(by: principal, status: status, address: context.remoteAddress, userAgent: request.clippedUserAgent)
    }

    /// Counts an authenticated request from `address` (the client's, after trusted proxies), and
    /// the status it was answered with, against its token.
    func recordUse(by principal: Principal, status: HTTPResponse.Status, address: SocketAddress?, userAgent: String?) {
        usage.record(
            tokenID: principal.tokenID,
            integrationID: principal.integrationID,
            status: Int(status.code),
            at: authenticator.clock.now(),
            address: address,
            userAgent: userAgent
        )
    }

    /// What the log may say about the credential presented: its display hint if it is shaped like
    /// a token, otherwise only how it was malformed.
    static func hint(_ values: [String]) -> String {
        guard values.count == 1 else {
            return values.isEmpty ? "no Authorization header" : "several Authorization headers"
        }
        guard let token = Authenticator.bearerToken(in: values[0]) else { return "not a Bearer credential" }
        let prefix = token.prefix { $0 != "_" }
        guard TokenKind(rawValue: String(prefix)) != nil || prefix == "ntn", token.count >= 12 else {
            return "malformed token"
        }
        return TokenFormat.displayHint(String(token))
    }
}
