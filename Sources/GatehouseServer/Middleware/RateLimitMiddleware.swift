import GatehouseCore
import HTTPTypes
import Hummingbird
import Logging

/// Applies the plan's rate and daily quota per integration, after authentication, and stamps the
/// rate-limit headers on every response it passes: the IETF `RateLimit-Policy` / `RateLimit`
/// fields (draft-ietf-httpapi-ratelimit-headers) and the common `X-RateLimit-*` ones.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = GatehouseRequestContext
    let limiter: SharedRateLimiter
    let plans: RatePlans
    let logger: Logger
    let metrics: ServerMetrics

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let principal = try context.requirePrincipal()
        // Keyed by plan too: after a plan change the integration starts afresh on the new limits
        // instead of paying off the old plan's debt.
        let outcome = await limiter.check(
            key: principal.integrationID + ":" + principal.plan.rawValue,
            plan: plans[principal.plan]
        )
        var response: Response
        if let refusal = outcome.refusal {
            metrics.recordRateLimited(reason: refusal.rawValue)
            response = JSONResponse.error(.rateLimited(refusal), requestID: context.requestID)
            response.headers[.retryAfter] = String(outcome.retryAfterSeconds)
        } else {
            do {
                response = try await next(request, context)
            } catch {
                let apiError = RequestMiddleware.apiError(for: error, logger: logger, requestID: context.requestID)
                response = JSONResponse.error(apiError, requestID: context.requestID)
            }
        }
        Self.stamp(outcome, on: &response.headers)
        return response
    }

    /// Writes the headers for `outcome`; `policy` names the burst policy (`burst` for an
    /// integration's plan, `failed_auth` for the per-IP allowance of failed authentications).
    static func stamp(_ outcome: RateLimitOutcome, on headers: inout HTTPFields, policy name: String = "burst") {
        var policy = "\"\(name)\";q=\(outcome.burst);w=\(outcome.burstWindowSeconds)"
        var state = "\"\(name)\";r=\(outcome.burstRemaining);t=\(outcome.burstResetSeconds)"
        if let quota = outcome.dailyQuota, let remaining = outcome.dailyRemaining {
            policy += ", \"daily\";q=\(quota);w=86400"
            state += ", \"daily\";r=\(remaining);t=\(outcome.dailyResetSeconds)"
        }
        headers[.rateLimitPolicy] = policy
        headers[.rateLimit] = state
        // X-RateLimit-* describe whichever limit binds: the daily quota once it is exhausted,
        // otherwise the burst.
        if outcome.refusal == .dailyQuota, let quota = outcome.dailyQuota {
            headers[.xRateLimitLimit] = String(quota)
            headers[.xRateLimitRemaining] = "0"
            headers[.xRateLimitReset] = String(outcome.dailyResetSeconds)
        } else {
            headers[.xRateLimitLimit] = String(outcome.burst)
            headers[.xRateLimitRemaining] = String(outcome.burstRemaining)
            headers[.xRateLimitReset] = String(
                outcome.refusal == nil ? outcome.burstResetSeconds : outcome.retryAfterSeconds
            )
        }
    }
}

extension HTTPField.Name {
    static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
    static let rateLimit = HTTPField.Name("RateLimit")!
    static let xRateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let xRateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let xRateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
}
