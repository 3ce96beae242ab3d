import Crypto
import Foundation
import GatehouseCore
import GatehouseStore
import Hummingbird

/// Signed-in browser sessions for the sign-in, consent and console pages.
///
/// The cookie holds a random session token; the store keeps only its SHA-256 digest. Forms of a
/// signed-in user carry a CSRF token derived from the session token (so it needs no storage and
/// dies with the session); the sign-in form, which has no session yet, uses a double-submit cookie.
struct BrowserSessions: Sendable {
    let store: any Store
    let clock: any WallClock
    let lifetime: TimeInterval
    /// `Secure` cookies when the server is reached over https.
    let secureCookies: Bool

    static let sessionCookie = "gatehouse_session"
    static let signInCookie = "gatehouse_signin"

    /// The signed-in person and their session token, if the request carries a live session.
    func current(_ request: Request) async throws -> (person: Person, token: String)? {
        guard let token = request.cookies[Self.sessionCookie]?.value, Self.isWellFormed(token),
            let session = try await store.session(digest: TokenDigest(of: token)),
            session.expiresAt > clock.now(),
            let person = try await store.person(id: session.userID)
        else { return nil }
        return (person, token)
    }

    /// Starts a session for `person`; the cookie to set carries its token.
    func start(for person: Person) async throws -> Cookie {
        let token = Self.randomToken()
        let now = clock.now()
        try await store.createSession(
            SessionRecord(
                digest: TokenDigest(of: token),
                userID: person.id,
                createdAt: now,
                expiresAt: now.addingTimeInterval(lifetime)
            )
        )
        return Cookie(
            name: Self.sessionCookie,
            value: token,
            maxAge: Int(lifetime),
            path: "/",
            secure: secureCookies,
            httpOnly: true,
            sameSite: .lax
        )
    }

    /// Ends the request's session (if any); the cookie to set clears it in the browser.
    func end(_ request: Request) async throws -> Cookie {
        if let token = request.cookies[Self.sessionCookie]?.value, Self.isWellFormed(token) {
            try await store.deleteSession(digest: TokenDigest(of: token))
        }
        return Cookie(name: Self.sessionCookie, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true)
    }

    /// A fresh double-submit value for the sign-in form and the cookie that carries it.
    func signInChallenge() -> (value: String, cookie: Cookie) {
        let value = Self.randomToken()
        return (
            value,
            Cookie(
                name: Self.signInCookie,
                value: value,
                maxAge: 3_600,
                path: "/",
                secure: secureCookies,
                httpOnly: true,
                sameSite: .strict
            )
        )
    }

    /// Whether a sign-in form's CSRF field matches its cookie.
    static func signInFormIsGenuine(_ request: Request, field: String?) -> Bool {
        guard let field, let cookie = request.cookies[signInCookie]?.value, isWellFormed(cookie) else { return false }
        return constantTimeEqual(field, cookie)
    }

    /// The CSRF token of forms shown in the session whose token is `sessionToken`.
    static func csrfToken(forSession sessionToken: String) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data("gatehouse csrf v1:\(sessionToken)".utf8))))
    }

    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// 40 base62 characters from the system CSPRNG (≈ 238 bits).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(decoding: Base62.random(count: 40, using: &generator), as: UTF8.self)
    }

    private static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 40 && token.utf8.allSatisfy(Base62.isDigit)
    }
}
