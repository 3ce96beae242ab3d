import Foundation
import GatehouseCore

/// Browser sessions of console users, their passwords and second factors, and the keys the
/// server shares between nodes (the sign-in form's signing key).
public protocol SessionStore: Sendable {
    func createSession(_ session: SessionRecord) async throws
    func session(digest: TokenDigest) async throws -> SessionRecord?
    func deleteSession(digest: TokenDigest) async throws
    /// Records that the session was used at `time`.
    func touchSession(digest: TokenDigest, at time: Date) async throws
    /// Ends every session of the person except `keeping` (sign out everywhere, password change);
    /// returns how many ended.
    @discardableResult
    func deleteSessions(userID: String, keeping: TokenDigest?) async throws -> Int
    /// Sets the person's password hash and ends every session of theirs except `keeping`, in one
    /// transaction; returns whether the person exists.
    func setPassword(userID: String, hash: String, keeping: TokenDigest?) async throws -> Bool
    /// The person's second factor (TOTP), if they enrolled one.
    func secondFactor(userID: String) async throws -> SecondFactorRecord?
    /// Enrols (or replaces) the person's second factor; `step` is the one its confirmation used.
    func setSecondFactor(userID: String, sealedSecret: String, step: Int64) async throws
    /// Removes the person's second factor (an operator's reset for a lost authenticator) and ends
    /// every session of theirs; returns whether they had one.
    func clearSecondFactor(userID: String) async throws -> Bool
    /// Marks `step` used if it is later than the last used one (compare-and-set): `false` for a
    /// replayed or older code, or when the person has no second factor.
    func useSecondFactorStep(userID: String, step: Int64) async throws -> Bool
    /// The server key named `name`, shared by every node of the store: the first caller's `make()`
    /// is stored, later callers read it.
    func serverKey(named name: String, make: @Sendable () -> String, at time: Date) async throws -> String
}
