import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdOTP
import HummingbirdTesting
import Testing

@testable import GatehouseServer

/// The optional TOTP second factor, over real HTTP against a real SQLite store.
@Suite(.timeLimit(.minutes(2))) struct SecondFactorTests {
    /// Signs in through the form, with a code when given; the response.
    static func signIn(
        _ client: any TestClientProtocol,
        email: String,
        code: String? = nil
    ) async throws -> PageResult {
        let page = try await client.send(.get, "/console/signin")
        let csrf = try requireValue(page.field("csrf"), "csrf")
        let cookie = try requireValue(page.cookie(OAuthFlow.signInCookie), "sign-in cookie")
        var form = [("csrf", csrf), ("next", "/console"), ("email", email), ("password", OAuthFlow.password)]
        if let code { form.append(("code", code)) }
        return try await client.send(.post, "/signin", form: form, cookies: [OAuthFlow.signInCookie: cookie])
    }

    /// The raw secret behind the base32 key an enrolment page shows (RFC 4648 alphabet, no padding).
    static func secret(fromBase32 text: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0
        var value = 0
        var bytes: [UInt8] = []
        for character in text.uppercased() {
            guard let index = alphabet.firstIndex(of: character) else { continue }
            value = (value << 5) | index
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((value >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Opens the enrolment page and confirms it with the app's code; returns the secret.
    static func enrol(
        _ client: any TestClientProtocol,
        session: String,
        clock: TestClock
    ) async throws -> String {
        let cookies = [OAuthFlow.sessionCookie: session]
        let page = try await client.send(.get, "/console/account/totp", cookies: cookies)
        #expect(page.status == 200)
        let key = try requireValue(
            page.text.firstMatch(of: /id="totp-secret" readonly value="([A-Z2-7]+)"/).map { String($0.1) },
            "key"
        )
        #expect(page.text.contains("otpauth://totp/"))
        let secret = Self.secret(fromBase32: key)
        let form = [
            ("csrf", try requireValue(page.field("csrf"))), ("pending", try requireValue(page.field("pending"))),
        ]
        let wrong = try await client.send(
            .post,
            "/console/account/totp",
            form: form + [("code", "000000" == code(secret, clock) ? "111111" : "000000")],
            cookies: cookies
        )
        #expect(wrong.status == 400)
        let confirmed = try await client.send(
            .post,
            "/console/account/totp",
            form: form + [("code", code(secret, clock))],
            cookies: cookies
        )
        #expect(confirmed.status == 200)
        #expect(confirmed.text.contains("Two-step sign-in is on"))
        return secret
    }

    static func code(_ secret: String, _ clock: TestClock) -> String {
        String(format: "%06d", TOTP(secret: secret).compute(date: clock.now()))
    }

    @Test func anEnrolledUserNeedsACurrentCodeAndEachCodeWorksOnce() async throws {
        // The clock stands still until the test moves it: on a clock that follows the real time,
        // a 30-second step could end between the enrolment and the replay of its code, making the
        // "replayed" code a new, valid one.
        let clock = TestClock(frozenAt: Date())
        let world = try await TestWorld.make(clock: clock)
        let flow = try await OAuthFlow.make(world)
        try await world.test(.live) { client in
            let session = try requireValue(try await flow.signIn(client), "session")
            let secret = try await Self.enrol(client, session: session, clock: clock)
            let stored = try requireValue(try await world.store.secondFactor(userID: world.owner.id), "stored")
            #expect(!stored.sealedSecret.contains(secret))
            // When each refused attempt happened: failures are listed once per address and minute.
            var failedAt: [Date] = [clock.now()]
            let withoutCode = try await Self.signIn(client, email: world.owner.email)
            #expect(withoutCode.status == 401)
            #expect(withoutCode.cookie(OAuthFlow.sessionCookie) == nil)
            // The code the enrolment used is spent.
            failedAt.append(clock.now())
            let replayed = try await Self.signIn(client, email: world.owner.email, code: Self.code(secret, clock))
            #expect(replayed.status == 401)
            clock.advance(by: 30)
            let code = Self.code(secret, clock)
            let signedIn = try await Self.signIn(client, email: world.owner.email, code: code)
            #expect(signedIn.status == 303)
            #expect(signedIn.cookie(OAuthFlow.sessionCookie) != nil)
            failedAt.append(clock.now())
            let again = try await Self.signIn(client, email: world.owner.email, code: code)
            #expect(again.status == 401)
            clock.advance(by: 120)
            failedAt.append(clock.now())
            let stale = try await Self.signIn(client, email: world.owner.email, code: code)
            #expect(stale.status == 401)
            let events = try await world.store.events(since: nil, limit: 200)
            #expect(events.contains { $0.action == "second_factor.enrolled" && $0.actor == "user:\(world.owner.id)" })
            let minutes = Set(failedAt.map { Int64($0.timeIntervalSince1970) / 60 })
            #expect(
                events.filter { $0.action == "signin.failed" && $0.details["reason"] == "second_factor" }.count
                    == minutes.count
            )
        }
    }

    @Test func ownersAreSentToEnrolFirstWhenTheOperatorRequiresIt() async throws {
        let clock = TestClock(frozenAt: Date())
        let world = try await TestWorld.make(clock: clock)
        let flow = try await OAuthFlow.make(world)
        let email = "mo-\(UUID().uuidString.prefix(6))@acme.test"
        _ = try await world.admin.createUser(
            workspaceID: world.workspace.id,
            email: email,
            name: "Mo",
            role: .member,
            password: OAuthFlow.password
        )
        let required: (inout ServerConfiguration) -> Void = { $0.requireOwnerSecondFactor = true }
        try await world.test(.live, configure: required) { client in
            let member = try requireValue(try await flow.signIn(client, email: email), "member session")
            let memberPage = try await client.send(
                .get,
                "/console/integrations",
                cookies: [OAuthFlow.sessionCookie: member]
            )
            #expect(memberPage.status == 200)
            let owner = try requireValue(try await flow.signIn(client), "owner session")
            let cookies = [OAuthFlow.sessionCookie: owner]
            for path in ["/console/integrations", "/console/account", "/v1/oauth/authorize?" + flow.query()] {
                let page = try await client.send(.get, path, cookies: cookies)
                #expect(page.status == 303)
                #expect(page.headers[.location] == "/console/account/totp")
            }
            let enrolment = try await client.send(.get, "/console/account/totp", cookies: cookies)
            #expect(enrolment.text.contains("totp-required"))
            _ = try await Self.enrol(client, session: owner, clock: clock)
            #expect(try await client.send(.get, "/console/integrations", cookies: cookies).status == 200)
        }
    }

    @Test func aSecretSealedUnderAnotherKeyFailsLikeAWrongCodeInsteadOfAnError() async throws {
        let world = try await TestWorld.make()
        let clock = SystemClock()
        func factor(_ byte: UInt8) -> SecondFactor {
            SecondFactor(
                store: world.store,
                clock: clock,
                sealing: SealingKey(store: world.store, clock: clock, configured: Data(repeating: byte, count: 32))
            )
        }
        let secret = SecondFactor.newSecret()
        let now = String(format: "%06d", TOTP(secret: secret).compute(date: clock.now()))
        let next = String(format: "%06d", TOTP(secret: secret).compute(date: clock.now().addingTimeInterval(30)))
        #expect(try await factor(1).enrol(world.owner, secret: secret, code: now))
        let stored = try requireValue(try await world.store.secondFactor(userID: world.owner.id))
        #expect(!stored.sealedSecret.contains(secret))
        #expect(try await factor(2).verify(next, for: world.owner) == false)
        #expect(try await factor(1).verify(next, for: world.owner))
        await world.store.shutdown()
    }
}
