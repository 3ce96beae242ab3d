import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import GatehouseServer

/// Browser sessions and CSRF as one feature (the session middleware), over real HTTP on loopback
/// against a real SQLite store.
@Suite(.timeLimit(.minutes(2))) struct SessionTests {
    final class Counter: Sendable {
        let value = Mutex(0)
        func add() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    static func configuration(_ change: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, ratePlans: TestWorld.roomyPlans)
        configuration.bcryptCost = 4
        configuration.publicURL = "http://gatehouse.test"
        change(&configuration)
        return configuration
    }

    /// `count` wrong-password sign-ins for unknown emails, each on its own connection so that they
    /// really run at once (the test client sends one request at a time on its one connection).
    static func concurrentWrongSignIns(
        _ count: Int,
        port: Int,
        csrf: String,
        cookie: String
    ) async throws -> [(status: Int, retryAfter: String?)] {
        try await withThrowingTaskGroup(of: (status: Int, retryAfter: String?).self) { group in
            for index in 0..<count {
                group.addTask {
                    try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                        let body = "csrf=\(csrf)&next=%2Fconsole&email=nobody-\(index)%40acme.test&password=wrong+guess"
                        let response = try await client.execute(
                            TestClient.Request(
                                "/signin",
                                method: .post,
                                headers: [
                                    .contentType: "application/x-www-form-urlencoded",
                                    .cookie: "\(OAuthFlow.signInCookie)=\(cookie)",
                                ],
                                body: ByteBuffer(string: body)
                            )
                        )
                        return (Int(response.status.code), response.headers[.retryAfter])
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func aNewPostRouteWithNoCheckOfItsOwnRefusesAForgedRequest() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let ran = Counter()
        let router = try buildRouter(
            configuration: Self.configuration(),
            store: world.store,
            authenticator: world.authenticator,
            logger: TestWorld.quietLogger,
            additionalBrowserRoutes: { browser in
                browser.post("console/experiment") { _, _ in
                    ran.add()
                    return Response(status: .ok)
                }
            }
        )
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let session = try requireValue(try await flow.signIn(client), "session")
            let cookies = [OAuthFlow.sessionCookie: session]
            let page = try await client.send(.get, "/console/integrations", cookies: cookies)
            let csrf = try requireValue(page.field("csrf"), "csrf")
            let forged = try await client.send(.post, "/console/experiment", form: [("x", "1")], cookies: cookies)
            #expect(forged.status == 403)
            let wrong = try await client.send(
                .post,
                "/console/experiment",
                form: [("csrf", String(csrf.reversed()))],
                cookies: cookies
            )
            #expect(wrong.status == 403)
            #expect(ran.count == 0)
            let genuine = try await client.send(.post, "/console/experiment", form: [("csrf", csrf)], cookies: cookies)
            #expect(genuine.status == 200)
            let byHeader = try await client.execute(
                uri: "/console/experiment",
                method: .post,
                headers: [.cookie: "\(OAuthFlow.sessionCookie)=\(session)", HTTPField.Name("X-CSRF-Token")!: csrf]
            ) { Int($0.status.code) }
            #expect(byHeader == 200)
            #expect(ran.count == 2)
        }
        let failures = try await world.store.events(since: nil, limit: 1000).filter { $0.action == "csrf.failed" }
        #expect(failures.count == 2)
        #expect(
            failures.allSatisfy { $0.ip == "127.0.0.1" && $0.requestID != nil && $0.actor == "user:\(world.owner.id)" }
        )
        #expect(failures.first?.details["path"] == "/console/experiment")
        await world.store.shutdown()
    }

    @Test func concurrentWrongPasswordsNeverCheckMoreThanTheAllowance() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let plans = RatePlans(
            overrides: [.enterprise: RatePlan(requestsPerSecond: 10_000, burst: 10_000, dailyQuota: nil)],
            failedAuthentication: RatePlan(requestsPerSecond: 0.001, burst: 20, dailyQuota: nil)
        )
        let slowDecoy: (inout ServerConfiguration) -> Void = {
            // A slower decoy hash (unknown email) so that, without the reservation, every guess
            // would pass the allowance before the first one fails.
            $0.bcryptCost = 9
            $0.passwordCheckLimit = 100
            $0.signInAccountAllowance = RatePlan(requestsPerSecond: 1, burst: 1_000, dailyQuota: nil)
        }
        let statuses = try await world.test(.live, plans: plans, configure: slowDecoy) { client in
            let page = try await client.send(.get, "/v1/oauth/authorize?" + flow.query())
            let csrf = try requireValue(page.field("csrf"), "csrf")
            let cookie = try requireValue(page.cookie(OAuthFlow.signInCookie), "sign-in cookie")
            let port = try requireValue(client.port, "port")
            return try await Self.concurrentWrongSignIns(40, port: port, csrf: csrf, cookie: cookie).map(\.status)
        }
        let checked = statuses.filter { $0 == 401 }.count
        #expect(checked <= 20)
        #expect(checked >= 1)
        #expect(statuses.filter { $0 == 429 }.count >= 20)
        #expect(statuses.allSatisfy { [401, 429].contains($0) })
    }

    @Test func passwordChecksBeyondTheQueueLimitAreRefusedAtOnce() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let oneAtATime: (inout ServerConfiguration) -> Void = {
            $0.bcryptCost = 9
            $0.passwordCheckLimit = 1
        }
        let statuses = try await world.test(.live, configure: oneAtATime) { client in
            let page = try await client.send(.get, "/v1/oauth/authorize?" + flow.query())
            let csrf = try requireValue(page.field("csrf"), "csrf")
            let cookie = try requireValue(page.cookie(OAuthFlow.signInCookie), "sign-in cookie")
            let port = try requireValue(client.port, "port")
            return try await Self.concurrentWrongSignIns(12, port: port, csrf: csrf, cookie: cookie)
        }
        let busy = statuses.filter { $0.status == 503 }
        #expect(!busy.isEmpty)
        #expect(busy.allSatisfy { $0.retryAfter == "1" })
        #expect(statuses.allSatisfy { [401, 503].contains($0.status) })
    }

    @Test func aGuessedAccountIsThrottledButNotInABrowserItSignedInWithBefore() async throws {
        let world = try await TestWorld.make()
        let threeGuesses: (inout ServerConfiguration) -> Void = {
            $0.signInAccountAllowance = RatePlan(requestsPerSecond: 1.0 / 3_600, burst: 3, dailyQuota: nil)
        }
        try await world.test(.live, configure: threeGuesses) { client in
            // The owner's own browser signs in once and keeps its device cookie.
            let page = try await client.send(.get, "/console/signin")
            let csrf = try requireValue(page.field("csrf"), "csrf")
            let signInCookie = try requireValue(page.cookie(OAuthFlow.signInCookie), "sign-in cookie")
            func attempt(_ password: String, device: String? = nil) async throws -> PageResult {
                var cookies = [OAuthFlow.signInCookie: signInCookie]
                if let device { cookies[OAuthFlow.deviceCookie] = device }
                return try await client.send(
                    .post,
                    "/signin",
                    form: [("csrf", csrf), ("next", "/console"), ("email", world.owner.email), ("password", password)],
                    cookies: cookies
                )
            }
            let own = try await attempt(OAuthFlow.password)
            #expect(own.status == 303)
            let device = try requireValue(own.cookie(OAuthFlow.deviceCookie), "device cookie")
            // An attacker elsewhere uses up the account's allowance…
            for _ in 0..<3 { #expect(try await attempt("guess guess").status == 401) }
            let refused = try await attempt(OAuthFlow.password)
            #expect(refused.status == 429)
            #expect(refused.cookie(OAuthFlow.sessionCookie) == nil)
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 > 0)
            // …but the owner's browser still gets in.
            let owner = try await attempt(OAuthFlow.password, device: device)
            #expect(owner.status == 303)
            #expect(owner.cookie(OAuthFlow.sessionCookie) != nil)
            // A made-up device cookie does not help.
            #expect(try await attempt(OAuthFlow.password, device: String(device.reversed())).status == 429)
        }
    }

    @Test func aForgedSignInDoubleSubmitPairIsRefusedAndAudited() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            let forged = String(repeating: "A", count: 40)
            let answer = try await client.send(
                .post,
                "/signin",
                form: [
                    ("csrf", forged), ("next", "/console"), ("email", world.owner.email),
                    ("password", OAuthFlow.password),
                ],
                cookies: [OAuthFlow.signInCookie: forged]
            )
            #expect(answer.status == 403)
            #expect(answer.cookie(OAuthFlow.sessionCookie) == nil)
            // The signed value of this server, but in a cookie under the plain name, is refused too.
            let page = try await client.send(.get, "/console/signin")
            let csrf = try requireValue(page.field("csrf"), "csrf")
            let plain = try await client.send(
                .post,
                "/signin",
                form: [
                    ("csrf", csrf), ("next", "/console"), ("email", world.owner.email),
                    ("password", OAuthFlow.password),
                ],
                cookies: ["gatehouse_signin": csrf]
            )
            #expect(plain.status == 403)
            let failures = try await world.store.events(since: nil, limit: 100).filter { $0.action == "csrf.failed" }
            #expect(failures.count == 2)
            #expect(failures.allSatisfy { $0.ip == "127.0.0.1" && $0.details["path"] == "/signin" })
        }
    }

    @Test func anIdleSessionEndsAndAnActiveOneEndsAtItsLifetime() async throws {
        let clock = TestClock(.system)
        let world = try await TestWorld.make(clock: clock)
        let flow = try await OAuthFlow.make(world)
        try await world.test(.live) { client in
            let session = try requireValue(try await flow.signIn(client), "session")
            let cookies = [OAuthFlow.sessionCookie: session]
            let digest = TokenDigest(of: session)
            let started = try requireValue(try await world.store.session(digest: digest), "stored session")
            clock.advance(by: 20)
            #expect(try await client.send(.get, "/console/integrations", cookies: cookies).status == 200)
            // Seen again within a minute: not written.
            #expect(try await world.store.session(digest: digest)?.lastSeenAt == started.lastSeenAt)
            for _ in 0..<25 {
                clock.advance(by: 25 * 60)
                #expect(try await client.send(.get, "/console/integrations", cookies: cookies).status == 200)
            }
            // 10 h 25 min of activity so far; the 12 h lifetime still ends it.
            clock.advance(by: 2 * 3_600)
            let ended = try await client.send(.get, "/console/integrations", cookies: cookies)
            #expect(ended.status == 303)
            #expect(ended.headers[.location] == "/console/signin")
            // A fresh session unused for 31 minutes ends too.
            let idle = try requireValue(try await flow.signIn(client), "session")
            clock.advance(by: 31 * 60)
            let answer = try await client.send(.get, "/console/integrations", cookies: [OAuthFlow.sessionCookie: idle])
            #expect(answer.status == 303)
            #expect(try await world.store.session(digest: TokenDigest(of: idle)) == nil)
        }
    }

    @Test func signingInAgainEndsTheBrowsersPreviousSession() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.live) { client in
            let first = try requireValue(try await flow.signIn(client), "session")
            let page = try await client.send(.get, "/console/signin")
            let csrf = try requireValue(page.field("csrf"), "csrf")
            let signInCookie = try requireValue(page.cookie(OAuthFlow.signInCookie), "sign-in cookie")
            let again = try await client.send(
                .post,
                "/signin",
                form: [
                    ("csrf", csrf), ("next", "/console"), ("email", world.owner.email),
                    ("password", OAuthFlow.password),
                ],
                cookies: [OAuthFlow.signInCookie: signInCookie, OAuthFlow.sessionCookie: first]
            )
            #expect(again.status == 303)
            let second = try requireValue(again.cookie(OAuthFlow.sessionCookie), "new session")
            #expect(second != first)
            #expect(try await world.store.session(digest: TokenDigest(of: first)) == nil)
            let old = try await client.send(.get, "/console/integrations", cookies: [OAuthFlow.sessionCookie: first])
            #expect(old.status == 303)
        }
    }

    @Test func signingOutEverywhereEndsEverySessionOfTheUser() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.live) { client in
            let laptop = try requireValue(try await flow.signIn(client), "session")
            let phone = try requireValue(try await flow.signIn(client), "session")
            let account = try await client.send(.get, "/console/account", cookies: [OAuthFlow.sessionCookie: laptop])
            #expect(account.status == 200)
            #expect(account.text.contains("signout-everywhere"))
            let csrf = try requireValue(account.field("csrf"), "csrf")
            let forged = try await client.send(
                .post,
                "/signout",
                form: [("scope", "everywhere"), ("next", "/console/signin")],
                cookies: [OAuthFlow.sessionCookie: laptop]
            )
            #expect(forged.status == 403)
            #expect(try await world.store.session(digest: TokenDigest(of: phone)) != nil)
            let out = try await client.send(
                .post,
                "/signout",
                form: [("csrf", csrf), ("scope", "everywhere"), ("next", "/console/signin")],
                cookies: [OAuthFlow.sessionCookie: laptop]
            )
            #expect(out.status == 303)
            for session in [laptop, phone] {
                let page = try await client.send(
                    .get,
                    "/console/integrations",
                    cookies: [OAuthFlow.sessionCookie: session]
                )
                #expect(page.status == 303)
            }
            let events = try await world.store.events(since: nil, limit: 100)
            #expect(events.contains { $0.action == "session.ended_everywhere" && $0.ip == "127.0.0.1" })
        }
    }

    @Test func aPasswordChangeNeedsTheCurrentPasswordAndEndsEveryOtherSession() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.live) { client in
            let here = try requireValue(try await flow.signIn(client), "session")
            let elsewhere = try requireValue(try await flow.signIn(client), "session")
            let cookies = [OAuthFlow.sessionCookie: here]
            let csrf = try requireValue(
                try await client.send(.get, "/console/account", cookies: cookies).field("csrf"),
                "csrf"
            )
            func change(_ current: String, _ new: String, _ confirm: String) async throws -> PageResult {
                try await client.send(
                    .post,
                    "/console/account/password",
                    form: [
                        ("csrf", csrf), ("current_password", current), ("new_password", new),
                        ("confirm_password", confirm),
                    ],
                    cookies: cookies
                )
            }
            #expect(try await change("not my password", "battery staple", "battery staple").status == 400)
            #expect(try await change(OAuthFlow.password, "battery staple", "battery stapler").status == 400)
            #expect(try await change(OAuthFlow.password, "short", "short").status == 400)
            #expect(try await world.store.session(digest: TokenDigest(of: elsewhere)) != nil)
            let changed = try await change(OAuthFlow.password, "battery staple", "battery staple")
            #expect(changed.status == 200)
            #expect(changed.text.contains("Every other session"))
            #expect(try await client.send(.get, "/console/integrations", cookies: cookies).status == 200)
            let other = try await client.send(
                .get,
                "/console/integrations",
                cookies: [OAuthFlow.sessionCookie: elsewhere]
            )
            #expect(other.status == 303)
            #expect(try await flow.signIn(client) == nil)
            #expect(try await flow.signIn(client, password: "battery staple") != nil)
            let events = try await world.store.events(since: nil, limit: 200)
            let audited = try #require(events.first { $0.action == "password.changed" })
            #expect(audited.actor == "user:\(world.owner.id)")
            #expect(audited.ip == "127.0.0.1")
            #expect(audited.requestID != nil)
            #expect(events.contains { $0.action == "password.change_failed" })
        }
    }

    @Test func membersRefusedAnOwnerActionAreAudited() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let email = "mo-\(UUID().uuidString.prefix(6))@acme.test"
        let member = try await world.admin.createUser(
            workspaceID: world.workspace.id,
            email: email,
            name: "Mo",
            role: .member,
            password: OAuthFlow.password
        )
        try await world.test(.live) { client in
            let session = try requireValue(try await flow.signIn(client, email: email), "session")
            let cookies = [OAuthFlow.sessionCookie: session]
            let csrf = try requireValue(
                try await client.send(.get, "/console/integrations", cookies: cookies).field("csrf"),
                "csrf"
            )
            let revoke = try await client.send(
                .post,
                "/console/integrations/\(world.integration.id)/revoke",
                form: [("csrf", csrf)],
                cookies: cookies
            )
            #expect(revoke.status == 403)
            let api = try await client.send(.get, "/console/api/integrations", cookies: cookies)
            #expect(api.status == 403)
            let refused = try await world.store.events(since: nil, limit: 200).filter {
                $0.action == "authorization.refused"
            }
            #expect(refused.count == 2)
            #expect(
                refused.allSatisfy {
                    $0.actor == "user:\(member.id)" && $0.ip == "127.0.0.1" && $0.outcome == "failure"
                }
            )
            #expect(refused.contains { $0.target == world.integration.id })
        }
    }

    @Test func cookiesArePrefixedAndSecureExceptOnPlainLoopbackAndHTTPSAddsHSTS() async throws {
        let world = try await TestWorld.make()
        // The test world's public URL is http://gatehouse.test: not loopback, so Secure.
        let https: (inout ServerConfiguration) -> Void = { $0.publicURL = "https://auth.example" }
        try await world.test(.router, configure: https) { client in
            let page = try await client.send(.get, "/console/signin")
            let cookie = try requireValue(
                page.headers[values: .setCookie].first { $0.hasPrefix("__Host-gatehouse_signin=") },
                "cookie"
            )
            #expect(cookie.contains("Secure"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("Path=/"))
            #expect(!cookie.lowercased().contains("domain="))
            #expect(page.headers[HTTPField.Name("Strict-Transport-Security")!] == "max-age=63072000")
        }
        let plain = try await TestWorld.make()
        let loopback: (inout ServerConfiguration) -> Void = { $0.publicURL = nil }
        try await plain.test(.router, configure: loopback) { client in
            let page = try await client.send(.get, "/console/signin")
            let cookie = try requireValue(
                page.headers[values: .setCookie].first { $0.hasPrefix("gatehouse_signin=") },
                "cookie"
            )
            #expect(!cookie.contains("Secure"))
            #expect(page.headers[HTTPField.Name("Strict-Transport-Security")!] == nil)
        }
        #expect(CookiePolicy(publicURL: "http://127.0.0.5:8080", host: "0.0.0.0").secure == false)
        #expect(CookiePolicy(publicURL: "http://[::1]:8080", host: "0.0.0.0").secure == false)
        #expect(CookiePolicy(publicURL: "http://localhost", host: "0.0.0.0").secure == false)
        #expect(CookiePolicy(publicURL: nil, host: "0.0.0.0").secure == true)
        #expect(CookiePolicy(publicURL: "http://auth.internal", host: "127.0.0.1").secure == true)
        #expect(CookiePolicy(publicURL: "http://127.0.0.1.evil.example", host: "127.0.0.1").secure == true)
    }
}
