import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// The server's Prometheus metrics, recorded through the swift-metrics API into a registry of
/// its own (no process-wide bootstrap, so several servers in one process keep separate counts).
///
/// - `gatehouse_http_requests_total{route,method,status}`
/// - `gatehouse_http_request_duration_seconds{route,method}` (histogram)
/// - `gatehouse_authentication_failures_total{reason}`
/// - `gatehouse_rate_limited_total{reason}`
/// - `gatehouse_webhook_attempts_total{outcome}`: webhook requests made (`delivered`, `failed`)
///   or not made because the URL's addresses are not allowed (`refused`)
/// - `gatehouse_answered_from_memory_total{route}`: requests of `/forward-auth` and `/verify`
///   answered ahead of the router from memory alone (``InlineAnswerHandler``); the others of these
///   routes needed the store, the audit log or an error only the router gives
///
/// Routes are the matched patterns (`/v1/pages/{page_id}`), never raw paths, so label values
/// stay few and never carry ids or secrets.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    /// The request metrics already made, by route, method and status: making one looks it up in
    /// the registry and validates its name, too slow for every request.
    private let requestMetrics = Mutex<[RequestKey: (count: CoreMetrics.Counter, duration: CoreMetrics.Timer)]>([:])

    private struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        ]
        self.factory = factory
    }

    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        let key = RequestKey(route: route, method: method, status: status)
        let metrics =
            requestMetrics.withLock { $0[key] }
            ?? requestMetrics.withLock { made in
                let metrics = (
                    count: CoreMetrics.Counter(
                        label: "gatehouse_http_requests_total",
                        dimensions: [("route", route), ("method", method), ("status", String(status))],
                        factory: factory
                    ),
                    duration: CoreMetrics.Timer(
                        label: "gatehouse_http_request_duration_seconds",
                        dimensions: [("route", route), ("method", method)],
                        factory: factory
                    )
                )
                made[key] = metrics
                return metrics
            }
        metrics.count.increment()
        metrics.duration.recordNanoseconds(duration.nanoseconds)
    }

    /// Pre-made, by route: there are two.
    private let answeredFromMemory = Mutex<[String: CoreMetrics.Counter]>([:])

    func recordAnsweredFromMemory(route: String) {
        let counter =
            answeredFromMemory.withLock { $0[route] }
            ?? answeredFromMemory.withLock { made in
                let counter = CoreMetrics.Counter(
                    label: "gatehouse_answered_from_memory_total",
                    dimensions: [("route", route)],
                    factory: factory
                )
                made[route] = counter
                return counter
            }
        counter.increment()
    }

    func recordAuthenticationFailure(reason: String) {
        Counter(label: "gatehouse_authentication_failures_total", dimensions: [("reason", reason)], factory: factory)
            .increment()
    }

    func recordRateLimited(reason: String) {
        Counter(label: "gatehouse_rate_limited_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    func recordWebhookAttempt(outcome: String) {
        Counter(label: "gatehouse_webhook_attempts_total", dimensions: [("outcome", outcome)], factory: factory)
            .increment()
    }

    /// The Prometheus text exposition format.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}

extension Duration {
    /// The whole nanoseconds of this duration (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
