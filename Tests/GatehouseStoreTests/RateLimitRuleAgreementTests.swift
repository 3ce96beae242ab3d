import Foundation
import GatehouseCore
import GatehouseTestSupport
import Testing

@testable import GatehouseStore

/// The store's shared upsert and the core's ``RateLimitRule`` are the same arithmetic: on random
/// sequences of requests (random plans, gaps, batch sizes, day changes) they admit the same
/// requests and reach the same state.
@Suite(.timeLimit(.minutes(1))) struct RateLimitRuleAgreementTests {
    @Test(arguments: StoreEngine.available)
    func theStoreDecidesExactlyAsTheRuleOnRandomSequences(engine: StoreEngine) async throws {
        let store = try await engine.open()
        var random = SeededGenerator(seed: 0x5eed_2026)
        var admittedSomewhere = 0
        var refusedSomewhere = 0
        for sequence in 0..<12 {
            let rule = RateLimitRule(
                requestsPerSecond: [0.2, 1, 5, 50, 1_000].randomElement(using: &random)!,
                burst: Int.random(in: 1...20, using: &random),
                dailyQuota: Bool.random(using: &random) ? Int.random(in: 1...40, using: &random) : nil
            )
            let key = "agreement-\(sequence)-\(Fixtures.id())"
            var expected = RateLimitState()
            // Starts 30 s before a UTC midnight, so that sequences cross a day.
            var time = 1_800_057_570.0 + Double(sequence)
            for _ in 0..<60 {
                time += [0, 0, 0.001, 0.05, 0.2, 1, 7].randomElement(using: &random)!
                let now = RateLimitInstant(Date(timeIntervalSince1970: time))
                let permits = [1, 1, 1, 2, 5, 30].randomElement(using: &random)!
                let decided = rule.admit(permits, state: expected, at: now)
                let stored = try await store.admit(key: key, rule: rule, permits: permits, now: now)
                #expect(stored.admitted == (decided != nil), "sequence \(sequence) at \(time), \(permits) permits")
                if let decided {
                    #expect(stored.state == decided)
                    expected = decided
                    admittedSomewhere += 1
                } else {
                    refusedSomewhere += 1
                }
            }
        }
        // The sequences exercised both answers, not one.
        #expect(admittedSomewhere > 50)
        #expect(refusedSomewhere > 50)
        await store.shutdown()
    }
}
