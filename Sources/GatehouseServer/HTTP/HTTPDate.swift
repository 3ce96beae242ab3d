import Foundation
import Synchronization

/// The `Date` field's value (RFC 9110's IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) for
/// responses written without Hummingbird (``InlineAnswerHandler``, which keeps the current
/// second's value per connection and asks here once a second).
final class HTTPDate: Sendable {
    private let formatter: Mutex<DateFormatter>

    init() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        self.formatter = Mutex(formatter)
    }

    /// The value for the second `second` seconds after 1970.
    func value(atSecond second: Int) -> String {
        formatter.withLock { $0.string(from: Date(timeIntervalSince1970: TimeInterval(second))) }
    }
}
