import Crypto
import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import Synchronization

/// Signed-in browser sessions for the sign-in, consent and console pages.
///
/// The cookie holds a random session token; the store keeps only its SHA-256 digest, with the
/// absolute end and the last use (an idle timeout inside the lifetime). Forms of a signed-in user
/// carry a CSRF token derived from the session token (so it needs no storage and dies with the
/// session); ``SessionMiddleware`` checks it on every state-changing request. The sign-in form,
/// which has no session yet, uses a double-submit cookie whose value is signed with a key kept in
/// the store (so any node of a cluster accepts a form another node served).
struct BrowserSessions: Sendable {
    let store: any Store
    let clock: any WallClock
    let policy: SessionPolicy
    let cookies: CookiePolicy
    let keys: ServerKeys

    /// The signed-in person of the request, if it carries a live session; an idle or expired
    /// session is deleted. Records the use (at most once per ``SessionPolicy/lastSeenResolution``).
    func resolve(_ request: Request) async throws -> SignedInSession? {
        guard let token = request.cookies[cookies.sessionName]?.value, Self.isWellFormed(token) else { return nil }
        let digest = TokenDigest(of: token)
        guard let session = try await store.session(digest: digest) else { return nil }
        let now = clock.now()
        guard policy.isLive(session, at: now) else {
            try await store.deleteSession(digest: digest)
            return nil
        }
        guard let person = try await store.person(id: session.userID) else { return nil }
        if policy.needsTouch(session, at: now) { try await store.touchSession(digest: digest, at: now) }
        return SignedInSession(person: person, digest: digest, csrf: Self.csrfToken(forSession: token))
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
                expiresAt: now.addingTimeInterval(policy.lifetime)
            )
        )
        return cookies.make(cookies.sessionName, value: token, maxAge: Int(policy.lifetime), sameSite: .lax)
    }

    /// Ends the session the request's cookie names (live or not); the cookie to set clears it.
    func end(_ request: Request) async throws -> Cookie {
        if let token = request.cookies[cookies.sessionName]?.value, Self.isWellFormed(token) {
            try await store.deleteSession(digest: TokenDigest(of: token))
        }
        return cookies.make(cookies.sessionName, value: "", maxAge: 0, sameSite: .lax)
    }

    // MARK: Sign-in form

    /// A fresh double-submit value for the sign-in form and the cookie that carries it: a random
    /// nonce, its expiry and an HMAC of both under the store's sign-in key.
    func signInChallenge() async throws -> (value: String, cookie: Cookie) {
        let lifetime = 3_600
        let expires = Int64(clock.now().timeIntervalSince1970) + Int64(lifetime)
        let payload = "\(Self.randomToken()).\(expires)"
        let value = "\(payload).\(try await keys.signature(of: "signin v1:" + payload))"
        return (value, cookies.make(cookies.signInName, value: value, maxAge: lifetime, sameSite: .strict))
    }

    /// Whether a sign-in form's CSRF field matches its cookie, and the value is ours and unexpired.
    func signInFormIsGenuine(_ request: Request, field: String?) async throws -> Bool {
        guard let field, field.utf8.count <= 200, let cookie = request.cookies[cookies.signInName]?.value,
            Self.constantTimeEqual(field, cookie)
        else { return false }
        let parts = field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let expires = Int64(parts[1]),
            expires > Int64(clock.now().timeIntervalSince1970)
        else { return false }
        let expected = try await keys.signature(of: "signin v1:\(parts[0]).\(parts[1])")
        return Self.constantTimeEqual(parts[2], expected)
    }

    // MARK: Trusted devices

    /// The cookie a browser gets when `person` signs in with it: it exempts that browser from the
    /// per-account failure allowance, so an attacker guessing one account's password cannot lock
    /// its owner out of the browsers they already use.
    func deviceCookie(for person: Person) async throws -> Cookie {
        cookies.make(
            cookies.deviceName,
            value: try await keys.signature(of: "device v1:" + person.id),
            maxAge: 180 * 86_400,
            sameSite: .strict
        )
    }

    /// Whether the request comes from a browser `person` signed in with before.
    func isTrustedDevice(_ request: Request, for person: Person) async throws -> Bool {
        guard let value = request.cookies[cookies.deviceName]?.value else { return false }
        return Self.constantTimeEqual(value, try await keys.signature(of: "device v1:" + person.id))
    }

    // MARK: Tokens

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

/// The signed-in user of a browser request, put on the context by ``SessionMiddleware``.
struct SignedInSession: Sendable {
    let person: Person
    /// The digest of the session's token (the store's key for it).
    let digest: TokenDigest
    /// The CSRF token every state-changing form of this session carries.
    let csrf: String
}

/// Cookie names and attributes. Over https — or anything but plain HTTP on a loopback address —
/// cookies are `Secure` and named with the `__Host-` prefix (no `Domain`, path `/`, so a sibling
/// subdomain or an HTTP man in the middle cannot plant them); on plain HTTP on loopback, browsers
/// would drop `Secure` cookies, so the plain names are used.
struct CookiePolicy: Sendable {
    /// `Secure` cookies with `__Host-` names.
    let secure: Bool
    /// `Strict-Transport-Security` on browser responses (the public URL is https).
    let strictTransportSecurity: Bool

    var sessionName: String { prefixed("gatehouse_session") }
    var signInName: String { prefixed("gatehouse_signin") }
    var deviceName: String { prefixed("gatehouse_device") }

    init(secure: Bool, strictTransportSecurity: Bool) {
        self.secure = secure
        self.strictTransportSecurity = strictTransportSecurity
    }

    /// The policy for a server reached at `publicURL` (or, without one, at `host`).
    init(publicURL: String?, host: String) {
        let components = publicURL.flatMap { URLComponents(string: $0) }
        let scheme = components?.scheme?.lowercased() ?? "http"
        let reachedAt = publicURL == nil ? host : components?.host ?? ""
        self.init(
            secure: scheme == "https" || !Self.isLoopback(reachedAt),
            strictTransportSecurity: scheme == "https"
        )
    }

    /// `localhost` (and its subdomains), 127.0.0.0/8 and ::1.
    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    func make(_ name: String, value: String, maxAge: Int, sameSite: Cookie.SameSite) -> Cookie {
        Cookie(
            name: name,
            value: value,
            maxAge: maxAge,
            path: "/",
            secure: secure,
            httpOnly: true,
            sameSite: sameSite
        )
    }

    private func prefixed(_ name: String) -> String { secure ? "__Host-" + name : name }
}

/// An HMAC key shared by every node of one store, created on first use (a random 256-bit key
/// stored under `name` in the store's `server_keys` table) and kept in memory after.
final class ServerKeys: Sendable {
    private let store: any Store
    private let clock: any WallClock
    private let name: String
    private let cached = Mutex<SymmetricKey?>(nil)

    /// The key named `name`; by default the sign-in key of browser sessions.
    init(store: any Store, clock: any WallClock, name: String = "signin-hmac-v1") {
        self.store = store
        self.clock = clock
        self.name = name
    }

    /// Base64url HMAC-SHA256 of `message` under the key.
    func signature(of message: String) async throws -> String {
        let key = try await key()
        return Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)))
    }

    /// Whether `signature` (base64url) is the key's HMAC of `message`, compared in constant time.
    func isValid(signature: String, of message: String) async throws -> Bool {
        guard let code = Base64URL.decode(signature) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Data(message.utf8), using: try await key())
    }

    /// The key itself, for callers that sign many messages at once.
    func key() async throws -> SymmetricKey {
        if let key = cached.withLock({ $0 }) { return key }
        let text = try await store.serverKey(
            named: name,
            make: { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() } },
            at: clock.now()
        )
        guard let data = Data(base64Encoded: text), data.count >= 32 else {
            throw StoreError(.notFound, "the stored key \(name) is malformed")
        }
        let key = SymmetricKey(data: data)
        cached.withLock { $0 = key }
        return key
    }
}
