import Foundation
import GatehouseCore

/// Everything Gatehouse keeps, as one store composed of one protocol per aggregate, each
/// implemented once in SQL (``SQLStore``, a file per aggregate) for both engines. Code that needs
/// one aggregate may take that protocol; the server holds `any Store`.
public protocol Store: WorkspaceStore, IntegrationStore, OAuthGrantStore, SessionStore, ContentStore, DataSourceStore,
    BlockStore, CommentStore, RateLimitStore, AuditStore, UsageStore, MaintenanceStore, ChangeFeedStore,
    WorkspaceBrowseStore, FileUploadStore, WebhookStore
{
    /// Runs `body` against a view of this store inside one transaction: every change made through
    /// that view (an action and its audit event, say) commits together or not at all. `body` must
    /// use only the view it is given, one call at a time.
    func atomically<Result: Sendable>(
        _ body: @escaping @Sendable (any Store) async throws -> Result
    ) async throws -> Result

    /// Closes every connection.
    func shutdown() async
}
