/// The generic cell rate algorithm: an exact rate limiter whose whole state per key is one
/// number, the theoretical arrival time (TAT) of the next request.
///
/// With emission interval `T = 1 / rate` and tolerance `τ = burst × T`, a request at `t` is
/// admitted when `max(TAT, t) + T − t ≤ τ`, and then `TAT = max(TAT, t) + T`. Over any window `W`
/// at most `rate × W + burst` requests are admitted, and a client that sends exactly every `T`
/// is never refused. Times are nanoseconds on any monotonic or wall clock the caller chooses.
public struct GCRA: Sendable, Equatable {
    /// Nanoseconds between requests at the sustained rate.
    public let emissionInterval: Int64
    /// Nanoseconds of credit: `burst × emissionInterval`.
    public let tolerance: Int64

    public init(requestsPerSecond: Double, burst: Int) {
        let interval = Int64((1e9 / requestsPerSecond).rounded(.up))
        self.emissionInterval = max(1, interval)
        self.tolerance = Int64(max(1, burst)) * self.emissionInterval
    }

    /// What happened to one request.
    public enum Decision: Sendable, Equatable {
        /// Admitted; `remaining` more could be admitted at this instant, and the bucket is full
        /// again after `resetAfter` nanoseconds.
        case allowed(remaining: Int, resetAfter: Int64)
        /// Refused; a request sent `retryAfter` nanoseconds from now would be admitted.
        case limited(retryAfter: Int64)
    }

    /// Decides a request at `now` against the stored `tat` (0 for a key never seen), returning
    /// the decision and the TAT to store (unchanged when refused).
    public func decide(now: Int64, tat: Int64) -> (Decision, newTAT: Int64) {
        let start = max(tat, now)
        let next = start + emissionInterval
        let debt = next - now
        guard debt <= tolerance else {
            return (.limited(retryAfter: debt - tolerance), tat)
        }
        let remaining = Int((tolerance - debt) / emissionInterval)
        return (.allowed(remaining: remaining, resetAfter: debt), next)
    }
}
