import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// The `/v1` API's last step before the endpoint (``APIMiddleware``, which calls the endpoint
/// between this step's parts): the plan's rate and daily quota per integration, and the
/// rate-limit headers on every response that passes: the IETF `RateLimit-Policy` / `RateLimit`
/// fields (draft-ietf-httpapi-ratelimit-headers) and the common `X-RateLimit-*` ones.
struct RateLimitEnforcement: Sendable {
    let limiter: SharedRateLimiter
    let logger: Logger
    let metrics: ServerMetrics
    /// Each plan's limits and the fields that depend on them alone, made once.
    let plans: PerPlan<PlanFields>
    /// The same for integrations with limits of their own, made on first use.
    let customPlans = CustomPlanFields()

    /// Fields of integrations' own limits, by limit (few distinct ones in practice; bounded).
    final class CustomPlanFields: Sendable {
        private let fields = Mutex<[RatePlan: PlanFields]>([:])

        func fields(for limits: RatePlan) -> PlanFields {
            fields.withLock { fields in
                if let made = fields[limits] { return made }
                if fields.count >= 10_000 { fields.removeAll() }
                let made = RateLimitEnforcement.planFields(limits)
                fields[limits] = made
                return made
            }
        }
    }

    /// A plan's limits, with its `RateLimit-Policy` field and its burst as `X-RateLimit-Limit`.
    /// A class: every request's decision carries its plan's, and copying a reference costs one
    /// count where the fields' strings cost several.
    final class PlanFields: Sendable {
        let limits: RatePlan
        let policy: HTTPField
        let burstLimit: HTTPField

        init(limits: RatePlan, policy: HTTPField, burstLimit: HTTPField) {
            self.limits = limits
            self.policy = policy
            self.burstLimit = burstLimit
        }
    }

    init(limiter: SharedRateLimiter, plans: RatePlans, logger: Logger, metrics: ServerMetrics) {
        self.limiter = limiter
        self.logger = logger
        self.metrics = metrics
        self.plans = PerPlan { plan in Self.planFields(plans[plan]) }
    }

    static func planFields(_ limits: RatePlan) -> PlanFields {
        // Any instant: a fresh key's outcome under a plan is the same at every time.
        let start = RateLimitInstant(Date(timeIntervalSince1970: 0))
        let outcome = limits.outcome(
            admitted: true,
            state: RateLimitState(tat: 0, day: start.day, usedToday: 0),
            at: start
        )
        return PlanFields(
            limits: limits,
            policy: HTTPField(name: .rateLimitPolicy, value: RateLimitHeaders.policyValue(outcome, name: "burst")),
            burstLimit: HTTPField(name: .xRateLimitLimit, value: String(outcome.burst))
        )
    }

    /// The limits `principal` is held to: its integration's own, or its plan's.
    @inline(__always)
    func fields(for principal: Principal) -> (fields: PlanFields, scope: String) {
        guard let custom = principal.rateLimitOverride else { return (plans[principal.plan], principal.plan.rawValue) }
        return (customPlans.fields(for: custom), "custom:" + custom.compactDescription)
    }

    /// One request's decision under its integration's plan, and the plan's fields made ahead.
    struct Decision {
        let outcome: RateLimitOutcome
        let planFields: PlanFields
    }

    /// The decision for a request of `principal`'s when this node's memory makes it (a leased
    /// permit, a proven refusal), without suspending; `nil` when only the store can tell
    /// (``decision(for:)``).
    ///
    /// Keyed by plan too: after a plan change the integration starts afresh on the new limits
    /// instead of paying off the old plan's debt.
    func decisionFromMemory(for principal: Principal) -> Decision? {
        let (planFields, scope) = fields(for: principal)
        return limiter.decidedFromMemory(
            key: principal.integrationID,
            scope: scope,
            plan: planFields.limits
        ).map { Decision(outcome: $0, planFields: planFields) }
    }

    /// The decision for a request of `principal`'s, asking the store when memory cannot tell.
    func decision(for principal: Principal) async -> Decision {
        let (planFields, scope) = fields(for: principal)
        let outcome = await limiter.check(
            key: principal.integrationID,
            scope: scope,
            plan: planFields.limits
        )
        return Decision(outcome: outcome, planFields: planFields)
    }

    /// The answer to a refused request (429, with `Retry-After` and the rate-limit headers), or
    /// `nil` when `decision` admits it (the caller then stamps the headers on its answer).
    func refusal(_ decision: Decision, requestID: String) -> Response? {
        guard let refusal = decision.outcome.refusal else { return nil }
        metrics.recordRateLimited(reason: refusal.rawValue)
        return RateLimitHeaders.tooManyRequests(
            .rateLimited(refusal),
            outcome: decision.outcome,
            planFields: decision.planFields,
            requestID: requestID
        )
    }

    /// The error response for whatever the endpoint threw, so that it carries the rate-limit
    /// headers too.
    func errorResponse(for error: any Error, requestID: String) -> Response {
        let apiError = RequestMiddleware.apiError(for: error, logger: logger, requestID: requestID)
        return JSONResponse.error(apiError, requestID: requestID)
    }

    /// Writes `decision`'s rate-limit headers.
    func stamp(_ decision: Decision, on headers: inout HTTPFields) {
        RateLimitHeaders.stamp(decision.outcome, on: &headers, planFields: decision.planFields)
    }
}
