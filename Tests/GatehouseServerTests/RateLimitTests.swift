import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
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
        let world = try await TestWorld.make(plan: .free)
        let plans = RatePlans(overrides: [.free: RatePlan(requestsPerSecond: 0.5, burst: 1, dailyQuota: nil)])
        try await world.test(.router, plans: plans) { client in
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
            let refused = try await client.call(.get, "/v1/users/me", token: world.token)
            #expect(refused.status == 429)
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter == 2)
            try await Task.sleep(for: .seconds(retryAfter))
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

@Suite(.timeLimit(.minutes(1))) struct FailedAuthenticationThrottleTests {
    /// Over real HTTP, so requests carry a client address: guessing is slowed to 429s after the
    /// allowance, while a valid token from the same address keeps working.
    @Test func guessingIsThrottledPerAddressWithoutLockingOutValidTokens() async throws {
        let world = try await TestWorld.make()
        // The allowance refills slowly here, so the outcome does not depend on how fast the
        // machine sends the requests.
        let slowRefill: (inout ServerConfiguration) -> Void = {
            $0.ratePlans.failedAuthentication = RatePlan(requestsPerSecond: 0.01, burst: 20, dailyQuota: nil)
        }
        try await world.test(.live, configure: slowRefill) { client in
            var statuses: [Int] = []
            for _ in 0..<25 {
                statuses.append(
                    try await client.call(.get, "/v1/users/me", token: TokenFormat.generate(.internalKey)).status
                )
            }
            #expect(statuses.prefix(20).allSatisfy { $0 == 401 })
            let failed = try await client.call(.get, "/v1/users/me", token: nil)
            #expect(failed.headers[HTTPField.Name("RateLimit-Policy")!] == #""failed_auth";q=20;w=2000"#)
            #expect(failed.headers[HTTPField.Name("X-RateLimit-Remaining")!] == "0")
            #expect(statuses.suffix(3).allSatisfy { $0 == 429 })
            let throttled = try await client.call(.get, "/v1/users/me", token: "secret_wrong")
            #expect(throttled.status == 429)
            #expect(
                (throttled.json["additional_data"] as? [String: Any])?["rate_limit_reason"] as? String
                    == "failed_authentication"
            )
            #expect(throttled.headers[.retryAfter].flatMap { Int($0) } ?? 0 >= 1)
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct ClusterRateLimitTests {
    /// Two servers on one store (as two nodes, or two processes on one SQLite file): the free
    /// plan's burst of 3 holds for the pair, not 3 each.
    @Test func theLimitHoldsForTwoServersSharingAStore() async throws {
        let world = try await TestWorld.make(plan: .free)
        let second = try await SQLStore.open(.sqlite(path: world.path), logger: TestWorld.quietLogger)
        let otherNode = try await buildApplication(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
            store: second,
            authenticator: Authenticator(store: second),
            logger: TestWorld.quietLogger
        )
        try await world.test(.router, plans: RatePlans()) { first in
            try await otherNode.test(.router) { other in
                var statuses: [Int] = []
                for index in 0..<8 {
                    let client: any TestClientProtocol = index.isMultiple(of: 2) ? first : other
                    statuses.append(try await client.call(.get, "/v1/users/me", token: world.token).status)
                }
                #expect(statuses.filter { $0 == 200 }.count == 3, "\(statuses)")
                #expect(statuses.filter { $0 == 429 }.count == 5)
            }
        }
        await second.shutdown()
    }
}
