import Foundation
import GatehouseTestSupport
import Testing

@testable import GatehouseCore

@Suite struct RatePlansTests {
    @Test func aPlansFileOverridesOnlyWhatItNames() throws {
        let plans = try RatePlans(
            json: Data(#"{"free": {"requests_per_second": 0.5, "daily_quota": null}, "team": {"burst": 4}}"#.utf8)
        )
        #expect(plans[.free] == RatePlan(requestsPerSecond: 0.5, burst: 3, dailyQuota: nil))
        #expect(plans[.team] == RatePlan(requestsPerSecond: 2.0, burst: 4, dailyQuota: 50_000))
        #expect(plans[.pro] == RatePlan.defaults(for: .pro))
        #expect(plans.failedAuthentication == RatePlans.defaultFailedAuthentication)
    }

    @Test func perPlanValuesAreEachPlansOwn() {
        let names = PerPlan(\.rawValue)
        for plan in Plan.allCases {
            #expect(names[plan] == plan.rawValue)
        }
    }

    @Test func aPlansFileSetsTheFailedAuthenticationAllowance() throws {
        let plans = try RatePlans(json: Data(#"{"failed_authentication": {"requests_per_second": 50}}"#.utf8))
        #expect(plans.failedAuthentication == RatePlan(requestsPerSecond: 50, burst: 20, dailyQuota: nil))
        #expect(plans[.free] == RatePlan.defaults(for: .free))
    }

    @Test(arguments: [
        "[]", #"{"gold": {}}"#, #"{"free": 3}"#, #"{"free": {"requests_per_second": 0}}"#,
        #"{"free": {"burst": 0}}"#, #"{"free": {"daily_quota": -1}}"#, #"{"free": {"rps": 1}}"#, "not json",
        #"{"failed_authentication": {"daily_quota": 5}}"#, #"{"failed_authentication": {"burst": 0}}"#,
    ])
    func aBadPlansFileIsRefusedWithAReason(text: String) {
        #expect(throws: RatePlansError.self) { try RatePlans(json: Data(text.utf8)) }
    }

    @Test func keysThatRememberNothingAreForgottenPastTheCapacity() {
        let clock = TestClock(frozenAt: TestClock.fixedInstant)
        let limiter = RateLimiter(clock: clock, capacity: 100)
        let allowance = RatePlan(requestsPerSecond: 1, burst: 3, dailyQuota: nil)
        // An address that used up its allowance a moment ago must stay refused.
        for _ in 0..<3 { #expect(limiter.check(key: "guesser", plan: allowance).isAllowed) }
        #expect(!limiter.check(key: "guesser", plan: allowance).isAllowed)
        // Many addresses, one failure each; a minute later all of them have recovered.
        for index in 0..<99 { _ = limiter.check(key: "10.0.0.\(index)", plan: allowance) }
        #expect(limiter.keyCount == 100)
        clock.advance(by: 60)
        for _ in 0..<3 { _ = limiter.check(key: "guesser", plan: allowance) }
        _ = limiter.check(key: "one more", plan: allowance)
        // Past 100 keys, the recovered ones went; the two in use stay, with what they remember.
        #expect(limiter.keyCount == 2)
        #expect(!limiter.check(key: "guesser", plan: allowance).isAllowed)
    }

    @Test func aKeyWithADailyCountIsKeptUntilTheDayEnds() {
        let clock = TestClock(frozenAt: Date(timeIntervalSince1970: 1_799_974_800))  // 01:00 UTC
        let limiter = RateLimiter(clock: clock, capacity: 10)
        let quota = RatePlan(requestsPerSecond: 100, burst: 100, dailyQuota: 2)
        let rateOnly = RatePlan(requestsPerSecond: 100, burst: 100, dailyQuota: nil)
        #expect(limiter.check(key: "metered", plan: quota).isAllowed)
        #expect(limiter.check(key: "metered", plan: quota).isAllowed)
        clock.advance(by: 60)
        for index in 0..<20 {
            clock.advance(by: 1)  // each key recovered a second later
            _ = limiter.check(key: "k\(index)", plan: rateOnly)
        }
        // The GCRA of "metered" has recovered, but its count of today's two requests is kept.
        #expect(!limiter.check(key: "metered", plan: quota).isAllowed)
        #expect(limiter.keyCount <= 11)
        clock.advance(by: 86_400)
        #expect(limiter.check(key: "metered", plan: quota).isAllowed)
    }

    @Test func keysStillOwingTimeAreNeverForgotten() {
        let clock = TestClock(frozenAt: TestClock.fixedInstant)
        let limiter = RateLimiter(clock: clock, capacity: 10)
        let strict = RatePlan(requestsPerSecond: 0.001, burst: 1, dailyQuota: nil)
        // None can be forgotten (each owes 1,000 s): the table keeps them all (and sweeps again
        // only at 22, 44, … keys, not on every request).
        for index in 0..<1_000 { _ = limiter.check(key: "k\(index)", plan: strict) }
        #expect(limiter.keyCount == 1_000)
        #expect(!limiter.check(key: "k0", plan: strict).isAllowed)
    }
}
