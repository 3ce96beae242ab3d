import Foundation
import Testing

@testable import GatehouseClient

@Suite struct OAuthHelperTests {
    static let tokenJSON = #"""
        {"access_token":"nap_first0000","token_type":"bearer","refresh_token":"nrt_first0000","expires_in":3600,
         "bot_id":"b1","workspace_id":"w1","workspace_name":"Acme","workspace_icon":null,"owner":{"type":"workspace","workspace":true},
         "duplicated_template_id":null,"request_id":"r"}
        """#

    @Test func theAuthorizeURLCarriesStateAndAnS256Challenge() throws {
        let client = OAuthClient(
            clientID: "c1",
            clientSecret: "ncs_x",
            redirectURI: "https://app.example/cb",
            baseURL: URL(string: "http://gatehouse.test")!
        )
        let request = client.authorizationRequest()
        let items = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        #expect(request.url.path == "/v1/oauth/authorize")
        #expect(value("state") == request.state)
        #expect(value("code_challenge_method") == "S256")
        #expect(value("code_challenge") == OAuthClient.challenge(for: request.codeVerifier.value))
        #expect(
            OAuthClient.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        )
        #expect(client.authorizationRequest().state != request.state)
    }

    @Test func theCallbackIsCheckedThenExchanged() async throws {
        let mock = MockTransport()
        mock.respond(to: "POST", path: "/v1/oauth/token", json: Self.tokenJSON)
        let client = OAuthClient(
            clientID: "c1",
            clientSecret: "ncs_x",
            redirectURI: "https://app.example/cb",
            baseURL: URL(string: "http://gatehouse.test")!,
            transport: mock
        )
        let request = client.authorizationRequest()
        for bad in [
            "https://app.example/cb?code=nac_1&state=forged",
            "https://app.example/cb?error=access_denied&state=\(request.state)",
            "https://app.example/cb?code=nac_1&state=\(request.state)&iss=https://evil.example",
        ] {
            let error = try await #require(throws: NotionError.self) {
                try await client.exchange(callback: URL(string: bad)!, for: request)
            }
            #expect(error.code == .oauthCallbackRejected)
        }
        #expect(mock.calls.isEmpty)
        let tokens = try await client.exchange(
            callback: URL(
                string: "https://app.example/cb?code=nac_1&state=\(request.state)&iss=http://gatehouse.test"
            )!,
            for: request
        )
        #expect(tokens.accessToken.value == "nap_first0000")
        #expect(tokens.expiresAt != nil)
        let call = try #require(mock.calls.first)
        #expect(call.authorization == "Basic [REDACTED]")
        let body = try JSONSerialization.jsonObject(with: call.body ?? Data()) as? [String: String]
        #expect(body?["code_verifier"] == request.codeVerifier.value)
        #expect(body?["grant_type"] == "authorization_code")
    }

    @Test func aCallbackWithoutIssIsRefusedWhenTheServerAdvertisesIt() async throws {
        let mock = MockTransport()
        mock.respond(to: "POST", path: "/v1/oauth/token", json: Self.tokenJSON)
        let client = OAuthClient(
            clientID: "c1",
            clientSecret: "ncs_x",
            redirectURI: "https://app.example/cb",
            baseURL: URL(string: "http://gatehouse.test")!,
            transport: mock
        )
        let request = client.authorizationRequest()
        let withoutIss = URL(string: "https://app.example/cb?code=nac_1&state=\(request.state)")!
        // No metadata (as with Notion today): a callback without iss is accepted.
        _ = try await client.exchange(callback: withoutIss, for: request)
        mock.respond(
            to: "GET",
            path: "/.well-known/oauth-authorization-server",
            json: #"{"issuer":"http://gatehouse.test","authorization_response_iss_parameter_supported":true}"#
        )
        let error = try await #require(throws: NotionError.self) {
            try await client.exchange(callback: withoutIss, for: request)
        }
        #expect(error.code == .oauthCallbackRejected)
        #expect(error.message.contains("no iss"))
        #expect(mock.calls.filter { $0.path == "/v1/oauth/token" }.count == 1)
    }

    @Test func aSessionRefreshesBeforeExpiryAndOnA401() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "POST",
            path: "/v1/oauth/token",
            json: Self.tokenJSON.replacingOccurrences(of: "first", with: "second")
        )
        mock.respond(to: "GET", path: "/v1/users/me", status: 401, json: errorJSON(401, "unauthorized"))
        mock.respond(to: "GET", path: "/v1/users/me", json: meJSON)
        let oauth = OAuthClient(
            clientID: "c1",
            clientSecret: "ncs_x",
            redirectURI: "https://app.example/cb",
            baseURL: URL(string: "http://gatehouse.test")!,
            transport: mock
        )
        let store = InMemoryTokenStore(
            OAuthTokens(
                accessToken: Secret("nap_old"),
                refreshToken: Secret("nrt_old"),
                expiresAt: Date().addingTimeInterval(3600),
                botID: "b1",
                workspaceID: "w1",
                workspaceName: nil
            )
        )
        let session = OAuthSession(client: oauth, store: store)
        let client = makeClient(mock, oauth: session, token: nil)
        _ = try await client.me()
        #expect(mock.calls.map(\.path) == ["/v1/users/me", "/v1/oauth/token", "/v1/users/me"])
        #expect(await store.load()?.accessToken.value == "nap_second0000")

        // An access token about to expire is refreshed before the call.
        await store.save(
            OAuthTokens(
                accessToken: Secret("nap_old"),
                refreshToken: Secret("nrt_old"),
                expiresAt: Date().addingTimeInterval(10),
                botID: "b1",
                workspaceID: "w1",
                workspaceName: nil
            )
        )
        #expect(try await session.accessToken().value == "nap_second0000")
    }
}
