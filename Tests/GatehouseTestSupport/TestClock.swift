import Foundation
import GatehouseCore
import Synchronization

/// The one clock the tests set by hand, so that expiry, grace windows and rate limits are tested
/// by jumping ahead rather than by sleeping (which a loaded machine makes unreliable).
///
/// Either it follows the real time (`TestClock(.system)`: a server under test whose other parts
/// read the system's time) or it stands still at an instant (`TestClock(frozenAt:)`: arithmetic
/// that must not drift while a slow machine runs the test). Either way, ``advance(by:)`` moves it
/// forward.
public final class TestClock: WallClock {
    /// What the clock starts from.
    public enum Start: Sendable {
        /// The system's real time, moving as it moves.
        case system
        /// This instant, moving only when the test moves it.
        case frozen(Date)
    }

    /// A fixed instant (2027-01-15 08:00 UTC, 1,800,000,000 s after 1970) for tests that want
    /// the same times on every run.
    public static let fixedInstant = Date(timeIntervalSince1970: 1_800_000_000)

    private let start: Start
    private let offset = Mutex<TimeInterval>(0)

    public init(_ start: Start) {
        self.start = start
    }

    /// A clock that stands still at `time` until the test moves it.
    public convenience init(frozenAt time: Date) {
        self.init(.frozen(time))
    }

    public func now() -> Date {
        let offset = offset.withLock { $0 }
        switch start {
        case .system: return Date().addingTimeInterval(offset)
        case .frozen(let time): return time.addingTimeInterval(offset)
        }
    }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: TimeInterval) {
        offset.withLock { $0 += seconds }
    }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        advance(by: Double(seconds) + Double(attoseconds) / 1e18)
    }
}
