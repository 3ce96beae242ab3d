import GatehouseCore
import HTTPTypes
import Hummingbird

/// The rate-limit response headers, and the one way a 429 is written: the IETF
/// `RateLimit-Policy` / `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers), the common
/// `X-RateLimit-*` ones, and `Retry-After` on a refusal.
enum RateLimitHeaders {
    /// The API's 429: `error`'s object (the API's or OAuth's format, as `error` says), with
    /// `Retry-After` and the headers of `outcome` under `policy`.
    static func tooManyRequests(
        _ error: APIError,
        outcome: RateLimitOutcome,
        policy: String = "burst",
        planFields: RateLimitEnforcement.PlanFields? = nil,
        requestID: String
    ) -> Response {
        var response = JSONResponse.error(error, requestID: requestID)
        refuse(&response, retryAfter: outcome.retryAfterSeconds)
        stamp(outcome, on: &response.headers, policy: policy, planFields: planFields)
        return response
    }

    /// Marks `response` (an error object or a page) as refused by a limit: status 429 and
    /// `Retry-After` in whole seconds, never 0.
    static func refuse(_ response: inout Response, retryAfter seconds: Int) {
        response.status = .tooManyRequests
        response.headers[.retryAfter] = String(max(1, seconds))
    }

    /// Writes the headers for `outcome`; `policy` names the burst policy (`burst` for an
    /// integration's plan, `failed_auth` for the per-IP allowance of failed authentications), and
    /// `planFields`, when given, are the plan's fields made ahead.
    /// Appended, not set: the responses passed here carry none of these fields yet.
    static func stamp(
        _ outcome: RateLimitOutcome,
        on headers: inout HTTPFields,
        policy name: String = "burst",
        planFields: RateLimitEnforcement.PlanFields? = nil
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
