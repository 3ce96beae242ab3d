import Foundation
import GatehouseCore
import GatehouseServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GatehouseStore

/// Whose failures a throttle counts: the peer, or the client a trusted proxy forwards for.
@Suite(.timeLimit(.minutes(1))) struct ClientAttributionTests {
    static let tightFailures = RatePlans(
        overrides: [.enterprise: RatePlan(requestsPerSecond: 10_000, burst: 10_000, dailyQuota: nil)],
        failedAuthentication: RatePlan(requestsPerSecond: 0.01, burst: 3, dailyQuota: nil)
    )

    static func forwardedFor(_ address: String) -> HTTPFields {
        var fields = HTTPFields()
        fields.append(HTTPField(name: HTTPField.Name("X-Forwarded-For")!, value: address))
        return fields
    }

    static let badToken = "secret_" + String(repeating: "A", count: 46)

    @Test func behindATrustedProxyOneClientsFailuresDoNotThrottleAnother() async throws {
        let world = try await TestWorld.make()
        let trustLoopbackProxy: (inout ServerConfiguration) -> Void = {
            $0.trustedProxies = TrustedProxies([IPNetwork("127.0.0.1")!])
        }
        try await world.test(.live, plans: Self.tightFailures, configure: trustLoopbackProxy) { client in
            var statuses: [Int] = []
            for _ in 0..<5 {
                statuses.append(
                    try await client.call(
                        .get,
                        "/v1/users/me",
                        token: Self.badToken,
                        headers: Self.forwardedFor("203.0.113.1")
                    ).status
                )
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == 401 })
            #expect(statuses.last == 429)
            // Another client behind the same proxy still gets its own allowance.
            let other = try await client.call(
                .get,
                "/v1/users/me",
                token: Self.badToken,
                headers: Self.forwardedFor("198.51.100.20")
            )
            #expect(other.status == 401)
        }
    }

    @Test func withoutATrustedProxyForwardingHeadersAreIgnored() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live, plans: Self.tightFailures) { client in
            for index in 0..<4 {
                _ = try await client.call(
                    .get,
                    "/v1/users/me",
                    token: Self.badToken,
                    headers: Self.forwardedFor("203.0.113.\(index)")
                )
            }
            // Every request came from 127.0.0.1, whatever it claimed: the allowance is spent.
            let next = try await client.call(
                .get,
                "/v1/users/me",
                token: Self.badToken,
                headers: Self.forwardedFor("198.51.100.99")
            )
            #expect(next.status == 429)
        }
    }
}
