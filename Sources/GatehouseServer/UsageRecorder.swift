import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import ServiceLifecycle
import Synchronization

/// Counts token use in memory on the request path (one locked dictionary update) and writes it to
/// the store in the background, so monitoring costs authentication no I/O.
public final class UsageRecorder: Sendable {
    private let pending = Mutex<[String: TokenUsage]>([:])
    private let daily = Mutex<[DailyUsage: Int]>([:])

    public init() {}

    /// Notes one authenticated request.
    public func record(tokenID: String, at time: Date, ip: String?, userAgent: String?) {
        pending.withLock { pending in
            if var usage = pending[tokenID] {
                usage.count += 1
                usage.lastUsedAt = time
                usage.lastUsedIP = ip
                usage.lastUsedAgent = userAgent
                pending[tokenID] = usage
            } else {
                pending[tokenID] = TokenUsage(
                    tokenID: tokenID,
                    count: 1,
                    lastUsedAt: time,
                    lastUsedIP: ip,
                    lastUsedAgent: userAgent
                )
            }
        }
    }

    /// Notes the answer an integration's request got, for the per-day usage chart.
    public func recordResponse(integrationID: String, status: Int, at time: Date) {
        let key = DailyUsage(
            integrationID: integrationID,
            day: DailyUsage.day(of: time),
            status: DailyUsage.bucket(status),
            count: 0
        )
        daily.withLock { $0[key, default: 0] += 1 }
    }

    /// Writes what was counted since the last flush; on failure it is kept for the next one.
    public func flush(to store: any Store) async throws {
        let days = daily.withLock { daily in
            defer { daily = [:] }
            return daily.map { key, count in
                var entry = key
                entry.count = count
                return entry
            }
        }
        do {
            try await store.recordDailyUsage(days)
        } catch {
            daily.withLock { daily in
                for entry in days {
                    var key = entry
                    key.count = 0
                    daily[key, default: 0] += entry.count
                }
            }
            throw error
        }
        let batch = pending.withLock { pending in
            defer { pending = [:] }
            return Array(pending.values)
        }
        do {
            try await store.recordUsage(batch)
        } catch {
            pending.withLock { pending in
                for usage in batch {
                    if var newer = pending[usage.tokenID] {
                        newer.count += usage.count
                        pending[usage.tokenID] = newer
                    } else {
                        pending[usage.tokenID] = usage
                    }
                }
            }
            throw error
        }
    }
}

/// Flushes a ``UsageRecorder`` every few seconds, and once more at shutdown.
struct UsageFlusher: Service {
    let recorder: UsageRecorder
    let store: any Store
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await flush()
            }
        }
        await flush()
    }

    private func flush() async {
        do {
            try await recorder.flush(to: store)
        } catch {
            logger.warning("cannot record token usage yet; will retry")
        }
    }
}
