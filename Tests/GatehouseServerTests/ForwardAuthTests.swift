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

/// `/forward-auth` as a reverse proxy calls it: the original request in headers (or, for Envoy,
/// in the path), the client's bearer token, and the answer the proxy acts on.
@Suite(.timeLimit(.minutes(1))) struct ForwardAuthTests {
    @Test(arguments: ServerPath.allCases) func anAllowedRequestGetsTheIdentityAndRateLimitHeaders(
        path server: ServerPath
    ) async throws {
        let world = try await TestWorld.make()
        let path = Scratch.path(".yaml")
        try ForwardAuthFixture.writePolicy(ForwardAuthFixture.policyText, to: path)
        _ = try await world.admin.setScopes(try Scopes(["orders:read"]), integrationID: world.integration.id)
        try await world.test(server.setup, configure: ForwardAuthFixture.configured(policy: path)) { client in
            let allowed = try await client.call(
                .get,
                "/forward-auth",
                token: world.token,
                version: nil,
                headers: ForwardAuthFixture.original("GET", "/orders/42?expand=lines")
            )
            #expect(allowed.status == 200)
            #expect(allowed.headers[HTTPField.Name("X-Gatehouse-Integration-Id")!] == world.integration.id)
            #expect(allowed.headers[HTTPField.Name("X-Gatehouse-Workspace-Id")!] == world.workspace.id)
            #expect(allowed.headers[HTTPField.Name("X-Gatehouse-Bot-Id")!] == world.integration.botID)
            #expect(allowed.headers[HTTPField.Name("X-Gatehouse-Scopes")!] == "orders:read")
            #expect(allowed.headers[HTTPField.Name("X-Gatehouse-Plan")!] == "enterprise")
            #expect(allowed.headers[HTTPField.Name("X-Gatehouse-User-Id")!] == "")
            #expect(allowed.headers[HTTPField.Name("RateLimit")!] != nil)

            let wrongScope = try await client.call(
                .post,
                "/forward-auth",
                token: world.token,
                version: nil,
                headers: ForwardAuthFixture.original("DELETE", "/orders/42")
            )
            #expect(wrongScope.status == 403)
            #expect(wrongScope.code == "restricted_resource")
            #expect(wrongScope.message?.contains("orders:write") == true)
            #expect(wrongScope.headers[HTTPField.Name("X-Gatehouse-Status")!] == "403")
            #expect(wrongScope.headers[HTTPField.Name("X-Gatehouse-Integration-Id")!] == nil)

            let unnamed = try await client.call(
                .get,
                "/forward-auth",
                token: world.token,
                version: nil,
                headers: ForwardAuthFixture.original("GET", "/invoices")
            )
            #expect(unnamed.status == 403)

            let missing = try await client.call(
                .get,
                "/forward-auth",
                token: nil,
                version: nil,
                headers: ForwardAuthFixture.original("GET", "/orders")
            )
            #expect(missing.status == 401)
            #expect(missing.headers[HTTPField.Name("X-Gatehouse-Status")!] == "401")
            let errorHeader = try #require(missing.headers[HTTPField.Name("X-Gatehouse-Error")!])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(errorHeader.utf8)) as? [String: Any])
            #expect(object["code"] as? String == "unauthorized")
            #expect(object["object"] as? String == "error")
            // Over a socket, the cached token's checks were answered ahead of the router.
            let answered = try await ServerPath.answeredFromMemory(client, route: "/forward-auth")
            if server == .live { #expect(answered >= 2) }
        }
    }

    @Test(arguments: ServerPath.allCases) func envoyStyleChecksCarryTheOriginalMethodAndPathInTheRequest(
        path server: ServerPath
    ) async throws {
        let world = try await TestWorld.make()
        let path = Scratch.path(".yaml")
        try ForwardAuthFixture.writePolicy(ForwardAuthFixture.policyText, to: path)
        _ = try await world.admin.setScopes(try Scopes(["orders:write"]), integrationID: world.integration.id)
        try await world.test(server.setup, configure: ForwardAuthFixture.configured(policy: path)) { client in
            let allowed = try await client.call(.delete, "/forward-auth/orders/42", token: world.token, version: nil)
            #expect(allowed.status == 200)
            let refused = try await client.call(.get, "/forward-auth/orders/42", token: world.token, version: nil)
            #expect(refused.status == 403)
            let traversal = try await client.call(
                .get,
                "/forward-auth",
                token: world.token,
                version: nil,
                headers: ForwardAuthFixture.original("POST", "/orders/../admin")
            )
            #expect(traversal.status == 403)
            let answered = try await ServerPath.answeredFromMemory(client, route: "/forward-auth/**")
            if server == .live { #expect(answered >= 1) }
        }
    }

    @Test(arguments: ServerPath.allCases) func revocationsLimitsAndPolicyChangesApplyAtOnce(
        path server: ServerPath
    ) async throws {
        let world = try await TestWorld.make(plan: .free)
        let path = Scratch.path(".yaml")
        try ForwardAuthFixture.writePolicy(ForwardAuthFixture.policyText, to: path)
        let source = try RoutePolicySource(path: path)
        let freePlan = RatePlans(overrides: [.free: RatePlan(requestsPerSecond: 0.01, burst: 2, dailyQuota: nil)])
        let withSource: (inout ServerConfiguration) -> Void = { $0.routePolicy = source }
        try await world.test(server.setup, plans: freePlan, configure: withSource) { client in
            let whoami = ForwardAuthFixture.original("GET", "/whoami")
            #expect(
                try await client.call(.get, "/forward-auth", token: world.token, version: nil, headers: whoami).status
                    == 200
            )
            #expect(
                try await client.call(.get, "/forward-auth", token: world.token, version: nil, headers: whoami).status
                    == 200
            )
            let limited = try await client.call(
                .get,
                "/forward-auth",
                token: world.token,
                version: nil,
                headers: whoami
            )
            #expect(limited.status == 429)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(limited.headers[HTTPField.Name("X-Gatehouse-Status")!] == "429")

            // A policy change is picked up without a restart; a broken one leaves the last good one.
            try ForwardAuthFixture.writePolicy(
                ForwardAuthFixture.policyText.replacingOccurrences(of: "default: deny", with: "default: bogus"),
                to: path
            )
            #expect(source.reloadIfChanged() != nil)
            #expect(source.current.fallback == .deny)
            try ForwardAuthFixture.writePolicy(
                ForwardAuthFixture.policyText.replacingOccurrences(of: "default: deny", with: "default: authenticate")
                    + "\n",
                to: path
            )
            #expect(source.reloadIfChanged() == nil)
            #expect(source.current.fallback == .authenticate)

            _ = try await world.admin.revokeTokens(integrationID: world.integration.id)
            let revoked = try await client.call(
                .get,
                "/forward-auth",
                token: world.token,
                version: nil,
                headers: whoami
            )
            #expect(revoked.status == 401)
        }
    }

    @Test func aMalformedPolicyFileIsOneClearError() throws {
        let path = Scratch.path(".yaml")
        try ForwardAuthFixture.writePolicy("routes:\n  - {path: orders, scopes: [x]}\n", to: path)
        let error = try #require(throws: RoutePolicyError.self) { try RoutePolicySource(path: path) }
        #expect(error.description.contains("route 1"))
        #expect(!error.description.contains("\n"))
    }
}
