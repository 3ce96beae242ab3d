import Crypto
import Foundation
import GatehouseCore
import GatehouseStore
import HummingbirdOTP
import Synchronization

/// The optional TOTP second factor of console users (RFC 6238: SHA-1, 6 digits, 30 s steps, as
/// authenticator apps expect), with HummingbirdOTP computing the codes.
///
/// The shared secret is stored sealed (AES-GCM, the person's id as associated data) under the
/// sealing key: `GATEHOUSE_SECRETS_KEY` when the operator gives one (kept outside the store, so a
/// copy of the database alone does not reveal the secrets), otherwise a key kept in the store's
/// `server_keys` table. A code is accepted for the previous, current or next step, and each step
/// only once per person (a compare-and-set on the last used step), so a seen code cannot be
/// replayed.
struct SecondFactor: Sendable {
    let store: any Store
    let clock: any WallClock
    let sealing: SealingKey
    static let timeStep = 30

    /// A new random secret (32 base62 characters, ≈ 190 bits) for enrolment.
    static func newSecret() -> String { String(BrowserSessions.randomToken().prefix(32)) }

    /// The `otpauth://` URI an authenticator app scans or imports.
    static func uri(secret: String, account: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: "Gatehouse:\(account)", issuer: "Gatehouse")
    }

    /// The base32 form of the secret, for typing into an app.
    static func base32(_ secret: String) -> String {
        let uri = uri(secret: secret, account: "x")
        let query = URLComponents(string: uri)?.queryItems ?? []
        return query.first { $0.name == "secret" }?.value ?? ""
    }

    /// The step (of 30 s since 1970) whose code `code` is for `secret`, among the previous,
    /// current and next steps at `now`.
    static func matchingStep(_ code: String, secret: String, at now: Date) -> Int64? {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == 6, digits.allSatisfy(\.isASCII), let value = Int(digits) else { return nil }
        let totp = TOTP(secret: secret)
        let current = Int64(now.timeIntervalSince1970) / Int64(timeStep)
        for step in [current - 1, current, current + 1] {
            let date = Date(timeIntervalSince1970: TimeInterval(step * Int64(timeStep)))
            if totp.compute(date: date) == value { return step }
        }
        return nil
    }

    /// Whether the person has a second factor.
    func isEnrolled(_ person: Person) async throws -> Bool {
        try await store.secondFactor(userID: person.id) != nil
    }

    /// Whether `code` is a current, unused code of the person's second factor; uses it up.
    func verify(_ code: String, for person: Person) async throws -> Bool {
        // A secret that no longer opens (the sealing key was changed) fails like a wrong code;
        // `gatehouse user reset-totp` lets the person enrol again.
        guard let enrolment = try await store.secondFactor(userID: person.id),
            let secret = try? await sealing.open(enrolment.sealedSecret, context: person.id)
        else { return false }
        guard let step = Self.matchingStep(code, secret: secret, at: clock.now()) else { return false }
        return try await store.useSecondFactorStep(userID: person.id, step: step)
    }

    /// Enrols `secret` once `code` proves the app has it (its step is used up at once).
    func enrol(_ person: Person, secret: String, code: String) async throws -> Bool {
        guard let step = Self.matchingStep(code, secret: secret, at: clock.now()) else { return false }
        let sealed = try await sealing.seal(secret, context: person.id)
        try await store.setSecondFactor(userID: person.id, sealedSecret: sealed, step: step)
        return true
    }
}

/// AES-GCM sealing of small secrets (second-factor secrets, the enrolment form's pending secret).
final class SealingKey: Sendable {
    private let store: any Store
    private let clock: any WallClock
    private let configured: SymmetricKey?
    private let cached = Mutex<SymmetricKey?>(nil)

    /// `configured`: 32 bytes from the operator (outside the store); `nil` uses a key kept in the store.
    init(store: any Store, clock: any WallClock, configured: Data?) {
        self.store = store
        self.clock = clock
        self.configured = configured.map { SymmetricKey(data: SHA256.hash(data: $0)) }
    }

    func seal(_ secret: String, context: String) async throws -> String {
        let box = try AES.GCM.seal(Data(secret.utf8), using: try await key(), authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw SealingError() }
        return Base64URL.encode(combined)
    }

    func open(_ sealed: String, context: String) async throws -> String {
        guard let data = Base64URL.decode(sealed) else { throw SealingError() }
        let box = try AES.GCM.SealedBox(combined: data)
        let opened = try AES.GCM.open(box, using: try await key(), authenticating: Data(context.utf8))
        return String(decoding: opened, as: UTF8.self)
    }

    private func key() async throws -> SymmetricKey {
        if let configured { return configured }
        if let key = cached.withLock({ $0 }) { return key }
        let text = try await store.serverKey(
            named: "sealing-v1",
            make: { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() } },
            at: clock.now()
        )
        guard let data = Data(base64Encoded: text), data.count >= 32 else { throw SealingError() }
        let key = SymmetricKey(data: data)
        cached.withLock { $0 = key }
        return key
    }
}

struct SealingError: Error, CustomStringConvertible {
    var description: String { "a sealed secret cannot be opened (was the sealing key changed?)" }
}
