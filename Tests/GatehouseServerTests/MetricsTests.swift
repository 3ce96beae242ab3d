import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct MetricsTests {
    @Test func metricsCountRequestsByRouteFailuresByReasonAndRefusals() async throws {
        let world = try await TestWorld.make(plan: .free)
        let (revoked, revokedToken) = try await world.otherIntegration(capabilities: .all)
        _ = try await world.admin.revokeTokens(integrationID: revoked.id)
        let tight = RatePlans(overrides: [.free: RatePlan(requestsPerSecond: 0.01, burst: 2, dailyQuota: nil)])
        try await world.test(.router, plans: tight) { client in
            for _ in 0..<3 { _ = try await client.call(.get, "/v1/users/me", token: world.token) }
            _ = try await client.call(.get, "/v1/users/me", token: TokenFormat.generate(.internalKey))
            _ = try await client.call(.get, "/v1/users/me", token: "secret_not-a-real-token")
            _ = try await client.call(.get, "/v1/users/me", token: revokedToken)
            _ = try await client.call(.get, "/v1/databases/\(world.sharedDatabase.id)", token: nil)
            let metrics = try await client.call(.get, "/metrics", token: nil, version: nil)
            #expect(metrics.status == 200)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = metrics.text
            #expect(text.contains(#"gatehouse_http_requests_total{route="/v1/users/me",method="GET",status="200"} 2"#))
            #expect(text.contains(#"gatehouse_http_requests_total{route="/v1/users/me",method="GET",status="429"} 1"#))
            #expect(text.contains(#"gatehouse_http_requests_total{route="/v1/users/me",method="GET",status="401"} 3"#))
            #expect(text.contains(#"gatehouse_authentication_failures_total{reason="unknown"} 1"#))
            #expect(text.contains(#"gatehouse_authentication_failures_total{reason="malformed"} 1"#))
            #expect(text.contains(#"gatehouse_authentication_failures_total{reason="revoked"} 1"#))
            #expect(text.contains(#"gatehouse_authentication_failures_total{reason="missing"} 1"#))
            #expect(text.contains(#"gatehouse_rate_limited_total{reason="rate"} 1"#))
            #expect(text.contains("gatehouse_http_request_duration_seconds_bucket"))
            // Routes are patterns: no id, no token ever becomes a label.
            #expect(text.contains("/v1/databases/{database_id}") || text.contains("/v1/databases/:database_id"))
            #expect(!text.contains(world.sharedDatabase.id))
            #expect(!text.contains("secret_"))
        }
    }
}
