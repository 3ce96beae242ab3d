import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct RateLimitTests {
    @Test func theFreePlansBurstIsAdmittedThenA429WithRetryAfter() async throws {
        let world = try await TestWorld.make(plan: .free)
        try await world.test(.router, plans: RatePlans()) { client in
            for expected in [2, 1, 0] {
                let result = try await client.call(.get, "/v1/users/me", token: world.token)
                #expect(result.status == 200)
                #expect(result.headers[HTTPField.Name("X-RateLimit-Limit")!] == "3")
                #expect(result.headers[HTTPField.Name("X-RateLimit-Remaining")!] == String(expected))
                #expect(
                    result.headers[HTTPField.Name("RateLimit-Policy")!] == #""burst";q=3;w=15, "daily";q=1000;w=86400"#
                )
                let state = try #require(result.headers[HTTPField.Name("RateLimit")!])
                #expect(state.hasPrefix(#""burst";r=\#(expected);t="#))
                #expect(state.wholeMatch(of: #/"burst";r=\d;t=\d+, "daily";r=99\d;t=\d+/#) != nil)
            }
            let refused = try await client.call(.get, "/v1/users/me", token: world.token)
            #expect(refused.status == 429)
            #expect(refused.code == "rate_limited")
            #expect((refused.json["additional_data"] as? [String: Any])?["rate_limit_reason"] as? String == "rate")
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...5).contains(retryAfter))
            #expect(refused.headers[HTTPField.Name("X-RateLimit-Remaining")!] == "0")
            #expect(refused.json["request_id"] as? String == refused.headers[HTTPField.Name("x-notion-request-id")!])
        }
    }

    @Test func aRequestSentAfterRetryAfterIsAdmitted() async throws {
        // A clock that stands still between the two requests, however loaded the machine, and
        // moves by exactly the Retry-After the client is given.
        let clock = TestClock(frozenAt: Date())
        let world = try await TestWorld.make(plan: .free, clock: clock)
        let plans = RatePlans(overrides: [.free: RatePlan(requestsPerSecond: 0.5, burst: 1, dailyQuota: nil)])
        try await world.test(.router, plans: plans) { client in
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
            let refused = try await client.call(.get, "/v1/users/me", token: world.token)
            #expect(refused.status == 429)
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter == 2)
            clock.advance(by: Double(retryAfter) - 0.001)
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 429)
            clock.advance(by: 0.001)
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
        }
    }

    @Test func theDailyQuotaIsReportedAsSuch() async throws {
        let world = try await TestWorld.make(plan: .team)
        let plans = RatePlans(overrides: [.team: RatePlan(requestsPerSecond: 1_000, burst: 100, dailyQuota: 2)])
        try await world.test(.router, plans: plans) { client in
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
            let last = try await client.call(.get, "/v1/users/me", token: world.token)
            #expect(last.headers[HTTPField.Name("RateLimit")!]?.contains(#""daily";r=0;"#) == true)
            let refused = try await client.call(.post, "/v1/search", token: world.token)
            #expect(refused.status == 429)
            #expect(
                (refused.json["additional_data"] as? [String: Any])?["rate_limit_reason"] as? String == "daily_quota"
            )
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            let secondsToMidnight = 86_400 - Int(Date().timeIntervalSince1970) % 86_400
            #expect(abs(retryAfter - secondsToMidnight) <= 2)
            #expect(refused.headers[HTTPField.Name("X-RateLimit-Limit")!] == "2")
        }
    }

    @Test func integrationsAreLimitedSeparatelyAndErrorsCarryTheHeaders() async throws {
        let world = try await TestWorld.make(plan: .free)
        let (_, other) = try await world.otherIntegration(capabilities: .all)
        try await world.test(.router) { client in
            for _ in 0..<3 { _ = try await client.call(.get, "/v1/users/me", token: world.token) }
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 429)
            let notFound = try await client.call(.get, "/v1/databases/\(UUID().uuidString)", token: other)
            #expect(notFound.status == 404)
            #expect(notFound.headers[HTTPField.Name("X-RateLimit-Remaining")!] == "2")
        }
    }

    @Test func aPlanChangeTakesEffectAtOnce() async throws {
        let world = try await TestWorld.make(plan: .free)
        try await world.test(.router, plans: RatePlans()) { client in
            for _ in 0..<3 { _ = try await client.call(.get, "/v1/users/me", token: world.token) }
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 429)
            _ = try await world.admin.setPlan(.enterprise, workspaceID: world.workspace.id)
            let upgraded = try await client.call(.get, "/v1/users/me", token: world.token)
            #expect(upgraded.status == 200)
            #expect(upgraded.headers[HTTPField.Name("X-RateLimit-Limit")!] == "20")
        }
    }
}
