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

/// Per-key controls: an expiry and a number of uses chosen for a key, and an integration's own rate
/// limit in place of its plan's.
@Suite(.timeLimit(.minutes(1))) struct KeyControlsTests {
    @Test func aUsageLimitedKeyIsRefusedOnceItsUsesAreSpentWithAClearError() async throws {
        let world = try await TestWorld.make()
        let key = try #require(try await world.store.tokens(integrationID: world.integration.id).first)
        let limited = try await world.admin.setKeyLimits(tokenID: key.id, expiresAt: nil, maxUses: 3)
        #expect(limited.maxUses == 3)
        try await world.test(.router) { client in
            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await client.call(.get, "/v1/users/me", token: world.token).status) }
            #expect(statuses == [200, 200, 200, 403])
            let refused = try await client.call(.get, "/v1/users/me", token: world.token)
            #expect(refused.code == "restricted_resource")
            #expect(refused.message?.contains("limited to 3 requests") == true)
        }
        let reopened = try await TestWorld.reopen(world)
        let stored = try await reopened.token(id: key.id)
        await reopened.shutdown()
        #expect(stored?.uses == 3)
    }

    @Test func aKeyGivenAnExpiryStopsWorkingThen() async throws {
        let clock = TestClock(.system)
        let world = try await TestWorld.make(clock: clock)
        let key = try #require(try await world.store.tokens(integrationID: world.integration.id).first)
        _ = try await world.admin.setKeyLimits(
            tokenID: key.id,
            expiresAt: Date().addingTimeInterval(3_600),
            maxUses: nil
        )
        try await world.test(.router) { client in
            let before = try await client.call(.get, "/v1/users/me", token: world.token)
            clock.advance(by: 3_601)
            let after = try await client.call(.get, "/v1/users/me", token: world.token)
            #expect(before.status == 200)
            #expect(after.status == 401)
        }
    }

    @Test func anIntegrationsOwnRateLimitReplacesItsPlansAtOnce() async throws {
        let world = try await TestWorld.make(plan: .enterprise)
        try await world.test(.router) { client in
            let before = try await client.call(.get, "/v1/users/me", token: world.token)
            #expect(before.headers[HTTPField.Name("X-RateLimit-Limit")!] == "10000")
            _ = try await world.admin.setRateLimit(
                RatePlan(requestsPerSecond: 0.01, burst: 2, dailyQuota: 100),
                integrationID: world.integration.id
            )
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await client.call(.get, "/v1/users/me", token: world.token).status) }
            #expect(statuses == [200, 200, 429])
            _ = try await world.admin.setRateLimit(nil, integrationID: world.integration.id)
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
        }
    }

    @Test func limitsAreWrittenAndReadInOneCompactForm() {
        #expect(RatePlan(compact: "10/20/5000") == RatePlan(requestsPerSecond: 10, burst: 20, dailyQuota: 5000))
        #expect(RatePlan(compact: "0.5/3/-")?.compactDescription == "0.5/3/-")
        for bad in ["", "10/20", "0/1/-", "1/0/-", "x/1/1", "1/1/0", "1/1/1/1"] {
            #expect(RatePlan(compact: bad) == nil, "\(bad)")
        }
    }

    @Test func theConsoleShowsScopesTheRateLimitExpiryAndUses() async throws {
        let world = try await TestWorld.make(plan: .pro)
        let flow = try await OAuthFlow.make(world)
        let key = try #require(try await world.store.tokens(integrationID: world.integration.id).first)
        _ = try await world.admin.setKeyLimits(
            tokenID: key.id,
            expiresAt: Date(timeIntervalSince1970: 1_893_456_000),  // 2030-01-01
            maxUses: 50
        )
        _ = try await world.admin.setScopes(try Scopes(["orders:read"]), integrationID: world.integration.id)
        let policyPath = Scratch.path(".yaml")
        try ForwardAuthFixture.writePolicy(ForwardAuthFixture.policyText, to: policyPath)
        try await world.test(.router, configure: ForwardAuthFixture.configured(policy: policyPath)) { client in
            let cookies = [OAuthFlow.sessionCookie: try requireValue(try await flow.signIn(client), "session")]
            let page = try await client.send(.get, "/console/integrations/\(world.integration.id)", cookies: cookies)
            #expect(page.status == 200)
            #expect(page.text.contains("<code>orders:read</code>: Read your orders"))
            #expect(page.text.contains("1 requests a second, bursts of 5, 10000 a day (the workspace&#39;s pro plan)"))
            #expect(page.text.contains("2030-01-01"))
            #expect(page.text.contains("0 of 50"))

            _ = try await world.admin.setRateLimit(
                RatePlan(requestsPerSecond: 20, burst: 40, dailyQuota: nil),
                integrationID: world.integration.id
            )
            let changed = try await client.send(.get, "/console/integrations/\(world.integration.id)", cookies: cookies)
            #expect(changed.text.contains("20 requests a second, bursts of 40, no daily quota (its own limit"))

            let listed = try await client.execute(
                uri: "/console/api/integrations",
                method: .get,
                headers: [.cookie: "\(OAuthFlow.sessionCookie)=\(cookies.values.first!)"]
            ) { response in
                (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))) as? [String: Any]
            }
            let results = try #require(listed?["results"] as? [[String: Any]])
            let robot = try #require(results.first { $0["id"] as? String == world.integration.id })
            #expect(robot["scopes"] as? [String] == ["orders:read"])
            #expect(robot["rate_limit"] as? String == "20/40/-")
            let token = try #require((robot["tokens"] as? [[String: Any]])?.first { $0["id"] as? String == key.id })
            #expect(token["max_uses"] as? Int == 50)
            #expect((token["expires_at"] as? String)?.hasPrefix("2030-01-01") == true)
        }
    }
}

extension TestWorld {
    /// A second handle on the world's store file, for reading what the server wrote after it closed.
    static func reopen(_ world: TestWorld) async throws -> SQLStore {
        try await SQLStore.open(.sqlite(path: world.path), logger: TestWorld.quietLogger)
    }
}
