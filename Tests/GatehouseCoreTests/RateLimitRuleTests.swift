import Foundation
import GatehouseCore
import GatehouseTestSupport
import Testing

@Suite struct RateLimitRuleTests {
    let now = RateLimitInstant(Date(timeIntervalSince1970: 1_800_000_000))

    @Test func aFreshKeyTakesTheBurstAtOnceAndNoMore() {
        let rule = RateLimitRule(requestsPerSecond: 2, burst: 3, dailyQuota: nil)
        var state = RateLimitState()
        for _ in 0..<3 { state = try! #require(rule.admit(state: state, at: now)) }
        #expect(rule.admit(state: state, at: now) == nil)
        #expect(rule.admit(2, state: RateLimitState(), at: now) != nil)
        #expect(rule.admit(4, state: RateLimitState(), at: now) == nil)
        #expect(!rule.canEverAdmit(4))
        #expect(rule.canEverAdmit(3))
    }

    @Test func theReportedWaitIsExactlyWhenTheNextRequestFits() throws {
        let rule = RateLimitRule(requestsPerSecond: 5, burst: 2, dailyQuota: nil)
        var state = RateLimitState()
        for _ in 0..<2 { state = try #require(rule.admit(state: state, at: now)) }
        let wait = rule.waitForRate(state: state, at: now)
        #expect(wait == rule.emissionInterval)
        let early = RateLimitInstant(Date(timeIntervalSince1970: 1_800_000_000 + Double(wait - 1_000) / 1e9))
        let onTime = RateLimitInstant(Date(timeIntervalSince1970: 1_800_000_000 + Double(wait) / 1e9))
        #expect(rule.admit(state: state, at: early) == nil)
        #expect(rule.admit(state: state, at: onTime) != nil)
    }

    @Test func theDailyQuotaCountsPermitsAndStartsAgainTomorrow() throws {
        let rule = RateLimitRule(requestsPerSecond: 1_000, burst: 100, dailyQuota: 5)
        let state = try #require(rule.admit(4, state: RateLimitState(), at: now))
        #expect(state.usedToday == 4)
        #expect(rule.admit(2, state: state, at: now) == nil)
        let tomorrow = RateLimitInstant(Date(timeIntervalSince1970: 1_800_000_000 + 86_400))
        #expect(rule.admit(2, state: state, at: tomorrow)?.usedToday == 2)
    }

    @Test func aRefundGivesBackWhatOneAdmissionTook() throws {
        let rule = RateLimitRule(requestsPerSecond: 1, burst: 2, dailyQuota: 10)
        let first = try #require(rule.admit(state: RateLimitState(), at: now))
        let second = try #require(rule.admit(state: first, at: now))
        #expect(rule.refund(state: second, at: now) == first)
    }

    /// Over any window of `W` seconds at most `rate × W + burst` requests are admitted.
    @Test func noWindowAdmitsMoreThanTheRateAndTheBurst() {
        var random = SeededGenerator(seed: 11)
        let rule = RateLimitRule(requestsPerSecond: 4, burst: 6, dailyQuota: nil)
        var state = RateLimitState()
        var admitted: [Double] = []
        var time = 1_800_000_000.0
        for _ in 0..<2_000 {
            time += Double.random(in: 0...0.3, using: &random)
            if let next = rule.admit(state: state, at: RateLimitInstant(Date(timeIntervalSince1970: time))) {
                state = next
                admitted.append(time)
            }
        }
        for (index, start) in admitted.enumerated() {
            let window = 3.0
            let inWindow = admitted[index...].prefix { $0 - start < window }.count
            #expect(Double(inWindow) <= 4 * window + 6)
        }
        #expect(admitted.count > 500)
    }
}
