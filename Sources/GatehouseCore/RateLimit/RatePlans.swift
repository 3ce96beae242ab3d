import Foundation

/// The limits of every plan: the seed's defaults, optionally overridden by a plans file.
///
/// The file is JSON, one object per plan to override, every field optional:
/// `{"free": {"requests_per_second": 0.5, "burst": 5, "daily_quota": 2000}, "enterprise": {"daily_quota": null}}`.
/// The key `failed_authentication` (`requests_per_second`, `burst`) sets how many requests with a
/// bad credential one client address may make before it is refused with 429.
public struct RatePlans: Sendable, Equatable {
    private var plans: [Plan: RatePlan]
    /// The allowance of requests with a missing or bad credential per client address.
    public var failedAuthentication: RatePlan

    /// One request a second, with a burst of 20.
    public static let defaultFailedAuthentication = RatePlan(requestsPerSecond: 1, burst: 20, dailyQuota: nil)

    public init(overrides: [Plan: RatePlan] = [:], failedAuthentication: RatePlan = defaultFailedAuthentication) {
        var plans = Dictionary(uniqueKeysWithValues: Plan.allCases.map { ($0, RatePlan.defaults(for: $0)) })
        plans.merge(overrides) { $1 }
        self.plans = plans
        self.failedAuthentication = failedAuthentication
    }

    public subscript(plan: Plan) -> RatePlan {
        plans[plan] ?? RatePlan.defaults(for: plan)
    }

    /// Reads a plans file's contents; the error says what to fix.
    public init(json data: Data) throws(RatePlansError) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw RatePlansError("the plans file must be a JSON object keyed by plan name")
        }
        var overrides: [Plan: RatePlan] = [:]
        var failedAuthentication = Self.defaultFailedAuthentication
        for (name, value) in object {
            let plan = Plan(rawValue: name)
            guard plan != nil || name == "failed_authentication" else {
                throw RatePlansError(
                    "unknown plan '\(name)'; plans are free, pro, team, enterprise (and failed_authentication)"
                )
            }
            guard let fields = value as? [String: Any] else { throw RatePlansError("'\(name)' must be an object") }
            var rates = plan.map(RatePlan.defaults(for:)) ?? failedAuthentication
            for (key, field) in fields {
                switch key {
                case "requests_per_second":
                    guard let rate = field as? Double, rate > 0, rate.isFinite else {
                        throw RatePlansError("\(name).requests_per_second must be a number above 0")
                    }
                    rates.requestsPerSecond = rate
                case "burst":
                    guard let burst = field as? Int, burst >= 1 else {
                        throw RatePlansError("\(name).burst must be an integer ≥ 1")
                    }
                    rates.burst = burst
                case "daily_quota" where plan != nil:
                    if field is NSNull {
                        rates.dailyQuota = nil
                    } else {
                        guard let quota = field as? Int, quota >= 1 else {
                            throw RatePlansError("\(name).daily_quota must be an integer ≥ 1 or null (unlimited)")
                        }
                        rates.dailyQuota = quota
                    }
                default:
                    throw RatePlansError(
                        "unknown field '\(name).\(key)'; use requests_per_second, burst\(plan == nil ? "" : ", daily_quota")"
                    )
                }
            }
            if let plan { overrides[plan] = rates } else { failedAuthentication = rates }
        }
        self.init(overrides: overrides, failedAuthentication: failedAuthentication)
    }
}

/// A plans file that cannot be used.
public struct RatePlansError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
