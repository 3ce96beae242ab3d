import Foundation
import GatehouseCore

/// Integrations and their credentials: API keys, client secrets, OAuth tokens and verifier keys,
/// with the per-key controls (scopes, an integration's own rate limit, expiry, usage limits).
///
/// Revocations, deletions and changes of what a credential may do also append to the change feed
/// in the same transaction.
public protocol IntegrationStore: Sendable {
    /// Creates the integration with its first token (an API key, or a public integration's client
    /// secret; none for a client without a secret), atomically.
    func createIntegration(_ integration: Integration, token: TokenRecord?) async throws
    func integration(id: String) async throws -> Integration?
    func integration(botID: String) async throws -> Integration?
    func integrations(workspaceID: String) async throws -> [Integration]
    /// The public integration whose OAuth `client_id` this is.
    func integration(clientID: String) async throws -> Integration?
    /// Deletes the integration, its tokens, shares and webhook subscriptions (and, for a public
    /// integration, every installation of it with theirs). Returns whether it existed; with
    /// `onlyIfUninstalled`, whether it existed and no workspace had installed it (then nothing is
    /// deleted), decided under the rows' locks.
    func deleteIntegration(id: String, at time: Date, onlyIfUninstalled: Bool) async throws -> Bool
    /// Clients that registered themselves (RFC 7591) before `time` and that no workspace
    /// installed, oldest first.
    func unclaimedRegisteredClients(createdBefore time: Date, limit: Int) async throws -> [Integration]
    func tokens(integrationID: String) async throws -> [TokenRecord]
    /// The tokens of each of these integrations, oldest first, in one read (a listing's
    /// credentials without one query per integration).
    func tokens(integrationIDs: [String]) async throws -> [String: [TokenRecord]]
    func token(id: String) async throws -> TokenRecord?
    func token(digest: TokenDigest) async throws -> TokenRecord?
    /// Issues `newToken` for its integration and schedules every other live token of the
    /// integration to expire at `oldTokensExpireAt` (or leaves them valid until revoked when it is
    /// `nil`); serialized per integration. Returns the tokens that were live before.
    func rotate(to newToken: TokenRecord, oldTokensExpireAt: Date?, at time: Date) async throws -> [TokenRecord]
    /// Revokes the tokens with these ids that are not yet revoked; returns those it revoked.
    func revokeTokens(ids: [String], at time: Date) async throws -> [TokenRecord]
    /// The principal a token acts as, if the token exists (active or not; the caller checks).
    func principal(digest: TokenDigest) async throws -> (TokenRecord, Principal)?

    /// Replaces the scopes of an integration and its installations; the changes made (none if it
    /// does not exist), which the change feed also carries.
    func setScopes(_ scopes: Scopes, integrationID: String, at time: Date) async throws -> [StoreChange]
    /// Adds a token to an existing integration (a verifier key); `false` if it does not exist.
    func addToken(_ token: TokenRecord) async throws -> Bool
    /// Sets or clears an integration's own rate limit; the changes made (none if it does not exist).
    func setRateLimit(_ limit: RatePlan?, integrationID: String, at time: Date) async throws -> [StoreChange]
    /// Sets a live token's expiry and number of uses; the token, or `nil` if there is no live one.
    func setTokenLimits(tokenID: String, expiresAt: Date?, maxUses: Int?, at time: Date) async throws -> TokenRecord?
    /// Counts one use of a usage-limited token; `false` once all its uses are spent.
    func consumeUse(tokenID: String) async throws -> Bool
}

extension IntegrationStore {
    /// Deletes the integration and, for a public integration, every installation of it.
    public func deleteIntegration(id: String, at time: Date) async throws -> Bool {
        try await deleteIntegration(id: id, at: time, onlyIfUninstalled: false)
    }
}
