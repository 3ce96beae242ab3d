import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import ServiceLifecycle

/// A background service that purges what no longer grants anything: tokens expired or revoked
/// longer ago than `retention` (their audit events keep the hints), idle rate-limit state, and
/// old change-feed entries. Storage so grows with live credentials only.
struct Janitor: Service {
    let store: any Store
    let clock: any WallClock
    let interval: Duration
    /// How long revoked and expired tokens are kept (so `token list` can still show them).
    let retention: TimeInterval
    /// How long audit events are kept (`nil`: forever).
    var auditRetention: TimeInterval? = nil
    /// Where verified audit checkpoints are exported (`nil`: nowhere).
    var anchors: AuditAnchorFile? = nil
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await purgeOnce()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func purgeOnce() async {
        let now = clock.now()
        do {
            let purged = try await store.purge(
                credentialsBefore: now.addingTimeInterval(-retention),
                rateLimitsBefore: now.addingTimeInterval(-2 * 86_400),
                changesBefore: now.addingTimeInterval(-3_600),
                // A used refresh token's successor is only needed within the grace window.
                successorsBefore: now.addingTimeInterval(-60)
            )
            if purged > 0 { logger.info("janitor purged expired and revoked tokens", metadata: ["count": "\(purged)"]) }
        } catch {
            logger.warning("janitor could not purge", metadata: ["error": "\(error)"])
        }
        await maintainAuditLog(now: now)
    }

    /// Checks the audit chain on from the last checkpoint, exports the new checkpoint off the
    /// store, and purges events older than the retention (re-anchoring the chain).
    func maintainAuditLog(now: Date) async {
        do {
            let before = try await store.auditCheckpoint("verified")
            let verification = try await store.verifyAuditIncrementally(limit: 100_000, now: now)
            if case .broken(let sequence, let reason) = verification.verdict {
                logger.error(
                    "the audit chain is broken",
                    metadata: ["sequence": "\(sequence)", "reason": "\(reason)"]
                )
                return
            }
            if let anchors, let checkpoint = try await store.auditCheckpoint("verified"),
                checkpoint.sequence != before?.sequence
            {
                try anchors.append(checkpoint)
            }
            if let auditRetention {
                let purged = try await store.purgeEvents(before: now.addingTimeInterval(-auditRetention))
                if purged > 0 { logger.info("janitor purged old audit events", metadata: ["count": "\(purged)"]) }
            }
        } catch {
            logger.warning("janitor could not maintain the audit log", metadata: ["error": "\(error)"])
        }
    }
}
