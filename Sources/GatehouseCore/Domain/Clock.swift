import Foundation

/// Where the core reads the time: the system clock in production, a settable one in tests.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

extension Date {
    /// Milliseconds since 1970, the form times take in the store: whole milliseconds, rounded
    /// down. A date made with ``init(epochMilliseconds:)`` gives back exactly its milliseconds
    /// (the microsecond added absorbs the `Double` arithmetic's error, a fraction of that).
    public var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000 + 0.001).rounded(.down)) }

    /// The date `milliseconds` after 1970.
    public init(epochMilliseconds milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
