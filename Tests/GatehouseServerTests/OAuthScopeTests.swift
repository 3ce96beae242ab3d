import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

/// `scope` on the authorize and token endpoints and in introspection (RFC 6749 §3.3, RFC 7662),
/// over a deployment's own scopes: what consent shows, what the grant holds, what forward
/// authentication then allows.
@Suite(.timeLimit(.minutes(1))) struct OAuthScopeTests {
    /// A public integration holding both order scopes, behind the forward-auth policy's routes.
    static func scopedFlow(_ world: TestWorld) async throws -> OAuthFlow {
        let flow = try await OAuthFlow.make(world)
        _ = try await world.admin.setScopes(try Scopes(["orders:read", "orders:write"]), integrationID: flow.app.id)
        return try await OAuthFlow(
            world: world,
            app: world.admin.store.integration(id: flow.app.id)!,
            clientID: flow.clientID,
            clientSecret: flow.clientSecret
        )
    }

    static func policy() throws -> (inout ServerConfiguration) -> Void {
        let path = Scratch.path(".yaml")
        try ForwardAuthFixture.writePolicy(ForwardAuthFixture.policyText, to: path)
        return ForwardAuthFixture.configured(policy: path)
    }

    @Test func aNarrowedScopeIsShownOnConsentGrantedAndEnforced() async throws {
        let world = try await TestWorld.make()
        let flow = try await Self.scopedFlow(world)
        try await world.test(.router, configure: try Self.policy()) { client in
            let scope = "read_content orders:read"
            let session = try requireValue(try await flow.signIn(client, changes: ["scope": scope]))
            let consent = try await client.send(
                .get,
                "/v1/oauth/authorize?" + flow.query(["scope": scope]),
                cookies: [OAuthFlow.sessionCookie: session]
            )
            #expect(consent.status == 200)
            #expect(consent.text.contains("<code>orders:read</code>: Read your orders"))
            #expect(!consent.text.contains("orders:write"))
            #expect(consent.field("scope") == "orders:read read_content")

            let granted = try await flow.grant(client, changes: ["scope": scope])
            // Stated in the request's terms, so a client comparing the two sees no change.
            #expect(granted["scope"] as? String == scope)

            let access = try #require(granted["access_token"] as? String)
            let read = try await client.call(
                .get,
                "/forward-auth",
                token: access,
                version: nil,
                headers: ForwardAuthFixture.original("GET", "/orders/7")
            )
            #expect(read.status == 200)
            #expect(read.headers[HTTPField.Name("X-Gatehouse-Scopes")!] == "orders:read")
            #expect(read.headers[HTTPField.Name("X-Gatehouse-User-Id")!] == world.owner.id)
            let write = try await client.call(
                .get,
                "/forward-auth",
                token: access,
                version: nil,
                headers: ForwardAuthFixture.original("DELETE", "/orders/7")
            )
            #expect(write.status == 403)

            let introspected = try await flow.token(client, ["token": access], endpoint: "introspect")
            let introspectedScope = try #require(introspected.json["scope"] as? String)
            #expect(introspectedScope.split(separator: " ").contains("orders:read"))
            #expect(introspectedScope.split(separator: " ").contains("read_content"))
            #expect(!introspectedScope.contains("orders:write"))

            let refresh = try #require(granted["refresh_token"] as? String)
            let widened = try await flow.token(
                client,
                ["grant_type": "refresh_token", "refresh_token": refresh, "scope": "orders:read orders:write"]
            )
            #expect(widened.status == 400)
            #expect(widened.oauthError?.error == "invalid_scope")
            let same = try await flow.token(
                client,
                ["grant_type": "refresh_token", "refresh_token": refresh, "scope": "orders:read"]
            )
            #expect(same.status == 200)
            #expect(same.json["scope"] as? String == "orders:read")
        }
    }

    @Test func withoutScopeTheGrantHoldsEveryScopeOfTheIntegration() async throws {
        let world = try await TestWorld.make()
        let flow = try await Self.scopedFlow(world)
        try await world.test(.router, configure: try Self.policy()) { client in
            let granted = try await flow.grant(client)
            let scope = try #require(granted["scope"] as? String)
            #expect(scope.contains("orders:read") && scope.contains("orders:write"))
        }
    }

    @Test func aScopeTheIntegrationDoesNotHoldGoesBackAsInvalidScope() async throws {
        let world = try await TestWorld.make()
        let flow = try await Self.scopedFlow(world)
        try await world.test(.router, configure: try Self.policy()) { client in
            let refused = try await client.send(.get, "/v1/oauth/authorize?" + flow.query(["scope": "billing:admin"]))
            let redirect = try OAuthFlow.redirectParameters(refused)
            #expect(redirect["_target"] == OAuthFlow.redirectURI)
            #expect(redirect["error"] == "invalid_scope")
            #expect(redirect["state"] == "st-123")
            #expect(redirect["error_description"]?.contains("billing:admin") == true)
            #expect(redirect["code"] == nil)

            let metadata = try await client.call(
                .get,
                "/.well-known/oauth-authorization-server",
                token: nil,
                version: nil
            )
            let supported = try #require(metadata.json["scopes_supported"] as? [String])
            #expect(supported.contains("orders:read") && supported.contains("read_content"))
        }
    }

    @Test func anIntegrationWithoutScopesKeepsNotionsTokenResponse() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let granted = try await flow.grant(client)
            #expect(granted["scope"] == nil)
        }
    }
}
