import Foundation
import GatehouseCore
import GatehouseStore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Counts token use in memory on the request path (one locked dictionary update) and writes it to
/// the store in the background, so monitoring costs authentication no I/O.
public final class UsageRecorder: Sendable {
    /// Both tallies behind one lock, so a request takes it once.
    private let state = Mutex(Tallies())

    private struct Tallies {
        var pending: [String: PendingUsage] = [:]
        var daily: [DailyUsage: Int] = [:]
    }

    public init() {}

    /// One token's use since the last flush. The address is kept as it came and formatted at
    /// the flush, so the request path does no string work for it.
    private struct PendingUsage {
        var count: Int
        var lastUsedAt: Date
        var lastUsedAddress: SocketAddress?
        var lastUsedAgent: String?

        func usage(tokenID: String) -> TokenUsage {
            TokenUsage(
                tokenID: tokenID,
                count: count,
                lastUsedAt: lastUsedAt,
                lastUsedIP: lastUsedAddress.map { $0.ipAddress ?? "unknown" },
                lastUsedAgent: lastUsedAgent
            )
        }
    }

    /// Notes one authenticated request and the answer it got (429s from the rate limiter
    /// included), the latter per integration and day for the usage chart.
    public func record(
        tokenID: String,
        integrationID: String,
        status: Int,
        at time: Date,
        address: SocketAddress?,
        userAgent: String?
    ) {
        let key = DailyUsage(
            integrationID: integrationID,
            day: DailyUsage.day(of: time),
            status: DailyUsage.bucket(status),
            count: 0
        )
        state.withLock { state in
            state.daily[key, default: 0] += 1
            if var usage = state.pending[tokenID] {
                usage.count += 1
                usage.lastUsedAt = time
                usage.lastUsedAddress = address
                usage.lastUsedAgent = userAgent
                state.pending[tokenID] = usage
            } else {
                state.pending[tokenID] = PendingUsage(
                    count: 1,
                    lastUsedAt: time,
                    lastUsedAddress: address,
                    lastUsedAgent: userAgent
                )
            }
        }
    }

    /// Writes what was counted since the last flush; on failure it is kept for the next one.
    public func flush(to store: any Store) async throws {
        let days = state.withLock { state in
            defer { state.daily = [:] }
            return state.daily.map { key, count in
                var entry = key
                entry.count = count
                return entry
            }
        }
        do {
            try await store.recordDailyUsage(days)
        } catch {
            state.withLock { state in
                for entry in days {
                    var key = entry
                    key.count = 0
                    state.daily[key, default: 0] += entry.count
                }
            }
            throw error
        }
        let batch = state.withLock { state in
            defer { state.pending = [:] }
            return state.pending
        }
        do {
            try await store.recordUsage(batch.map { $0.value.usage(tokenID: $0.key) })
        } catch {
            state.withLock { state in
                for (tokenID, usage) in batch {
                    if var newer = state.pending[tokenID] {
                        newer.count += usage.count
                        state.pending[tokenID] = newer
                    } else {
                        state.pending[tokenID] = usage
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
