import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import GatehouseServer

/// `POST /v1/oauth/register` (RFC 7591) and `resource` (RFC 8707) on the token endpoint: how an
/// MCP client gets from a 401 to a token of its own.
@Suite(.timeLimit(.minutes(1))) struct ClientRegistrationEndpointTests {
    static func register(_ client: some TestClientProtocol, _ body: String) async throws -> APIResult {
        try await client.execute(
            uri: "/v1/oauth/register",
            method: .post,
            headers: [.contentType: "application/json"],
            body: ByteBuffer(string: body)
        ) { APIResult($0) }
    }

    /// A server whose registered clients belong to the world's workspace.
    static func open(_ world: TestWorld) -> (inout ServerConfiguration) -> Void {
        { $0.clientRegistrationWorkspace = world.workspace.id }
    }

    static let sdkBody =
        #"{"client_name": "Agent", "redirect_uris": ["https://client.example/callback"], "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"]}"#

    @Test func registrationIsClosedUnlessAWorkspaceOwnsRegisteredClients() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let refused = try await Self.register(client, Self.sdkBody)
            // No such route: the API's answer to any unknown /v1 URL.
            #expect(refused.status == 400)
            #expect(refused.code == "invalid_request_url")
            let metadata = try await client.call(
                .get,
                "/.well-known/oauth-authorization-server",
                token: nil,
                version: nil
            )
            #expect(metadata.json["registration_endpoint"] == nil)
        }
    }

    @Test func aRegisteredClientCompletesTheFlowAndItsTokenWorksOnMCP() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router, configure: Self.open(world)) { client in
            let metadata = try await client.call(
                .get,
                "/.well-known/oauth-authorization-server",
                token: nil,
                version: nil
            )
            #expect(metadata.json["registration_endpoint"] as? String == "http://gatehouse.test/v1/oauth/register")

            let registered = try await Self.register(client, Self.sdkBody)
            #expect(registered.status == 201)
            #expect(registered.headers[.cacheControl] == "no-store")
            #expect(registered.json["token_endpoint_auth_method"] as? String == "client_secret_basic")
            let clientID = try #require(registered.json["client_id"] as? String)
            let secret = try #require(registered.json["client_secret"] as? String)
            #expect(registered.json["client_secret_expires_at"] as? Int == 0)

            let app = try #require(try await world.store.integration(clientID: clientID))
            #expect(app.workspaceID == world.workspace.id)
            #expect(app.capabilities.userInfo == .withoutEmail)
            let created = try await world.store.events(since: nil, limit: 1_000).last {
                $0.action == "integration.created"
            }
            #expect(created?.details["registered_from"] != nil)
            #expect(created?.details["client_secret_hint"] != nil)
            #expect(created?.details.values.contains { $0.contains(secret) } == false)
            #expect(app.oauthClient?.registeredFrom != nil)
            #expect(registered.json["grant_types"] as? [String] == ["authorization_code", "refresh_token"])

            // The flow with RFC 8707's resource, as MCP clients send it; the client also repeats its
            // id in the body beside HTTP Basic, as the MCP Python SDK does.
            let flow = OAuthFlow(world: world, app: app, clientID: clientID, clientSecret: secret)
            let resource = "http://gatehouse.test/mcp"
            // The consent page says the name is the client's own claim.
            let session = try #require(try await flow.signIn(client))
            let consent = try await client.send(
                .get,
                "/v1/oauth/authorize?" + flow.query(["resource": resource]),
                cookies: [OAuthFlow.sessionCookie: session]
            )
            #expect(consent.text.contains("This app registered itself"))
            #expect(!consent.text.contains("Made by"))
            // The owner's console says so too, with the address it registered from.
            let console = try await client.send(
                .get,
                "/console/integrations/\(app.id)",
                cookies: [OAuthFlow.sessionCookie: session]
            )
            #expect(console.status == 200)
            #expect(console.text.contains("It registered itself"))
            #expect(console.text.contains("from <code>\(try #require(app.oauthClient?.registeredFrom))</code>"))
            let redirect = try await flow.authorize(client, changes: ["resource": resource])
            let code = try #require(redirect["code"])
            let exchanged = try await flow.token(
                client,
                OAuthFlow.codeExchange(code, ["resource": resource, "client_id": clientID])
            )
            #expect(exchanged.status == 200, "\(exchanged.text)")
            let token = try #require(exchanged.json["access_token"] as? String)

            let found = try await client.tool("notion-search", [:], token: token)
            #expect(found.isError == false)
            let ids = (found.structured?["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids.contains(world.sharedPage.id))
            #expect(!ids.contains(world.unsharedPage.id))
        }
    }

    @Test func aResourceOfAnotherServerIsAnInvalidTarget() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router, configure: Self.open(world)) { client in
            let flow = try await OAuthFlow.make(world)
            let redirect = try OAuthFlow.redirectParameters(
                try await client.send(
                    .get,
                    "/v1/oauth/authorize?" + flow.query(["resource": "https://evil.example/mcp"])
                )
            )
            #expect(redirect["error"] == "invalid_target")
            #expect(redirect["state"] == "st-123")
            let token = try await flow.token(
                client,
                OAuthFlow.codeExchange("nac_unknown", ["resource": "https://evil.example/mcp"])
            )
            #expect(token.status == 400)
            #expect(token.json["error"] as? String == "invalid_target")
            // Basic and a different client_id in the body: ambiguous, refused.
            let other = try await flow.token(
                client,
                OAuthFlow.codeExchange("nac_unknown", ["client_id": "someone-else"])
            )
            #expect(other.json["error"] as? String == "invalid_request")
        }
    }

    @Test func badMetadataIsRefusedAndRegistrationsAreThrottledPerAddress() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router, configure: Self.open(world)) { client in
            let bad = try await Self.register(client, #"{"redirect_uris": ["http://evil.example/cb"]}"#)
            #expect(bad.status == 400)
            #expect(bad.json["error"] as? String == "invalid_redirect_uri")
            let notJSON = try await Self.register(client, "{")
            #expect(notJSON.json["error"] as? String == "invalid_client_metadata")
            // A form a page elsewhere could post from a visitor's browser.
            let plain = try await client.execute(
                uri: "/v1/oauth/register",
                method: .post,
                headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: Self.sdkBody)
            ) { APIResult($0) }
            #expect(plain.status == 400)
            #expect(plain.json["error"] as? String == "invalid_client_metadata")
            // Ten in all (the three refusals count), then 429.
            for _ in 0..<7 {
                #expect(try await Self.register(client, Self.sdkBody).status == 201)
            }
            let throttled = try await Self.register(client, Self.sdkBody)
            #expect(throttled.status == 429)
            #expect(throttled.headers[.retryAfter] != nil)
            let reason = (throttled.json["additional_data"] as? [String: Any])?["rate_limit_reason"] as? String
            #expect(reason == "client_registration")
        }
    }

    @Test func theJanitorDeletesSelfRegisteredClientsNoOneAuthorizedWithinAWeek() async throws {
        let world = try await TestWorld.make()
        func client(_ name: String, from address: String?) async throws -> (Integration, String?) {
            try await world.admin.createPublicIntegration(
                workspaceID: world.workspace.id,
                name: name,
                capabilities: ClientRegistration.capabilities,
                redirectURIs: [OAuthFlow.redirectURI],
                expiringTokens: true,
                registeredFrom: address
            )
        }
        let (abandoned, _) = try await client("Abandoned", from: "192.0.2.1")
        let (authorized, secret) = try await client("Authorized", from: "192.0.2.2")
        let (operators, _) = try await client("Operator's", from: nil)
        let clock = SystemClock()
        try await world.application(configure: Self.open(world)).test(.router) { http in
            let flow = OAuthFlow(
                world: world,
                app: authorized,
                clientID: try #require(authorized.oauthClient?.clientID),
                clientSecret: secret
            )
            _ = try await flow.grant(http)
        }
        let janitor = Janitor(
            store: world.store,
            clock: clock,
            interval: .seconds(60),
            retention: 86_400,
            logger: TestWorld.quietLogger
        )
        // Six days on, all stay; eight days on, only the one no one authorized goes.
        await janitor.deleteUnclaimedClients(now: clock.now().addingTimeInterval(6 * 86_400))
        #expect(try await world.store.integration(id: abandoned.id) != nil)
        let later = clock.now().addingTimeInterval(8 * 86_400)
        await janitor.deleteUnclaimedClients(now: later)
        #expect(try await world.store.integration(id: abandoned.id) == nil)
        #expect(try await world.store.integration(id: authorized.id) != nil)
        #expect(try await world.store.integration(id: operators.id) != nil)
        let deleted = try await world.store.events(since: nil, limit: 1_000).last { $0.action == "integration.deleted" }
        #expect(deleted?.target == abandoned.id && deleted?.actor == "janitor")
        await world.store.shutdown()
    }
}
