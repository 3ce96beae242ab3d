import Foundation
import Testing

@testable import GatehouseCore

@Suite struct OAuthRulesTests {
    /// RFC 7636 Appendix B's example.
    @Test func pkceMatchesTheRFCExample() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        #expect(PKCE.challenge(for: verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(PKCE.verify(verifier: verifier, challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
        #expect(!PKCE.verify(verifier: verifier, challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"))
        #expect(!PKCE.isValidVerifier("short"))
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 129)))
        #expect(!PKCE.isValidChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c="))
    }

    @Test func redirectURIsMatchExactly() {
        let registered = ["https://a.example/cb", "https://a.example/other"]
        #expect(
            RedirectURI.resolve(requested: "https://a.example/cb", registered: registered) == "https://a.example/cb"
        )
        #expect(RedirectURI.resolve(requested: "https://a.example/cb/", registered: registered) == nil)
        #expect(RedirectURI.resolve(requested: "https://A.example/cb", registered: registered) == nil)
        #expect(RedirectURI.resolve(requested: nil, registered: registered) == nil)
        #expect(RedirectURI.resolve(requested: nil, registered: ["https://a.example/cb"]) == "https://a.example/cb")
        #expect(RedirectURI.registrationProblem("https://a.example/cb") == nil)
        #expect(RedirectURI.registrationProblem("http://localhost:3000/cb") == nil)
        #expect(RedirectURI.registrationProblem("http://a.example/cb") != nil)
        #expect(RedirectURI.registrationProblem("https://a.example/cb#x") != nil)
        #expect(RedirectURI.registrationProblem("data:text/html,hi") != nil)
    }

    @Test func parametersAreAppendedWithoutLosingTheExistingQuery() {
        let uri = RedirectURI.appending([("code", "a+b"), ("state", "x y")], to: "https://a.example/cb?tenant=1")
        let items = URLComponents(string: uri)?.queryItems ?? []
        #expect(items.map(\.name) == ["tenant", "code", "state"])
        #expect(items.map(\.value) == ["1", "a+b", "x y"])
    }

    static let client = OAuthClientSettings(
        clientID: "c",
        redirectURIs: ["https://a.example/cb"],
        expiringTokens: true,
        confidential: true
    )

    @Test func authorizationRequestsFailWithoutRedirectWhenTheClientIsUntrusted() {
        let base: [String: [String]] = ["client_id": ["c"], "response_type": ["code"], "state": ["s"]]
        guard case .failure(.untrustedRedirect) = AuthorizationRequest.validate(base, client: nil) else {
            Issue.record("an unknown client must not redirect")
            return
        }
        var bad = base
        bad["redirect_uri"] = ["https://evil.example/cb"]
        guard case .failure(.untrustedRedirect) = AuthorizationRequest.validate(bad, client: Self.client) else {
            Issue.record("an unregistered redirect URI must not redirect")
            return
        }
        var repeated = base
        repeated["state"] = ["a", "b"]
        guard
            case .failure(.redirect(let error, to: "https://a.example/cb", state: "a")) =
                AuthorizationRequest.validate(repeated, client: Self.client)
        else {
            Issue.record("a repeated parameter is an invalid_request sent back to the client")
            return
        }
        #expect(error.error == "invalid_request")
        let ok = try? AuthorizationRequest.validate(base, client: Self.client).get()
        #expect(ok?.owner == .user)
        #expect(ok?.redirectURI == "https://a.example/cb")
        #expect(ok?.requestedRedirectURI == nil)
    }

    static func code(challenge: String? = nil, redirectURI: String? = "https://a.example/cb") -> AuthorizationCode {
        AuthorizationCode(
            id: "g",
            digest: TokenDigest(of: "nac_x"),
            appID: "app",
            userID: "u",
            workspaceID: "w",
            owner: .user,
            redirectURI: redirectURI,
            codeChallenge: challenge,
            resources: [],
            createdAt: Date(timeIntervalSince1970: 0),
            expiresAt: Date(timeIntervalSince1970: 600)
        )
    }

    @Test func codeRulesCoverReplayExpiryClientRedirectAndPKCE() {
        let now = Date(timeIntervalSince1970: 60)
        let code = Self.code()
        func problem(
            _ code: AuthorizationCode,
            firstUse: Bool = true,
            app: String = "app",
            redirect: String? = "https://a.example/cb",
            verifier: String? = nil,
            at time: Date = now
        ) -> String? {
            GrantRules.codeProblem(
                code,
                firstUse: firstUse,
                appID: app,
                redirectURI: redirect,
                codeVerifier: verifier,
                now: time
            )?.description
        }
        #expect(problem(code) == nil)
        #expect(problem(code, firstUse: false)?.contains("used already") == true)
        #expect(problem(code, at: Date(timeIntervalSince1970: 601))?.contains("expired") == true)
        #expect(problem(code, app: "other")?.contains("another client") == true)
        #expect(problem(code, redirect: nil) != nil)
        #expect(problem(code, verifier: String(repeating: "v", count: 43))?.contains("no code_challenge") == true)
        let verifier = String(repeating: "v", count: 43)
        let pkce = Self.code(challenge: PKCE.challenge(for: verifier))
        #expect(problem(pkce, verifier: verifier) == nil)
        #expect(problem(pkce) != nil)
        #expect(problem(pkce, verifier: String(repeating: "w", count: 43)) != nil)
    }

    @Test func refreshDecisionsFollowUseRevocationAndTheGraceWindow() {
        let now = Date(timeIntervalSince1970: 1_000)
        var token = TokenRecord(
            id: "t",
            integrationID: "i",
            kind: .oauthRefresh,
            digest: TokenDigest(of: "nrt_x"),
            displayHint: "nrt_…x",
            createdAt: Date(timeIntervalSince1970: 0),
            expiresAt: Date(timeIntervalSince1970: 2_000)
        )
        func decide(
            _ token: TokenRecord,
            app: String = "app",
            from address: String = "192.0.2.1"
        ) -> GrantRules.RefreshDecision {
            GrantRules.refreshDecision(
                token,
                installationAppID: "app",
                appID: app,
                presentedFrom: address,
                now: now,
                grace: 10
            )
        }
        #expect(decide(token) == .rotate)
        if case .invalid = decide(token, app: "other") {} else { Issue.record("another client's token") }
        token.usedAt = Date(timeIntervalSince1970: 995)
        token.usedFrom = "192.0.2.1"
        #expect(decide(token) == .repeatSuccessor)
        token.usedAt = Date(timeIntervalSince1970: 900)
        #expect(decide(token) == .reuseDetected)
        token.usedAt = nil
        token.expiresAt = Date(timeIntervalSince1970: 999)
        if case .invalid = decide(token) {} else { Issue.record("an expired token") }
    }

    @Test func aRepeatWithinTheGraceWindowFromAnotherAddressCountsAsReuse() {
        let now = Date(timeIntervalSince1970: 1_000)
        var token = TokenRecord(
            id: "t",
            integrationID: "i",
            kind: .oauthRefresh,
            digest: TokenDigest(of: "nrt_x"),
            displayHint: "nrt_…x",
            createdAt: Date(timeIntervalSince1970: 0),
            expiresAt: Date(timeIntervalSince1970: 2_000),
            usedAt: Date(timeIntervalSince1970: 999),
            usedFrom: "192.0.2.1"
        )
        func decide(from address: String) -> GrantRules.RefreshDecision {
            GrantRules.refreshDecision(
                token,
                installationAppID: "app",
                appID: "app",
                presentedFrom: address,
                now: now,
                grace: 2
            )
        }
        #expect(decide(from: "192.0.2.1") == .repeatSuccessor)
        #expect(decide(from: "198.51.100.7") == .reuseDetected)
        token.usedAt = Date(timeIntervalSince1970: 997)
        #expect(decide(from: "192.0.2.1") == .reuseDetected)
    }

    @Test func aGrantPastItsMaximumAgeCannotBeRefreshedEvenIfUsedRecently() {
        let now = Date(timeIntervalSince1970: 1_000)
        let token = TokenRecord(
            id: "t",
            integrationID: "i",
            kind: .oauthRefresh,
            digest: TokenDigest(of: "nrt_x"),
            displayHint: "nrt_…x",
            createdAt: Date(timeIntervalSince1970: 990),
            expiresAt: Date(timeIntervalSince1970: 5_000),
            grantExpiresAt: Date(timeIntervalSince1970: 1_000)
        )
        let decision = GrantRules.refreshDecision(
            token,
            installationAppID: "app",
            appID: "app",
            presentedFrom: nil,
            now: now,
            grace: 2
        )
        guard case .invalid(let error) = decision else {
            Issue.record("a grant past its maximum age was \(decision)")
            return
        }
        #expect(error.description.contains("maximum lifetime"))
    }

    @Test func aSuccessorBoxOpensOnlyWithItsRefreshToken() throws {
        let refresh = TokenFormat.generate(.oauthRefresh)
        let box = try SuccessorBox.seal(access: "nap_a", refresh: "nrt_b", with: refresh)
        #expect(!box.contains("nap_a"))
        let opened = try #require(SuccessorBox.open(box, with: refresh))
        #expect(opened.access == "nap_a")
        #expect(opened.refresh == "nrt_b")
        #expect(SuccessorBox.open(box, with: TokenFormat.generate(.oauthRefresh)) == nil)
    }

    @Test func oauthErrorsCarryBothVocabularies() {
        let error = OAuthError.invalidClient("Client authentication failed.").apiError
        #expect(error.status == 401)
        #expect(error.code == "unauthorized")
        #expect(error.oauthError == "invalid_client")
    }
}
