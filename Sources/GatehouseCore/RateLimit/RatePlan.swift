/// The limits a plan sets for each of a workspace's integrations.
public struct RatePlan: Sendable, Hashable {
    /// Sustained requests per second.
    public var requestsPerSecond: Double
    /// Requests that may arrive at once after a quiet spell (at least 1).
    public var burst: Int
    /// Requests per UTC day; `nil` for unlimited.
    public var dailyQuota: Int?

    public init(requestsPerSecond: Double, burst: Int, dailyQuota: Int?) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = max(1, burst)
        self.dailyQuota = dailyQuota
    }

    /// The seed's plans (free 0.2 req/s and 1,000 a day; pro 1.0 and 10,000; team 2.0 and
    /// 50,000; enterprise 5.0 and unlimited), each with a small burst.
    public static func defaults(for plan: Plan) -> RatePlan {
        switch plan {
        case .free: RatePlan(requestsPerSecond: 0.2, burst: 3, dailyQuota: 1_000)
        case .pro: RatePlan(requestsPerSecond: 1.0, burst: 5, dailyQuota: 10_000)
        case .team: RatePlan(requestsPerSecond: 2.0, burst: 10, dailyQuota: 50_000)
        case .enterprise: RatePlan(requestsPerSecond: 5.0, burst: 20, dailyQuota: nil)
        }
    }

    /// The limits written `rps/burst/daily` (`10/20/5000`; `-` for an unlimited day), as an
    /// integration's own limit is stored and given on the command line.
    public var compactDescription: String {
        let rate =
            requestsPerSecond == requestsPerSecond.rounded()
            ? String(Int(requestsPerSecond)) : String(requestsPerSecond)
        return "\(rate)/\(burst)/\(dailyQuota.map(String.init) ?? "-")"
    }

    /// Reads ``compactDescription``'s form; `nil` for anything else.
    public init?(compact text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let rate = Double(parts[0]), rate > 0, rate <= 1_000_000, rate.isFinite,
            let burst = Int(parts[1]), (1...1_000_000).contains(burst)
        else { return nil }
        var quota: Int?
        if parts[2] != "-" {
            guard let value = Int(parts[2]), value > 0 else { return nil }
            quota = value
        }
        self.init(requestsPerSecond: rate, burst: burst, dailyQuota: quota)
    }
}
