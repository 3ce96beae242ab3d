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
        await deleteUnclaimedClients(now: now)
        await maintainAuditLog(now: now)
    }

    /// A client that registered itself (RFC 7591) and that no one authorized within this long is
    /// deleted: registration is open to anyone who can reach the server, so what it leaves behind
    /// must not pile up.
    static let unclaimedClientLifetime: TimeInterval = 7 * 86_400

    /// Deletes up to 100 unclaimed self-registered clients per round, each with its audit event,
    /// unless a workspace installed it meanwhile (checked under the rows' locks).
    func deleteUnclaimedClients(now: Date) async {
        do {
            let unclaimed = try await store.unclaimedRegisteredClients(
                createdBefore: now.addingTimeInterval(-Self.unclaimedClientLifetime),
                limit: 100
            )
            for client in unclaimed {
                let event = AuditEvent(
                    time: now,
                    actor: "janitor",
                    action: "integration.deleted",
                    target: client.id,
                    details: ["name": client.name, "reason": "registered itself; not authorized within 7 days"],
                    workspaceID: client.workspaceID
                )
                _ = try await store.atomically { store in
                    guard try await store.deleteIntegration(id: client.id, at: now, onlyIfUninstalled: true) else {
                        return false
                    }
                    try await store.appendEvent(event)
                    return true
                }
            }
        } catch {
            logger.warning("janitor could not delete unclaimed clients", metadata: ["error": "\(error)"])
        }
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
