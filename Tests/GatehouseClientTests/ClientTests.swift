import Foundation
import GatehouseTestSupport
import Synchronization
import Testing

@testable import GatehouseClient

/// Records the waits a client asked for instead of sleeping.
final class Sleeps: Sendable {
    private let waits = Mutex<[Double]>([])
    var all: [Double] { waits.withLock { $0 } }
    func record(_ seconds: Double) { waits.withLock { $0.append(seconds) } }
}

func makeClient(
    _ mock: MockTransport,
    sleeps: Sleeps = Sleeps(),
    retry: RetryPolicy = RetryPolicy(),
    pacing: Pacing? = nil,
    oauth: OAuthSession? = nil,
    token: String? = "secret_clientTestToken1234567890"
) -> NotionClient {
    NotionClient(
        configuration: ClientConfiguration(
            token: token,
            baseURL: URL(string: "http://gatehouse.test/v1/")!,
            retry: retry,
            pacing: pacing
        ),
        transport: mock,
        oauth: oauth,
        sleep: { sleeps.record($0) },
        random: { 0.5 }
    )
}

let meJSON = #"""
    {"object":"user","id":"b1","name":"Robot","avatar_url":null,"type":"bot",
     "bot":{"owner":{"type":"user","user":{"object":"user","id":"u1","name":"Ada"}},"workspace_name":"Acme","workspace_id":"w1"},
     "request_id":"r1"}
    """#

func errorJSON(_ status: Int, _ code: String, _ message: String = "no") -> String {
    #"{"object":"error","status":\#(status),"code":"\#(code)","message":"\#(message)","request_id":"req-\#(status)"}"#
}

@Suite struct ConfigurationTests {
    @Test func theSeedsEnvironmentRulesPickKeyAndBaseURL() throws {
        let development = try ClientConfiguration.fromEnvironment(
            ["ENV": "development", "NOTION_DEV_KEY": "secret_dev", "NOTION_PROD_KEY": "secret_prod"],
            dotEnvFile: nil
        )
        #expect(development.token?.value == "secret_dev")
        #expect(development.baseURL == ClientConfiguration.sandboxBaseURL)
        let production = try ClientConfiguration.fromEnvironment(
            ["NOTION_DEV_KEY": "secret_dev", "NOTION_PROD_KEY": "secret_prod"],
            dotEnvFile: nil
        )
        #expect(production.token?.value == "secret_prod")
        #expect(production.baseURL == ClientConfiguration.productionBaseURL)
        let plain = try ClientConfiguration.fromEnvironment(
            [
                "NOTION_API_KEY": "secret_any", "NOTION_BASE_URL": "http://127.0.0.1:8080/v1",
                "NOTION_VERSION": "2025-09-03",
            ],
            dotEnvFile: nil
        )
        #expect(plain.token?.value == "secret_any")
        #expect(plain.baseURL.absoluteString == "http://127.0.0.1:8080")
        #expect(plain.notionVersion == "2025-09-03")
        #expect(throws: NotionError.self) { try ClientConfiguration.fromEnvironment([:], dotEnvFile: nil) }
    }

    @Test func aDotEnvFileFillsWhatTheEnvironmentLeavesOut() throws {
        let path = Scratch.path(".env")
        try "# local\nexport NOTION_API_KEY=\"secret_fromfile\"\nNOTION_BASE_URL='http://127.0.0.1:9'\n".write(
            toFile: path,
            atomically: true,
            encoding: .utf8
        )
        let fromFile = try ClientConfiguration.fromEnvironment([:], dotEnvFile: path)
        #expect(fromFile.token?.value == "secret_fromfile")
        #expect(fromFile.baseURL.absoluteString == "http://127.0.0.1:9")
        let overridden = try ClientConfiguration.fromEnvironment(["NOTION_API_KEY": "secret_env"], dotEnvFile: path)
        #expect(overridden.token?.value == "secret_env")
    }
}

@Suite struct CallTests {
    @Test func callsSendTheHeadersAndDecodeTypedModels() async throws {
        let mock = MockTransport()
        mock.respond(to: "GET", path: "/v1/users/me", json: meJSON)
        mock.respond(
            to: "POST",
            path: "/v1/search",
            json: #"""
                {"object":"list","results":[
                  {"object":"database","id":"d1","title":[{"plain_text":"Tasks"}]},
                  {"object":"page","id":"p1","archived":false,"properties":{"Name":{"type":"title","title":[{"plain_text":"Write"},{"plain_text":" tests"}]}},"parent":{"type":"database_id","database_id":"d1"}}
                ],"next_cursor":null,"has_more":false}
                """#
        )
        let client = makeClient(mock)
        let me = try await client.me()
        #expect(me.bot?.owner?.type == "user")
        #expect(me.bot?.owner?.userName == "Ada")
        #expect(me.bot?.workspaceID == "w1")
        let found = try await client.search(query: "t")
        #expect(found.results == [try #require(found.results.first), try #require(found.results.last)])
        guard case .database(let database) = found.results[0], case .page(let page) = found.results[1] else {
            Issue.record("expected a database and a page")
            return
        }
        #expect(database.title == "Tasks")
        #expect(page.title == "Write tests")
        #expect(page.databaseID == "d1")
        let calls = mock.calls
        #expect(calls.map(\.path) == ["/v1/users/me", "/v1/search"])
        #expect(calls[0].headers["Notion-Version"] == "2022-06-28")
        #expect(calls[0].authorization == "Bearer [REDACTED]")
        #expect(calls[1].headers["Content-Type"] == "application/json")
        #expect(String(decoding: calls[1].body ?? Data(), as: UTF8.self) == #"{"query":"t"}"#)
    }

    @Test func errorsAreTypedWithStatusCodeMessageAndRequestID() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "GET",
            path: "/v1/databases/d9",
            status: 404,
            json: errorJSON(404, "object_not_found", "Could not find database")
        )
        let client = makeClient(mock)
        let error = try await #require(throws: NotionError.self) { try await client.database(id: "d9") }
        #expect(error.status == 404)
        #expect(error.code == .objectNotFound)
        #expect(error.message == "Could not find database")
        #expect(error.requestID == "req-404")
        await #expect(throws: NotionError.self) { try await client.database(id: "../users") }
        #expect(mock.calls.count == 1)
    }
}

@Suite struct RetryTests {
    @Test func a429IsRetriedAfterRetryAfterForAnyMethod() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "POST",
            path: "/v1/pages",
            status: 429,
            json: errorJSON(429, "rate_limited"),
            headers: ["Retry-After": "2"]
        )
        mock.respond(to: "POST", path: "/v1/pages", json: #"{"object":"page","id":"p2","properties":{}}"#)
        let sleeps = Sleeps()
        let page = try await makeClient(mock, sleeps: sleeps).createPage(inDatabase: "d1", title: "x")
        #expect(page.id == "p2")
        #expect(sleeps.all == [2])
        #expect(mock.calls.count == 2)
    }

    @Test func serverErrorsAreRetriedWithJitteredBackoffForIdempotentCallsOnly() async throws {
        let mock = MockTransport()
        mock.respond(to: "GET", path: "/v1/users/me", status: 502, json: errorJSON(502, "bad_gateway"))
        mock.respond(to: "GET", path: "/v1/users/me", status: 503, json: errorJSON(503, "service_unavailable"))
        mock.respond(to: "GET", path: "/v1/users/me", json: meJSON)
        let sleeps = Sleeps()
        _ = try await makeClient(mock, sleeps: sleeps).me()
        // Full jitter with random() = 0.5: half of 0.5 s × 2^(attempt-1).
        #expect(sleeps.all == [0.25, 0.5])

        let writes = MockTransport()
        writes.respond(to: "POST", path: "/v1/pages", status: 500, json: errorJSON(500, "internal_server_error"))
        let noSleeps = Sleeps()
        await #expect(throws: NotionError.self) {
            try await makeClient(writes, sleeps: noSleeps).createPage(inDatabase: "d1", title: "x")
        }
        #expect(writes.calls.count == 1)
        #expect(noSleeps.all.isEmpty)
    }

    @Test func attemptsAndTotalWaitAreCapped() async throws {
        let mock = MockTransport()
        mock.respond(to: "GET", path: "/v1/users/me", status: 500, json: errorJSON(500, "internal_server_error"))
        let sleeps = Sleeps()
        let error = try await #require(throws: NotionError.self) {
            try await makeClient(mock, sleeps: sleeps, retry: RetryPolicy(maxAttempts: 3)).me()
        }
        #expect(error.status == 500)
        #expect(mock.calls.count == 3)
        #expect(sleeps.all.count == 2)

        let slow = MockTransport()
        slow.respond(
            to: "GET",
            path: "/v1/users/me",
            status: 429,
            json: errorJSON(429, "rate_limited"),
            headers: ["Retry-After": "3600"]
        )
        let noWait = Sleeps()
        let refused = try await #require(throws: NotionError.self) { try await makeClient(slow, sleeps: noWait).me() }
        #expect(refused.retryAfter == 3600)
        #expect(noWait.all.isEmpty, "a wait past maxTotalWait is not started")
    }

    @Test func connectionFailuresAreRetriedAndCancellationStopsTheWait() async throws {
        struct Down: HTTPTransport {
            func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
                throw URLError(.cannotConnectToHost)
            }
        }
        let sleeps = Sleeps()
        let client = NotionClient(
            configuration: ClientConfiguration(token: "secret_x", retry: RetryPolicy(maxAttempts: 2)),
            transport: Down(),
            oauth: nil,
            sleep: { sleeps.record($0) },
            random: { 1 }
        )
        let error = try await #require(throws: NotionError.self) { try await client.me() }
        #expect(error.code == .transportFailure)
        #expect(sleeps.all == [0.5])

        let mock = MockTransport()
        mock.respond(
            to: "GET",
            path: "/v1/users/me",
            status: 429,
            json: errorJSON(429, "rate_limited"),
            headers: ["Retry-After": "30"]
        )
        let sleeping = NotionClient(configuration: ClientConfiguration(token: "secret_x"), transport: mock)
        let task = Task { try await sleeping.me() }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let start = ContinuousClock.now
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func retryAfterReadsSecondsAndHTTPDates() {
        #expect(RetryPolicy.parseRetryAfter("7") == 7)
        let date = Date().addingTimeInterval(30)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let seconds = RetryPolicy.parseRetryAfter(formatter.string(from: date)) ?? 0
        #expect(seconds > 25 && seconds <= 30)
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
    }
}

@Suite struct PacingTests {
    @Test func thePacerAllowsTheBurstThenSpacesRequestsAtTheRate() {
        let pacer = Pacer(Pacing(requestsPerSecond: 2, burst: 2))
        let start = ContinuousClock.now
        let waits = (0..<5).map { _ in pacer.reserve(now: start) }
        #expect(waits == [.zero, .zero, .milliseconds(500), .milliseconds(1000), .milliseconds(1500)])
        // After a quiet second the burst is back.
        #expect(pacer.reserve(now: start + .seconds(4)) == .zero)
        #expect(Pacing.free.requestsPerSecond < 0.2 && Pacing.free.burst == 2)
    }
}

@Suite struct SecretSafetyTests {
    @Test func noDescriptionCarriesACredential() async throws {
        let token = "secret_clientTestToken1234567890"
        let configuration = ClientConfiguration(token: token)
        let tokens = OAuthTokens(
            accessToken: Secret("nap_accessValue0123456789"),
            refreshToken: Secret("nrt_refreshValue0123456789"),
            expiresAt: nil,
            botID: "b",
            workspaceID: "w",
            workspaceName: nil
        )
        let error = NotionError(status: 401, code: .unauthorized, message: "token \(token) and Bearer abcdef123456")
        var dumped = ""
        dump(tokens, to: &dumped)
        dump(configuration, to: &dumped)
        let texts = [
            String(describing: configuration), String(reflecting: configuration), String(describing: tokens),
            String(reflecting: tokens), "\(error)", error.message, dumped, String(describing: Secret(token)),
        ]
        for text in texts {
            #expect(!text.contains("clientTestToken"), "\(text)")
            #expect(!text.contains("accessValue"), "\(text)")
            #expect(!text.contains("refreshValue"), "\(text)")
            #expect(!text.contains("abcdef123456"), "\(text)")
        }
        let request = OAuthClient(clientID: "c", clientSecret: "ncs_secretValue0123", redirectURI: "https://a/cb")
            .authorizationRequest()
        #expect(!"\(request)".contains(request.codeVerifier.value))
    }
}

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

@Suite struct TokenVerifierTests {
    static let validJSON = #"""
        {"object":"verification","valid":true,"integration_id":"i1","bot_id":"b1","workspace_id":"w1","user_id":null,
         "scopes":["orders:read"],"plan":"pro","rate_limit":{"limited":false,"limit":5,"remaining":2,"reset_seconds":1,
         "retry_after_seconds":null,"daily_remaining":null},"request_id":"r"}
        """#

    @Test func aValidAnswerIsReusedOnlyWithinItsLifetimeAndItsRemainingPermits() async throws {
        let mock = MockTransport()
        mock.respond(to: "POST", path: "/verify", json: Self.validJSON)
        let verifier = TokenVerifier(
            baseURL: URL(string: "http://gatehouse.test")!,
            verifierKey: "gvk_test",
            cacheLifetime: .milliseconds(300),
            transport: mock
        )
        for _ in 0..<4 {
            let answer = try await verifier.verify(token: "secret_a", scopes: ["orders:read"])
            #expect(answer.valid)
            #expect(answer.integrationId == "i1")
        }
        // One ask, two reuses (the two permits left), then a second ask.
        #expect(mock.calls.count == 2)
        #expect(mock.calls.first?.authorization == "Bearer [REDACTED]")
        let body = try JSONSerialization.jsonObject(with: mock.calls.first?.body ?? Data()) as? [String: Any]
        #expect(body?["token"] as? String == "secret_a")
        try await Task.sleep(for: .milliseconds(400))
        _ = try await verifier.verify(token: "secret_a", scopes: ["orders:read"])
        #expect(mock.calls.count == 3)
        // Another scope set is another question.
        _ = try await verifier.verify(token: "secret_a", scopes: [])
        #expect(mock.calls.count == 4)
    }

    @Test func aRefusedVerifierKeyIsAnError() async throws {
        let mock = MockTransport()
        mock.respond(to: "POST", path: "/verify", status: 401, json: errorJSON(401, "unauthorized"))
        let verifier = TokenVerifier(
            baseURL: URL(string: "http://gatehouse.test")!,
            verifierKey: "gvk_x",
            transport: mock
        )
        let error = try await #require(throws: NotionError.self) { try await verifier.verify(token: "secret_a") }
        #expect(error.status == 401)
    }
}
