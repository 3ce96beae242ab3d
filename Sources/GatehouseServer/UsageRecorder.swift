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
    /// Each token's use since the last flush, by token id: a request hashes one key.
    private let pending = Mutex<[String: Tally]>([:])

    public init() {}

    /// One token's use since the last flush. The address is kept as it came and formatted at
    /// the flush, and answers are counted by day and status class as numbers, so the request
    /// path does no string work.
    private struct Tally {
        var integrationID: String
        var count = 0
        var lastUsedAt = Date(timeIntervalSince1970: 0)
        var lastUsedAddress: SocketAddress?
        var lastUsedAgent: String?
        /// Answers per day and status class: one or two entries (a day boundary, an error).
        var answers: [Answers] = []

        struct Answers {
            var day: Int64
            /// ``DailyUsage/statusClass(_:)`` of the answer; ``DailyUsage/bucket(_:)`` names it at
            /// the flush.
            var status: Int
            var count: Int
        }

        mutating func record(at time: Date, day: Int64, status: Int, address: SocketAddress?, userAgent: String?) {
            count += 1
            lastUsedAt = time
            lastUsedAddress = address
            lastUsedAgent = userAgent
            add(count: 1, day: day, status: status)
        }

        mutating func add(count: Int, day: Int64, status: Int) {
            if let index = answers.firstIndex(where: { $0.day == day && $0.status == status }) {
                answers[index].count += count
            } else {
                answers.append(Answers(day: day, status: status, count: count))
            }
        }

        /// What the store keeps of this tally.
        func usage(tokenID: String) -> TokenUsage {
            TokenUsage(
                tokenID: tokenID,
                count: count,
                lastUsedAt: lastUsedAt,
                lastUsedIP: lastUsedAddress.map { $0.ipAddress ?? "unknown" },
                lastUsedAgent: lastUsedAgent
            )
        }

        /// Adds `older`, a tally taken before this one began whose write failed.
        mutating func absorb(_ older: Tally) {
            for entry in older.answers { add(count: entry.count, day: entry.day, status: entry.status) }
            count += older.count
            if lastUsedAt < older.lastUsedAt {
                lastUsedAt = older.lastUsedAt
                lastUsedAddress = older.lastUsedAddress
                lastUsedAgent = older.lastUsedAgent
            }
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
        let day = DailyUsage.day(of: time)
        let status = DailyUsage.statusClass(status)
        pending.withLock { pending in
            pending[tokenID, default: Tally(integrationID: integrationID)].record(
                at: time,
                day: day,
                status: status,
                address: address,
                userAgent: userAgent
            )
        }
    }

    /// Writes what was counted since the last flush; on failure it is kept for the next one.
    public func flush(to store: any Store) async throws {
        let batch = pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
        var days: [DailyUsage: Int] = [:]
        for tally in batch.values {
            for entry in tally.answers {
                let key = DailyUsage(
                    integrationID: tally.integrationID,
                    day: entry.day,
                    status: DailyUsage.bucket(entry.status),
                    count: 0
                )
                days[key, default: 0] += entry.count
            }
        }
        do {
            try await store.recordDailyUsage(
                days.map { key, count in
                    var entry = key
                    entry.count = count
                    return entry
                }
            )
        } catch {
            keep(batch)
            throw error
        }
        do {
            try await store.recordUsage(batch.map { $0.value.usage(tokenID: $0.key) })
        } catch {
            // The daily counts are written: keep only the tokens' use.
            keep(
                batch.mapValues { tally in
                    var usage = tally
                    usage.answers = []
                    return usage
                }
            )
            throw error
        }
    }

    /// Puts back a batch whose write failed, under what was counted since it was taken.
    private func keep(_ batch: [String: Tally]) {
        pending.withLock { pending in
            for (tokenID, older) in batch {
                if pending[tokenID] == nil {
                    pending[tokenID] = older
                } else {
                    pending[tokenID]?.absorb(older)
                }
            }
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
                // Woken by shutdown: the last flush, below, runs outside the cancelled task (a
                // flush inside it fails and logs a warning at every stop).
                do { try await Task.sleep(for: interval) } catch { break }
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
