import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import Logging

/// The `/v1` API's last step before the endpoint (``APIMiddleware``): the plan's rate and daily
/// quota per integration, and the rate-limit headers on every response that passes: the IETF
/// `RateLimit-Policy` / `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers) and the common
/// `X-RateLimit-*` ones.
struct RateLimitEnforcement: Sendable {
    typealias Context = GatehouseRequestContext
    let limiter: SharedRateLimiter
    let logger: Logger
    let metrics: ServerMetrics
    /// Each plan's limits and the fields that depend on them alone, made once.
    let plans: PerPlan<PlanFields>

    /// A plan's limits, with its `RateLimit-Policy` field and its burst as `X-RateLimit-Limit`.
    struct PlanFields: Sendable {
        let limits: RatePlan
        let policy: HTTPField
        let burstLimit: HTTPField
    }

    init(limiter: SharedRateLimiter, plans: RatePlans, logger: Logger, metrics: ServerMetrics) {
        self.limiter = limiter
        self.logger = logger
        self.metrics = metrics
        let start = RateLimitInstant(Date())
        self.plans = PerPlan { plan in
            let limits = plans[plan]
            let outcome = limits.outcome(
                admitted: true,
                state: RateLimitState(tat: 0, day: start.day, usedToday: 0),
                at: start
            )
            return PlanFields(
                limits: limits,
                policy: HTTPField(name: .rateLimitPolicy, value: Self.policyValue(outcome, name: "burst")),
                burstLimit: HTTPField(name: .xRateLimitLimit, value: String(outcome.burst))
            )
        }
    }

    /// `endpoint`'s response to a request of `principal`'s, or the refusal (429), with the
    /// rate-limit headers. Whatever the endpoint throws becomes its error response here, so that
    /// it carries the headers too.
    func respond(
        to request: Request,
        context: Context,
        principal: Principal,
        endpoint: (Request, Context) async throws -> Response
    ) async -> Response {
        // Keyed by plan too: after a plan change the integration starts afresh on the new limits
        // instead of paying off the old plan's debt.
        let planFields = plans[principal.plan]
        let outcome: RateLimitOutcome
        if let decided = limiter.decidedFromMemory(
            key: principal.integrationID,
            scope: principal.plan.rawValue,
            plan: planFields.limits
        ) {
            outcome = decided
        } else {
            outcome = await limiter.check(
                key: principal.integrationID,
                scope: principal.plan.rawValue,
                plan: planFields.limits
            )
        }
        var response: Response
        if let refusal = outcome.refusal {
            metrics.recordRateLimited(reason: refusal.rawValue)
            response = JSONResponse.error(.rateLimited(refusal), requestID: context.requestID)
            response.headers[.retryAfter] = String(outcome.retryAfterSeconds)
        } else {
            do {
                response = try await endpoint(request, context)
            } catch {
                let apiError = RequestMiddleware.apiError(for: error, logger: logger, requestID: context.requestID)
                response = JSONResponse.error(apiError, requestID: context.requestID)
            }
        }
        Self.stamp(outcome, on: &response.headers, planFields: planFields)
        return response
    }

    /// Writes the headers for `outcome`; `policy` names the burst policy (`burst` for an
    /// integration's plan, `failed_auth` for the per-IP allowance of failed authentications), and
    /// `planFields`, when given, are the plan's fields made ahead.
    /// Appended, not set: the responses passed here carry none of these fields yet.
    static func stamp(
        _ outcome: RateLimitOutcome,
        on headers: inout HTTPFields,
        policy name: String = "burst",
        planFields: PlanFields? = nil
    ) {
        var state = "\"\(name)\";r=\(outcome.burstRemaining);t=\(outcome.burstResetSeconds)"
        if outcome.dailyQuota != nil, let remaining = outcome.dailyRemaining {
            state += ", \"daily\";r=\(remaining);t=\(outcome.dailyResetSeconds)"
        }
        headers.append(
            planFields?.policy ?? HTTPField(name: .rateLimitPolicy, value: Self.policyValue(outcome, name: name))
        )
        headers.append(HTTPField(name: .rateLimit, value: state))
        // X-RateLimit-* describe whichever limit binds: the daily quota once it is exhausted,
        // otherwise the burst.
        if outcome.refusal == .dailyQuota, let quota = outcome.dailyQuota {
            headers.append(HTTPField(name: .xRateLimitLimit, value: String(quota)))
            headers.append(HTTPField(name: .xRateLimitRemaining, value: "0"))
            headers.append(HTTPField(name: .xRateLimitReset, value: String(outcome.dailyResetSeconds)))
        } else {
            headers.append(planFields?.burstLimit ?? HTTPField(name: .xRateLimitLimit, value: String(outcome.burst)))
            headers.append(HTTPField(name: .xRateLimitRemaining, value: String(outcome.burstRemaining)))
            headers.append(
                HTTPField(
                    name: .xRateLimitReset,
                    value: String(outcome.refusal == nil ? outcome.burstResetSeconds : outcome.retryAfterSeconds)
                )
            )
        }
    }

    /// The `RateLimit-Policy` value for `outcome`'s plan.
    static func policyValue(_ outcome: RateLimitOutcome, name: String) -> String {
        var value = "\"\(name)\";q=\(outcome.burst);w=\(outcome.burstWindowSeconds)"
        if let quota = outcome.dailyQuota { value += ", \"daily\";q=\(quota);w=86400" }
        return value
    }
}

extension HTTPField.Name {
    static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
    static let rateLimit = HTTPField.Name("RateLimit")!
    static let xRateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let xRateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let xRateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
}
