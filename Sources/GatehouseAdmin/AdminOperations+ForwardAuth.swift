import Foundation
import GatehouseCore
import GatehouseStore

extension AdminOperations {
    /// Replaces the deployment scopes an integration holds (a public integration: what its
    /// installations hold too). Takes effect at once on every node; audited.
    public func setScopes(_ scopes: Scopes, integrationID: String) async throws -> Integration {
        let integration = try await integration(integrationID)
        let now = clock.now()
        let event = event(
            "integration.scopes_changed",
            target: integration.id,
            workspaceID: integration.workspaceID,
            details: ["scopes": scopes.spaceSeparated]
        )
        let changes = try await store.atomically { store in
            let changes = try await store.setScopes(scopes, integrationID: integration.id, at: now)
            if !changes.isEmpty { try await store.appendEvent(event) }
            return changes
        }
        guard !changes.isEmpty else { throw AdminError.noIntegration(integrationID) }
        onRevocation(changes)
        var changed = integration
        changed.scopes = scopes
        return changed
    }

    /// A new verifier key for `integrationID`: the credential a service presents to `POST /verify`.
    /// Shown once; the store keeps its digest. Revoked like any token (`gatehouse token revoke`).
    public func createVerifierKey(integrationID: String) async throws -> (key: String, record: TokenRecord) {
        let integration = try await integration(integrationID)
        let (key, record) = Self.issueToken(.verifierKey, integrationID: integration.id, at: clock.now())
        let event = event(
            "verifier_key.created",
            target: integration.id,
            workspaceID: integration.workspaceID,
            details: ["hint": record.displayHint]
        )
        let added = try await store.atomically { store in
            guard try await store.addToken(record) else { return false }
            try await store.appendEvent(event)
            return true
        }
        guard added else { throw AdminError.noIntegration(integrationID) }
        return (key, record)
    }

    /// Sets an integration's own rate limit, replacing its plan's (`nil`: back to the plan's).
    /// Takes effect at once on every node; audited.
    public func setRateLimit(_ limit: RatePlan?, integrationID: String) async throws -> Integration {
        let integration = try await integration(integrationID)
        let now = clock.now()
        let event = event(
            "integration.rate_limit_changed",
            target: integration.id,
            workspaceID: integration.workspaceID,
            details: ["rate_limit": limit?.compactDescription ?? "plan"]
        )
        let changes = try await store.atomically { store in
            let changes = try await store.setRateLimit(limit, integrationID: integration.id, at: now)
            if !changes.isEmpty { try await store.appendEvent(event) }
            return changes
        }
        guard !changes.isEmpty else { throw AdminError.noIntegration(integrationID) }
        onRevocation(changes)
        var changed = integration
        changed.rateLimitOverride = limit
        return changed
    }

    /// Gives a live key an expiry and a number of uses, as chosen when it is made. Audited.
    public func setKeyLimits(tokenID: String, expiresAt: Date?, maxUses: Int?) async throws -> TokenRecord {
        if let maxUses, maxUses < 1 { throw AdminError("the number of uses must be at least 1") }
        if let expiresAt, expiresAt <= clock.now() { throw AdminError("the expiry must be in the future") }
        var details: [String: String] = [:]
        if let expiresAt { details["expires_at"] = expiresAt.formatted(.iso8601) }
        if let maxUses { details["max_uses"] = String(maxUses) }
        let now = clock.now()
        let event = event("key.limits_set", target: tokenID, details: details)
        let token = try await store.atomically { store in
            let token = try await store.setTokenLimits(
                tokenID: tokenID,
                expiresAt: expiresAt,
                maxUses: maxUses,
                at: now
            )
            if token != nil { try await store.appendEvent(event) }
            return token
        }
        guard let token else { throw AdminError("no live token with id '\(tokenID.prefix(64))'") }
        onRevocation([
            StoreChange(sequence: 0, kind: .tokenRevoked, integrationID: token.integrationID, tokenDigest: token.digest)
        ])
        return token
    }
}
