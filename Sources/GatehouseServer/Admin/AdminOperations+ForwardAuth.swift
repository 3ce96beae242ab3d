import Foundation
import GatehouseCore
import GatehouseStore

extension AdminOperations {
    /// Replaces the deployment scopes an integration holds (a public integration: what its
    /// installations hold too). Takes effect at once on every node; audited.
    public func setScopes(_ scopes: Scopes, integrationID: String) async throws -> Integration {
        let integration = try await integration(integrationID)
        let changes = try await store.setScopes(scopes, integrationID: integration.id, at: clock.now())
        guard !changes.isEmpty else { throw AdminError.noIntegration(integrationID) }
        onRevocation(changes)
        try await record(
            "integration.scopes_changed",
            target: integration.id,
            details: ["scopes": scopes.spaceSeparated, "installations": "\(changes.count - 1)"]
        )
        var changed = integration
        changed.scopes = scopes
        return changed
    }

    /// A new verifier key for `integrationID`: the credential a service presents to `POST /verify`.
    /// Shown once; the store keeps its digest. Revoked like any token (`gatehouse token revoke`).
    public func createVerifierKey(integrationID: String) async throws -> (key: String, record: TokenRecord) {
        let integration = try await integration(integrationID)
        let (key, record) = Self.issueToken(.verifierKey, integrationID: integration.id, at: clock.now())
        guard try await store.addToken(record) else { throw AdminError.noIntegration(integrationID) }
        try await self.record(
            "verifier_key.created",
            target: integration.id,
            details: ["hint": record.displayHint]
        )
        return (key, record)
    }

    /// Sets an integration's own rate limit, replacing its plan's (`nil`: back to the plan's).
    /// Takes effect at once on every node; audited.
    public func setRateLimit(_ limit: RatePlan?, integrationID: String) async throws -> Integration {
        let integration = try await integration(integrationID)
        let changes = try await store.setRateLimit(limit, integrationID: integration.id, at: clock.now())
        guard !changes.isEmpty else { throw AdminError.noIntegration(integrationID) }
        onRevocation(changes)
        try await record(
            "integration.rate_limit_changed",
            target: integration.id,
            details: ["rate_limit": limit?.compactDescription ?? "plan"]
        )
        var changed = integration
        changed.rateLimitOverride = limit
        return changed
    }

    /// Gives a live key an expiry and a number of uses, as chosen when it is made. Audited.
    public func setKeyLimits(tokenID: String, expiresAt: Date?, maxUses: Int?) async throws -> TokenRecord {
        if let maxUses, maxUses < 1 { throw AdminError("the number of uses must be at least 1") }
        if let expiresAt, expiresAt <= clock.now() { throw AdminError("the expiry must be in the future") }
        guard
            let token = try await store.setTokenLimits(
                tokenID: tokenID,
                expiresAt: expiresAt,
                maxUses: maxUses,
                at: clock.now()
            )
        else { throw AdminError("no live token with id '\(tokenID.prefix(64))'") }
        onRevocation([
            StoreChange(sequence: 0, kind: .tokenRevoked, integrationID: token.integrationID, tokenDigest: token.digest)
        ])
        var details = ["hint": token.displayHint]
        if let expiresAt { details["expires_at"] = expiresAt.formatted(.iso8601) }
        if let maxUses { details["max_uses"] = String(maxUses) }
        try await record("key.limits_set", target: token.integrationID, details: details)
        return token
    }
}
