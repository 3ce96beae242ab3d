import Foundation
import GatehouseCore

/// OAuth grants: authorization codes, installations of public integrations, refresh-token rotation.
public protocol OAuthGrantStore: Sendable {
    func createAuthorizationCode(_ code: AuthorizationCode) async throws
    /// Marks the code used and returns it with whether this call was its first use (a second use
    /// is a replay); `nil` when no such code exists.
    func consumeAuthorizationCode(
        digest: TokenDigest,
        at time: Date
    ) async throws -> (AuthorizationCode, firstUse: Bool)?
    /// Completes a grant in one transaction: finds or creates the installation of
    /// `installation.installation.appID` for its workspace and owner (the candidate's id and bot
    /// are used when it is new), makes `resources` its shares, and stores `tokens` for it (their
    /// `integrationID` is set here). Returns the installation.
    func install(
        _ installation: Integration,
        resources: [SharedResource],
        tokens: [TokenRecord],
        at time: Date
    ) async throws -> Integration
    /// Redeems a code in one transaction: marks it used as ``consumeAuthorizationCode(digest:at:)``
    /// does, then — if the code passes `exchange`'s rules — installs its grant as
    /// ``install(_:resources:tokens:at:)`` does and appends the grant's audit event. All of it
    /// commits together or not at all. `nil` when no such code exists. Concurrent redemptions
    /// may share one transaction (group commit).
    func redeemAuthorizationCode(digest: TokenDigest, exchange: CodeExchange) async throws -> CodeRedemption?
    /// Marks refresh token `id` used and stores `successors` with the sealed pair, if no other
    /// request did so first; otherwise returns the token as that request left it.
    func rotateRefreshToken(
        id: String,
        successors: [TokenRecord],
        sealedSuccessor: String,
        usedFrom: String?,
        at time: Date
    ) async throws -> RefreshRotation
    /// The sealed successor pair of a used refresh token, while the janitor has not wiped it.
    func refreshSuccessor(tokenID: String) async throws -> String?
    /// Revokes every live token of an OAuth grant; returns those it revoked.
    func revokeGrant(id: String, at time: Date) async throws -> [TokenRecord]
}

/// What happened to a refresh token presented for rotation.
public enum RefreshRotation: Sendable {
    /// This request rotated it; the successors are stored.
    case rotated
    /// Another request rotated (or someone revoked) it first: the token as it is now.
    case lost(TokenRecord)
}

/// One code redemption waiting for its batch.
struct CodeRedemptionRequest: Sendable {
    var digest: TokenDigest
    var exchange: CodeExchange
}

/// The outcome of ``OAuthGrantStore/redeemAuthorizationCode(digest:exchange:)``.
public struct CodeRedemption: Sendable {
    public var code: AuthorizationCode
    /// `false` when the code had been used before (a replay).
    public var firstUse: Bool
    /// The installation made or reused, when the grant was made.
    public var installation: Integration?
}
