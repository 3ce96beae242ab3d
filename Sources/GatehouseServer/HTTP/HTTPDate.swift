import Foundation
import Synchronization

/// The `Date` field's value (RFC 9110's IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) for
/// responses written without Hummingbird (``InlineAnswerHandler``), formatted once per second.
final class HTTPDate: Sendable {
    private struct State {
        var second: Int
        var text: String
        let formatter: DateFormatter
    }

    private let state: Mutex<State>

    init() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let now = Date()
        state = Mutex(
            State(second: Int(now.timeIntervalSince1970), text: formatter.string(from: now), formatter: formatter)
        )
    }

    /// The current second's value.
    var now: String {
        let date = Date()
        let second = Int(date.timeIntervalSince1970)
        return state.withLock { state in
            if state.second != second {
                state.second = second
                state.text = state.formatter.string(from: date)
            }
            return state.text
        }
    }
}
