import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

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
