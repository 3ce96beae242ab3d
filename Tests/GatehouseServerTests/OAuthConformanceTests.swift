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

/// One test per RFC 9700 (OAuth 2.0 Security Best Current Practice) rule that applies to an
/// authorization server, plus RFC 6749, 7636, 7009, 7662, 8414 and 9207 behaviour, through the
/// real router with real forms, cookies and a real SQLite store.
@Suite(.timeLimit(.minutes(1))) struct OAuthConformanceTests {
    // MARK: Redirect URIs (RFC 9700 §4.1, §2.1: exact matching; no open redirector §4.11)

    @Test func anUnregisteredRedirectURIGetsAnErrorPageNeverARedirect() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            for variant in [
                "https://client.example/callback/", "https://client.example/callback?x=1",
                "https://client.example/CALLBACK", "https://client.example.evil.test/callback",
                "https://evil.test/callback",
            ] {
                let page = try await client.send(.get, "/v1/oauth/authorize?" + flow.query(["redirect_uri": variant]))
                #expect(page.status == 400, "\(variant)")
                #expect(page.headers[.location] == nil, "\(variant)")
                #expect(page.text.contains("not one the integration registered"))
            }
        }
    }

    @Test func anUnknownClientGetsAnErrorPage() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let page = try await client.send(
                .get,
                "/v1/oauth/authorize?" + flow.query(["client_id": "00000000-0000-4000-8000-000000000000"])
            )
            #expect(page.status == 400)
            #expect(page.headers[.location] == nil)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
        }
    }

    @Test func redirectURIsThatAreNotSafeCannotBeRegistered() async throws {
        let world = try await TestWorld.make()
        for uri in [
            "http://client.example/cb", "https://*.example/cb", "https://client.example/cb#frag", "javascript:alert(1)",
        ] {
            await #expect(throws: AdminError.self, "\(uri)") {
                _ = try await OAuthFlow.make(world, redirectURIs: [uri])
            }
        }
        _ = try await OAuthFlow.make(world, redirectURIs: ["http://127.0.0.1:9999/cb", "com.example.app:/cb"])
        await world.store.shutdown()
    }

    // MARK: Authorization response (RFC 9207 iss, state, access_denied)

    @Test func allowRedirectsWithCodeStateAndIssuer() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let redirect = try await flow.authorize(client)
            #expect(redirect["_target"] == OAuthFlow.redirectURI)
            #expect(TokenFormat.validate(redirect["code"] ?? "") == .authorizationCode)
            #expect(redirect["state"] == "st-123")
            #expect(redirect["iss"] == "http://gatehouse.test")
        }
    }

    @Test func cancelRedirectsWithAccessDeniedAndState() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let redirect = try await flow.authorize(client, decision: "deny")
            #expect(redirect["error"] == "access_denied")
            #expect(redirect["state"] == "st-123")
            #expect(redirect["code"] == nil)
            #expect(redirect["iss"] == "http://gatehouse.test")
        }
    }

    @Test func anInvalidRequestWithATrustedRedirectGoesBackWithAnError() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let page = try await client.send(.get, "/v1/oauth/authorize?" + flow.query(["response_type": "token"]))
            let redirect = try OAuthFlow.redirectParameters(page)
            #expect(redirect["error"] == "unsupported_response_type")
            #expect(redirect["state"] == "st-123")
        }
    }

    // MARK: Authorization codes (RFC 6749 §4.1.2, §10.5; RFC 9700 §4.2.4, §4.5)

    @Test func aReplayedCodeIsRefusedAndRevokesEveryTokenIssuedFromIt() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let redirect = try await flow.authorize(client)
            let body = OAuthFlow.codeExchange(redirect["code"]!)
            let first = try await flow.token(client, body)
            #expect(first.status == 200)
            let access = try #require(first.tokenResponse?.accessToken)
            let refresh = try #require(first.tokenResponse?.refreshToken)
            #expect(try await client.call(.get, "/v1/users/me", token: access).status == 200)
            let replay = try await flow.token(client, body)
            #expect(replay.status == 400)
            #expect(replay.oauthError?.error == "invalid_grant")
            #expect(replay.code == "invalid_grant")
            #expect(try await client.call(.get, "/v1/users/me", token: access).status == 401)
            let refreshed = try await flow.token(client, ["grant_type": "refresh_token", "refresh_token": refresh])
            #expect(refreshed.status == 400)
        }
    }

    @Test func aCodeIsBoundToItsClient() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let other = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let redirect = try await flow.authorize(client)
            let stolen = try await other.token(
                client,
                OAuthFlow.codeExchange(redirect["code"]!)
            )
            #expect(stolen.status == 400)
            #expect(stolen.oauthError?.error == "invalid_grant")
        }
    }

    @Test func aCodeIsBoundToItsRedirectURI() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(
            world,
            redirectURIs: [OAuthFlow.redirectURI, "https://client.example/other"]
        )
        try await world.test(.router) { client in
            let redirect = try await flow.authorize(client)
            let result = try await flow.token(
                client,
                OAuthFlow.codeExchange(redirect["code"]!, ["redirect_uri": "https://client.example/other"])
            )
            #expect(result.status == 400)
            #expect(result.oauthError?.error == "invalid_grant")
        }
    }

    @Test func aCodeExpires() async throws {
        let clock = TestClock(.system)
        let world = try await TestWorld.make(clock: clock)
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let redirect = try await flow.authorize(client)
            clock.advance(by: 601)
            let result = try await flow.token(
                client,
                OAuthFlow.codeExchange(redirect["code"]!)
            )
            #expect(result.status == 400)
            #expect(result.message?.contains("expired") == true)
        }
    }

    // MARK: PKCE (RFC 7636; RFC 9700 §2.1.1, §4.8)

    @Test func pkceIsRequiredForAClientWithoutASecret() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world, withSecret: false)
        try await world.test(.router) { client in
            let page = try await client.send(.get, "/v1/oauth/authorize?" + flow.query())
            let redirect = try OAuthFlow.redirectParameters(page)
            #expect(redirect["error"] == "invalid_request")
            #expect(redirect["error_description"]?.contains("PKCE") == true)
            // With S256 it works, authenticating by client_id alone.
            let verifier = String(repeating: "v", count: 50)
            let granted = try await flow.authorize(
                client,
                changes: ["code_challenge": PKCE.challenge(for: verifier), "code_challenge_method": "S256"]
            )
            let result = try await flow.token(
                client,
                OAuthFlow.codeExchange(granted["code"]!, ["client_id": flow.clientID, "code_verifier": verifier]),
                secret: .some(nil)
            )
            #expect(result.status == 200, "\(result.text)")
        }
    }

    @Test func theWrongVerifierOrNoVerifierIsRefused() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let verifier = String(repeating: "a", count: 43) + "~.-_"
        try await world.test(.router) { client in
            for presented in [String(repeating: "b", count: 47), nil] {
                let redirect = try await flow.authorize(
                    client,
                    changes: ["code_challenge": PKCE.challenge(for: verifier), "code_challenge_method": "S256"]
                )
                var body = OAuthFlow.codeExchange(redirect["code"]!)
                body["code_verifier"] = presented
                let result = try await flow.token(client, body)
                #expect(result.status == 400)
                #expect(result.oauthError?.error == "invalid_grant")
            }
            let redirect = try await flow.authorize(
                client,
                changes: ["code_challenge": PKCE.challenge(for: verifier), "code_challenge_method": "S256"]
            )
            let good = try await flow.token(
                client,
                OAuthFlow.codeExchange(redirect["code"]!, ["code_verifier": verifier])
            )
            #expect(good.status == 200)
        }
    }

    @Test func aVerifierWithoutAChallengeIsADowngradeAndIsRefused() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let redirect = try await flow.authorize(client)
            let result = try await flow.token(
                client,
                OAuthFlow.codeExchange(redirect["code"]!, ["code_verifier": String(repeating: "c", count: 43)])
            )
            #expect(result.status == 400)
            #expect(
                result.oauthError?.errorDescription
                    == "code_verifier was sent, but the authorization request had no code_challenge."
            )
        }
    }

    @Test func thePlainMethodIsRefused() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let page = try await client.send(
                .get,
                "/v1/oauth/authorize?"
                    + flow.query([
                        "code_challenge": String(repeating: "p", count: 43), "code_challenge_method": "plain",
                    ])
            )
            #expect(try OAuthFlow.redirectParameters(page)["error"] == "invalid_request")
        }
    }

    // MARK: Refresh tokens (RFC 9700 §4.14: rotation and reuse detection)

    @Test func refreshRotatesAndReuseAfterTheGraceWindowRevokesTheFamily() async throws {
        let clock = TestClock(.system)
        let world = try await TestWorld.make(clock: clock)
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let granted = try await flow.grant(client)
            let firstRefresh = granted["refresh_token"] as! String
            let second = try await flow.token(client, ["grant_type": "refresh_token", "refresh_token": firstRefresh])
            #expect(second.status == 200)
            let newAccess = try #require(second.tokenResponse?.accessToken)
            let newRefresh = try #require(second.tokenResponse?.refreshToken)
            #expect(newRefresh != firstRefresh)
            #expect(second.tokenResponse?.expiresIn == 3600)
            #expect(try await client.call(.get, "/v1/users/me", token: newAccess).status == 200)
            // Inside the grace window: the same successor pair.
            let retry = try await flow.token(client, ["grant_type": "refresh_token", "refresh_token": firstRefresh])
            #expect(retry.tokenResponse?.accessToken == newAccess)
            #expect(retry.tokenResponse?.refreshToken == newRefresh)
            clock.advance(by: 11)
            // After it: a replay, so the whole family goes.
            let reuse = try await flow.token(client, ["grant_type": "refresh_token", "refresh_token": firstRefresh])
            #expect(reuse.status == 400)
            #expect(reuse.oauthError?.error == "invalid_grant")
            #expect(try await client.call(.get, "/v1/users/me", token: newAccess).status == 401)
            let successor = try await flow.token(client, ["grant_type": "refresh_token", "refresh_token": newRefresh])
            #expect(successor.status == 400)
        }
    }

    @Test func concurrentRefreshesGetTheSameSuccessorAndExactlyOneExists() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let granted = try await flow.grant(client)
            let refresh = granted["refresh_token"] as! String
            let results = try await withThrowingTaskGroup(of: APIResult.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await flow.token(client, ["grant_type": "refresh_token", "refresh_token": refresh])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.status == 200 }, "\(results.map(\.text))")
            #expect(Set(results.compactMap { $0.tokenResponse?.accessToken }).count == 1)
            #expect(Set(results.compactMap { $0.tokenResponse?.refreshToken }).count == 1)
            let record = try #require(try await world.store.token(digest: TokenDigest(of: refresh)))
            let family = try await world.store.tokens(integrationID: record.integrationID)
            #expect(family.filter { $0.kind == .oauthRefresh && $0.usedAt == nil }.count == 1)
            #expect(family.filter { $0.kind == .oauthAccess }.count == 2)
        }
    }

    @Test func nonExpiringClientsGetABotTokenWithoutRefresh() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world, expiring: false)
        try await world.test(.router) { client in
            let granted = try await flow.grant(client)
            #expect(TokenFormat.validate(granted["access_token"] as! String) == .oauthBot)
            #expect(granted["refresh_token"] is NSNull)
            #expect(granted["expires_in"] == nil)
        }
    }

    // MARK: Client authentication (RFC 6749 §2.3, §5.2)

    @Test func badClientAuthenticationIs401InvalidClient() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let redirect = try await flow.authorize(client)
            let body = OAuthFlow.codeExchange(redirect["code"]!)
            let wrong = try await flow.token(client, body, secret: .some(TokenFormat.generate(.clientSecret)))
            #expect(wrong.status == 401)
            #expect(wrong.oauthError?.error == "invalid_client")
            #expect(wrong.code == "unauthorized")
            #expect(wrong.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            // The code was not consumed by the failed attempt: the right client still gets it.
            let inBody = try await flow.token(
                client,
                body.merging(["client_id": flow.clientID, "client_secret": flow.clientSecret!]) { $1 },
                secret: .some(nil)
            )
            #expect(inBody.status == 200, "\(inBody.text)")
            #expect(inBody.headers[.cacheControl] == "no-store")
        }
    }

    @Test func bothClientAuthenticationMethodsAtOnceAreRefused() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let result = try await flow.token(
                client,
                [
                    "grant_type": "refresh_token", "refresh_token": "x", "client_id": flow.clientID,
                    "client_secret": flow.clientSecret!,
                ]
            )
            #expect(result.status == 400)
            #expect(result.oauthError?.error == "invalid_request")
            // The Basic id repeated in the body is no second method: the request goes on.
            let repeated = try await flow.token(
                client,
                ["grant_type": "refresh_token", "refresh_token": "x", "client_id": flow.clientID]
            )
            #expect(repeated.oauthError?.error == "invalid_grant")
        }
    }

    @Test func aRotatedClientSecretLeavesTwoLiveUntilTheOldIsRevoked() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let rotation = try await world.admin.rotateToken(integrationID: flow.app.id, grace: .seconds(3600))
        #expect(rotation.record.kind == .clientSecret)
        try await world.test(.router) { client in
            for secret in [flow.clientSecret!, rotation.token] {
                let result = try await flow.token(
                    client,
                    ["token": "nap_x"],
                    secret: .some(secret),
                    endpoint: "introspect"
                )
                #expect(result.status == 200)
                #expect(result.json["active"] as? Bool == false)
            }
            _ = try await world.admin.revokeToken(id: rotation.previous[0].id)
            let old = try await flow.token(
                client,
                ["token": "nap_x"],
                secret: .some(flow.clientSecret!),
                endpoint: "introspect"
            )
            #expect(old.status == 401)
        }
    }

    // MARK: Introspection and revocation (RFC 7662, RFC 7009)

    @Test func introspectionReportsOwnLiveTokensOnly() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let other = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let granted = try await flow.grant(client)
            let access = granted["access_token"] as! String
            let live = try await flow.token(client, ["token": access], endpoint: "introspect")
            #expect(live.json["active"] as? Bool == true)
            #expect((live.json["scope"] as? String)?.contains("read_content") == true)
            #expect(live.json["iat"] is Int)
            #expect(live.json["exp"] is Int)
            #expect(live.json["request_id"] is String)
            let foreign = try await other.token(client, ["token": access], endpoint: "introspect")
            #expect(foreign.json["active"] as? Bool == false)
            #expect(foreign.json["scope"] == nil)
        }
    }

    @Test func aRevokedTokenFailsOnTheAPIAtOnce() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let granted = try await flow.grant(client)
            let access = granted["access_token"] as! String
            #expect(try await client.call(.get, "/v1/users/me", token: access).status == 200)
            let before = try await flow.token(client, ["token": access], endpoint: "introspect")
            #expect(before.json["active"] as? Bool == true)
            let revoked = try await flow.token(client, ["token": access], endpoint: "revoke")
            #expect(revoked.status == 200)
            #expect(revoked.json["request_id"] is String)
            #expect(try await client.call(.get, "/v1/users/me", token: access).status == 401)
            // Introspection answers from the same cache, which the revocation emptied.
            let introspected = try await flow.token(client, ["token": access], endpoint: "introspect")
            #expect(introspected.json["active"] as? Bool == false)
            // Revoking a refresh token ends the grant; an unknown token is still a 200.
            let again = try await flow.grant(client)
            let refreshRevoked = try await flow.token(
                client,
                ["token": again["refresh_token"] as! String],
                endpoint: "revoke"
            )
            #expect(refreshRevoked.status == 200)
            #expect(try await client.call(.get, "/v1/users/me", token: again["access_token"] as? String).status == 401)
            let unknown = try await flow.token(
                client,
                ["token": TokenFormat.generate(.oauthAccess)],
                endpoint: "revoke"
            )
            #expect(unknown.status == 200)
        }
    }

    @Test func refreshTokensAndClientSecretsAreNotBearerTokens() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let granted = try await flow.grant(client)
            #expect(
                try await client.call(.get, "/v1/users/me", token: granted["refresh_token"] as? String).status == 401
            )
            #expect(try await client.call(.get, "/v1/users/me", token: flow.clientSecret).status == 401)
        }
    }

    // MARK: What the bot is and sees

    @Test func underNoUserInfoTheBotsOwnerIsAnIDAlone() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world, capabilities: Capabilities(content: [.readContent], userInfo: .none))
        try await world.test(.router) { client in
            let granted = try await flow.grant(client)
            let me = try await client.call(.get, "/v1/users/me", token: granted["access_token"] as? String)
            let owner = try #require((me.json["bot"] as? [String: Any])?["owner"] as? [String: Any])
            #expect(owner["type"] as? String == "user")
            let user = try #require(owner["user"] as? [String: Any])
            #expect(user["id"] as? String == world.owner.id)
            #expect(user["name"] == nil)
            #expect(user["person"] == nil)
            #expect(!me.text.contains(world.owner.name))
        }
    }

    @Test func theBotActsForItsUserAndSeesOnlyWhatWasPicked() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let granted = try await flow.grant(client, resources: ["database:\(world.unsharedDatabase.id)"])
            let owner = try #require(granted["owner"] as? [String: Any])
            #expect(owner["type"] as? String == "user")
            #expect((owner["user"] as? [String: Any])?["id"] as? String == world.owner.id)
            for field in [
                "bot_id", "workspace_id", "workspace_name", "workspace_icon", "duplicated_template_id", "request_id",
                "token_type",
            ] {
                #expect(granted.keys.contains(field), "\(field)")
            }
            let access = granted["access_token"] as? String
            let me = try await client.call(.get, "/v1/users/me", token: access)
            let bot = try #require(me.json["bot"] as? [String: Any])
            let botOwner = try #require(bot["owner"] as? [String: Any])
            #expect(botOwner["type"] as? String == "user")
            #expect(
                ((botOwner["user"] as? [String: Any])?["person"] as? [String: Any])?["email"] as? String
                    == world.owner.email
            )
            #expect(me.json["id"] as? String == granted["bot_id"] as? String)
            #expect(
                try await client.call(.get, "/v1/databases/\(world.unsharedDatabase.id)", token: access).status == 200
            )
            #expect(
                try await client.call(.get, "/v1/databases/\(world.sharedDatabase.id)", token: access).status == 403
            )
        }
    }

    @Test func workspaceOwnedBotsReportTheWorkspaceAndNeedAnOwner() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let memberEmail = "member-\(UUID().uuidString.prefix(6))@acme.test"
        _ = try await world.admin.createUser(
            workspaceID: world.workspace.id,
            email: memberEmail,
            name: "Mo",
            role: .member,
            password: OAuthFlow.password
        )
        try await world.test(.router) { client in
            let granted = try await flow.grant(client, changes: ["owner": "workspace"])
            let me = try await client.call(.get, "/v1/users/me", token: granted["access_token"] as? String)
            #expect(((me.json["bot"] as? [String: Any])?["owner"] as? [String: Any])?["type"] as? String == "workspace")
            // A member may not install for the whole workspace.
            let session = try requireValue(try await flow.signIn(client, email: memberEmail))
            let consent = try await client.send(
                .get,
                "/v1/oauth/authorize?" + flow.query(["owner": "workspace"]),
                cookies: [OAuthFlow.sessionCookie: session]
            )
            var form = consent.consentForm
            form.append(("decision", "allow"))
            let answer = try await client.send(
                .post,
                "/v1/oauth/authorize",
                form: form,
                cookies: [OAuthFlow.sessionCookie: session]
            )
            #expect(try OAuthFlow.redirectParameters(answer)["error"] == "access_denied")
        }
    }

    // MARK: Pages: CSRF, framing, CORS, sign-in

    @Test func theConsentFormNeedsItsSessionsCSRFToken() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let session = try requireValue(try await flow.signIn(client))
            let consent = try await client.send(
                .get,
                "/v1/oauth/authorize?" + flow.query(),
                cookies: [OAuthFlow.sessionCookie: session]
            )
            #expect(consent.status == 200)
            var form = consent.consentForm.filter { $0.0 != "csrf" }
            form += [("csrf", "forged"), ("decision", "allow")]
            let answer = try await client.send(
                .post,
                "/v1/oauth/authorize",
                form: form,
                cookies: [OAuthFlow.sessionCookie: session]
            )
            #expect(answer.status == 403)
            #expect(answer.headers[.location] == nil)
        }
    }

    @Test func pagesCannotBeFramedOrReadCrossOrigin() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let page = try await client.send(.get, "/v1/oauth/authorize?" + flow.query())
            #expect(page.status == 200)
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == nil)
            #expect(page.text.contains("Sign in"))
            #expect(page.text.contains("Calendar Sync"))
            let token = try await flow.token(client, ["token": "x"], endpoint: "introspect")
            #expect(token.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == nil)
        }
    }

    @Test func aWrongPasswordDoesNotSignIn() async throws {
        // The clock stands still: failures are counted per minute, and two failures on either
        // side of a minute's end are rightly listed twice.
        let world = try await TestWorld.make(clock: TestClock(frozenAt: Date()))
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            #expect(try await flow.signIn(client, password: "wrong password") == nil)
            #expect(try await flow.signIn(client, email: "nobody@acme.test") == nil)
            #expect(try await flow.signIn(client) != nil)
            let events = try await world.store.events(since: nil, limit: 1000).map(\.action)
            // Failures of one address within a minute are listed once and counted (M7).
            #expect(events.filter { $0 == "signin.failed" }.count == 1)
        }
    }

    // MARK: Metadata (RFC 8414)

    @Test func metadataDescribesTheServer() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let result = try await client.call(
                .get,
                "/.well-known/oauth-authorization-server",
                token: nil,
                version: nil
            )
            #expect(result.status == 200)
            #expect(result.json["issuer"] as? String == "http://gatehouse.test")
            #expect(result.json["token_endpoint"] as? String == "http://gatehouse.test/v1/oauth/token")
            #expect(result.json["code_challenge_methods_supported"] as? [String] == ["S256"])
            #expect(result.json["authorization_response_iss_parameter_supported"] as? Bool == true)
        }
    }
}
