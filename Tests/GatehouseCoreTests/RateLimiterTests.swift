import Foundation
import GatehouseTestSupport
import Testing

@testable import GatehouseCore

@Suite struct RateLimiterTests {
    @Test(arguments: Plan.allCases)
    func admittedRequestsNeverExceedRateTimesWindowPlusBurst(plan: Plan) {
        // Bursty random traffic for ten simulated minutes; over every window, count admissions.
        var rates = RatePlan.defaults(for: plan)
        rates.dailyQuota = nil
        let clock = TestClock(frozenAt: TestClock.fixedInstant)
        let limiter = RateLimiter(clock: clock)
        var generator = SystemRandomNumberGenerator()
        var admitted: [Double] = []
        var elapsed = 0.0
        while elapsed < 600 {
            let gap = Double.random(in: 0...(2 / rates.requestsPerSecond), using: &generator) / 4
            clock.advance(by: gap)
            elapsed += gap
            if limiter.check(key: "k", plan: rates).isAllowed { admitted.append(elapsed) }
        }
        for window in [1.0, 10, 60, 300] {
            var start = 0
            for end in admitted.indices {
                while admitted[end] - admitted[start] > window { start += 1 }
                let count = end - start + 1
                #expect(Double(count) <= rates.requestsPerSecond * window + Double(rates.burst))
            }
        }
        #expect(admitted.count >= Int(rates.requestsPerSecond * 600))
    }

    @Test(arguments: Plan.allCases)
    func aClientAtExactlyTheAllowedRateIsNeverRefused(plan: Plan) {
        var rates = RatePlan.defaults(for: plan)
        rates.dailyQuota = nil
        let clock = TestClock(frozenAt: TestClock.fixedInstant)
        let limiter = RateLimiter(clock: clock)
        for _ in 0..<2_000 {
            #expect(limiter.check(key: "k", plan: rates).isAllowed)
            clock.advance(by: 1 / rates.requestsPerSecond)
        }
    }

    @Test func retryAfterIsWholeSecondsNeverZeroAndNeverEarly() {
        let rates = RatePlan(requestsPerSecond: 0.2, burst: 3, dailyQuota: nil)
        let clock = TestClock(frozenAt: TestClock.fixedInstant)
        let limiter = RateLimiter(clock: clock)
        for _ in 0..<3 { #expect(limiter.check(key: "k", plan: rates).isAllowed) }
        for _ in 0..<50 {
            clock.advance(by: Double.random(in: 0...0.7))
            let refused = limiter.check(key: "k", plan: rates)
            guard !refused.isAllowed else { continue }
            #expect(refused.refusal == .rate)
            #expect(refused.retryAfterSeconds >= 1)
            clock.advance(by: Double(refused.retryAfterSeconds))
            #expect(limiter.check(key: "k", plan: rates).isAllowed, "a request sent after Retry-After was refused")
        }
    }

    @Test func theDailyQuotaRefusesUntilMidnightUTC() throws {
        let rates = RatePlan(requestsPerSecond: 1_000, burst: 1_000, dailyQuota: 5)
        let midnight = Date(timeIntervalSince1970: 1_800_057_600)  // a multiple of 86,400
        let clock = TestClock(frozenAt: midnight.addingTimeInterval(-100))
        let limiter = RateLimiter(clock: clock)
        for expected in (0..<5).reversed() {
            #expect(limiter.check(key: "k", plan: rates).dailyRemaining == expected)
        }
        let refused = limiter.check(key: "k", plan: rates)
        #expect(refused.refusal == .dailyQuota)
        #expect(refused.retryAfterSeconds == 100)
        clock.advance(by: 99)
        #expect(!limiter.check(key: "k", plan: rates).isAllowed)
        clock.advance(by: 1)
        #expect(limiter.check(key: "k", plan: rates).isAllowed)
    }

    @Test func keysAreLimitedIndependently() {
        let rates = RatePlan(requestsPerSecond: 1, burst: 1, dailyQuota: nil)
        let limiter = RateLimiter(clock: TestClock(frozenAt: TestClock.fixedInstant))
        #expect(limiter.check(key: "a", plan: rates).isAllowed)
        #expect(!limiter.check(key: "a", plan: rates).isAllowed)
        #expect(limiter.check(key: "b", plan: rates).isAllowed)
    }

    @Test func theSeedsPlansAreTheDefaults() {
        #expect(RatePlan.defaults(for: .free).requestsPerSecond == 0.2)
        #expect(RatePlan.defaults(for: .free).dailyQuota == 1_000)
        #expect(RatePlan.defaults(for: .pro).dailyQuota == 10_000)
        #expect(RatePlan.defaults(for: .team).requestsPerSecond == 2.0)
        #expect(RatePlan.defaults(for: .team).dailyQuota == 50_000)
        #expect(RatePlan.defaults(for: .enterprise).dailyQuota == nil)
    }
}
