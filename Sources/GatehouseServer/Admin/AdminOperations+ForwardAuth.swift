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
}
