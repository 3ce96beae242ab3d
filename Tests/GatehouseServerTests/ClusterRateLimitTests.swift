import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct ClusterRateLimitTests {
    /// Two servers on one store (as two nodes, or two processes on one SQLite file): a burst of
    /// 3 holds for the pair, not 3 each. The plan refills one request a minute, so however slow
    /// the machine, no refill comes during the eight calls.
    @Test func theLimitHoldsForTwoServersSharingAStore() async throws {
        let world = try await TestWorld.make(plan: .free)
        let plans = RatePlans(overrides: [.free: RatePlan(requestsPerSecond: 1.0 / 60, burst: 3, dailyQuota: nil)])
        let second = try await SQLStore.open(.sqlite(path: world.path), logger: TestWorld.quietLogger)
        let otherNode = try await buildApplication(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, ratePlans: plans),
            store: second,
            authenticator: Authenticator(store: second),
            logger: TestWorld.quietLogger
        )
        try await world.test(.router, plans: plans) { first in
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
