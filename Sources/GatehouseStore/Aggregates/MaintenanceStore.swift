import Foundation
import GatehouseCore

/// The janitor's work across aggregates: what expired or is no longer needed.
public protocol MaintenanceStore: Sendable {
    /// Deletes tokens, authorization codes, sessions and file uploads never attached that expired
    /// (or tokens that were revoked) before `credentialsBefore`, rate-limit state untouched since `rateLimitsBefore` and feed
    /// entries older than `changesBefore`, and wipes refresh successors sealed before
    /// `successorsBefore`; returns the number of tokens deleted.
    @discardableResult
    func purge(
        credentialsBefore: Date,
        rateLimitsBefore: Date,
        changesBefore: Date,
        successorsBefore: Date
    ) async throws -> Int
}
