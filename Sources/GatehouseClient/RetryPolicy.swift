import Foundation

/// When and how long the client retries.
///
/// - A 429 is retried for every method after the server's `Retry-After`.
/// - A 5xx (and 529) or a connection failure is retried only for idempotent calls (GET, DELETE,
///   and the read-only POSTs `search`, `databases/{id}/query` and `data_sources/{id}/query`),
///   after an exponential backoff with full jitter: a random wait in
///   `0 ... min(maxDelay, baseDelay × 2^attempt)`.
/// - At most ``maxAttempts`` attempts in all, and never more than ``maxTotalWait`` seconds of
///   waiting: a wait that would pass it is not started, and the last error is thrown instead.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    public var maxTotalWait: Double

    public init(maxAttempts: Int = 4, baseDelay: Double = 0.5, maxDelay: Double = 20, maxTotalWait: Double = 60) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxTotalWait = maxTotalWait
    }

    /// No retries at all.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` after `error`, or `nil` when it should not be retried.
    /// `random` returns a value in `0..<1` (injectable for tests).
    func delay(after error: NotionError, attempt: Int, idempotent: Bool, random: () -> Double) -> Double? {
        guard attempt < maxAttempts else { return nil }
        if error.status == 429 || error.code == .rateLimited {
            return error.retryAfter ?? backoff(attempt: attempt, random: random)
        }
        guard idempotent else { return nil }
        let retryable =
            error.code == .transportFailure || error.status.map { $0 >= 500 && $0 != 501 && $0 != 505 } ?? false
        guard retryable else { return nil }
        if error.status == 503, let retryAfter = error.retryAfter { return retryAfter }
        return backoff(attempt: attempt, random: random)
    }

    /// Full jitter: uniform in `0 ... min(maxDelay, baseDelay × 2^(attempt-1))`.
    func backoff(attempt: Int, random: () -> Double) -> Double {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        return ceiling * random()
    }

    /// `Retry-After` as delta-seconds or an HTTP-date, in seconds from now.
    static func parseRetryAfter(_ value: String) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: trimmed).map { max(0, $0.timeIntervalSinceNow) }
    }
}
