import Foundation
import Synchronization

/// Keeps a client under its plan's rate, so a well-behaved client in steady state never meets a
/// 429: a token bucket (`rate` per second, `burst` at once) that a request waits on before it is
/// sent.
///
/// The presets are the seed's plans with a small margin (3 % slower, one less burst), because
/// the server measures arrival times and the network can bunch requests up.
public struct Pacing: Sendable, Equatable {
    public var requestsPerSecond: Double
    public var burst: Int

    public init(requestsPerSecond: Double, burst: Int) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = max(1, burst)
    }

    /// Paced to a plan of `requestsPerSecond` with `burst`, with the safety margin.
    public static func plan(requestsPerSecond: Double, burst: Int) -> Pacing {
        Pacing(requestsPerSecond: requestsPerSecond * 0.97, burst: max(1, burst - 1))
    }

    public static let free = plan(requestsPerSecond: 0.2, burst: 3)
    public static let pro = plan(requestsPerSecond: 1, burst: 5)
    public static let team = plan(requestsPerSecond: 2, burst: 10)
    public static let enterprise = plan(requestsPerSecond: 5, burst: 20)
}

/// The pacer's state: the theoretical arrival time of the next request (GCRA).
final class Pacer: Sendable {
    private let pacing: Pacing
    private let nextFree = Mutex<ContinuousClock.Instant?>(nil)

    init(_ pacing: Pacing) {
        self.pacing = pacing
    }

    /// Reserves a slot and returns how long to wait for it (zero when one is free now).
    func reserve(now: ContinuousClock.Instant = .now) -> Duration {
        let interval = Duration.seconds(1 / pacing.requestsPerSecond)
        let tolerance = interval * (pacing.burst - 1)
        return nextFree.withLock { tat in
            let current = max(tat ?? now, now)
            let allowedAt = current - tolerance
            tat = current + interval
            return allowedAt > now ? allowedAt - now : .zero
        }
    }
}
