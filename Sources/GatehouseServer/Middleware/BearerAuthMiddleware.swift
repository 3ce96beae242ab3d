import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird

/// Requires `Authorization: Bearer <token>` for a live token and puts its principal in the context.
///
/// Failed attempts are counted per client IP: past the allowance they are answered 429 instead of
/// 401, which slows guessing without ever refusing a valid token from the same address.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = GatehouseRequestContext
    let authenticator: Authenticator
    let failureThrottle: RateLimiter
    let failureAllowance: RatePlan
    /// Counts each authenticated request against its token (memory only).
    let usage: UsageRecorder
    let metrics: ServerMetrics
    /// Records a failed authentication in the audit log (with the token's display hint only).
    let recordFailure: @Sendable (AuditEvent) async -> Void

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var context = context
        do {
            let authorization = request.headers.single(.authorization)
            // Two Authorization headers are ambiguous: refuse rather than pick one.
            guard authorization != .repeated else { throw AuthenticationFailure(.ambiguous) }
            context.principal = try await authenticator.authenticateExplaining(authorization: authorization.value)
        } catch let failure as AuthenticationFailure {
            metrics.recordAuthenticationFailure(reason: failure.reason.rawValue)
            let error = failure.apiError
            guard error.status == 401 else { throw error }
            // Failed attempts carry the per-IP allowance in the rate-limit headers.
            let outcome = failureThrottle.check(key: context.clientIP, plan: failureAllowance)
            var response: Response
            if outcome.isAllowed {
                // Recorded while under the allowance only, so guessing cannot flood the log.
                await recordFailure(
                    AuditEvent(
                        time: Date(),
                        actor: context.clientIP,
                        action: "auth.failed",
                        outcome: "failure",
                        ip: context.clientIP,
                        userAgent: request.clippedUserAgent,
                        requestID: context.requestID,
                        details: ["hint": Self.hint(request.headers[values: .authorization])]
                    )
                )
                response = JSONResponse.error(error, requestID: context.requestID)
            } else {
                response = JSONResponse.error(.rateLimited(.failedAuthentication), requestID: context.requestID)
                metrics.recordRateLimited(reason: RateLimitReason.failedAuthentication.rawValue)
                response.headers[.retryAfter] = String(outcome.retryAfterSeconds)
            }
            RateLimitMiddleware.stamp(outcome, on: &response.headers, policy: "failed_auth")
            return response
        }
        guard let principal = context.principal else { return try await next(request, context) }
        let status: Int
        defer {
            usage.record(
                tokenID: principal.tokenID,
                integrationID: principal.integrationID,
                status: status,
                at: Date(),
                address: context.remoteAddress,
                userAgent: request.clippedUserAgent
            )
        }
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            return response
        } catch {
            status = (error as? APIError)?.status ?? (error as? HTTPError).map { Int($0.status.code) } ?? 500
            throw error
        }
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
