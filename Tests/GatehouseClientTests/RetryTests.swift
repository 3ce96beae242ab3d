import Foundation
import Testing

@testable import GatehouseClient

@Suite struct RetryTests {
    @Test func a429IsRetriedAfterRetryAfterForAnyMethod() async throws {
        let mock = MockTransport()
        mock.respond(
            to: "POST",
            path: "/v1/pages",
            status: 429,
            json: errorJSON(429, "rate_limited"),
            headers: ["Retry-After": "2"]
        )
        mock.respond(to: "POST", path: "/v1/pages", json: #"{"object":"page","id":"p2","properties":{}}"#)
        let sleeps = Sleeps()
        let page = try await makeClient(mock, sleeps: sleeps).createPage(inDatabase: "d1", title: "x")
        #expect(page.id == "p2")
        #expect(sleeps.all == [2])
        #expect(mock.calls.count == 2)
    }

    @Test func serverErrorsAreRetriedWithJitteredBackoffForIdempotentCallsOnly() async throws {
        let mock = MockTransport()
        mock.respond(to: "GET", path: "/v1/users/me", status: 502, json: errorJSON(502, "bad_gateway"))
        mock.respond(to: "GET", path: "/v1/users/me", status: 503, json: errorJSON(503, "service_unavailable"))
        mock.respond(to: "GET", path: "/v1/users/me", json: meJSON)
        let sleeps = Sleeps()
        _ = try await makeClient(mock, sleeps: sleeps).me()
        // Full jitter with random() = 0.5: half of 0.5 s × 2^(attempt-1).
        #expect(sleeps.all == [0.25, 0.5])

        let writes = MockTransport()
        writes.respond(to: "POST", path: "/v1/pages", status: 500, json: errorJSON(500, "internal_server_error"))
        let noSleeps = Sleeps()
        await #expect(throws: NotionError.self) {
            try await makeClient(writes, sleeps: noSleeps).createPage(inDatabase: "d1", title: "x")
        }
        #expect(writes.calls.count == 1)
        #expect(noSleeps.all.isEmpty)
    }

    @Test func attemptsAndTotalWaitAreCapped() async throws {
        let mock = MockTransport()
        mock.respond(to: "GET", path: "/v1/users/me", status: 500, json: errorJSON(500, "internal_server_error"))
        let sleeps = Sleeps()
        let error = try await #require(throws: NotionError.self) {
            try await makeClient(mock, sleeps: sleeps, retry: RetryPolicy(maxAttempts: 3)).me()
        }
        #expect(error.status == 500)
        #expect(mock.calls.count == 3)
        #expect(sleeps.all.count == 2)

        let slow = MockTransport()
        slow.respond(
            to: "GET",
            path: "/v1/users/me",
            status: 429,
            json: errorJSON(429, "rate_limited"),
            headers: ["Retry-After": "3600"]
        )
        let noWait = Sleeps()
        let refused = try await #require(throws: NotionError.self) { try await makeClient(slow, sleeps: noWait).me() }
        #expect(refused.retryAfter == 3600)
        #expect(noWait.all.isEmpty, "a wait past maxTotalWait is not started")
    }

    @Test func connectionFailuresAreRetriedAndCancellationStopsTheWait() async throws {
        struct Down: HTTPTransport {
            func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
                throw URLError(.cannotConnectToHost)
            }
        }
        let sleeps = Sleeps()
        let client = NotionClient(
            configuration: ClientConfiguration(token: "secret_x", retry: RetryPolicy(maxAttempts: 2)),
            transport: Down(),
            oauth: nil,
            sleep: { sleeps.record($0) },
            random: { 1 }
        )
        let error = try await #require(throws: NotionError.self) { try await client.me() }
        #expect(error.code == .transportFailure)
        #expect(sleeps.all == [0.5])

        let mock = MockTransport()
        mock.respond(
            to: "GET",
            path: "/v1/users/me",
            status: 429,
            json: errorJSON(429, "rate_limited"),
            headers: ["Retry-After": "30"]
        )
        let sleeping = NotionClient(configuration: ClientConfiguration(token: "secret_x"), transport: mock)
        let task = Task { try await sleeping.me() }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let start = ContinuousClock.now
        await #expect(throws: CancellationError.self) { try await task.value }
        // Without cancellation the wait is Retry-After's 30 s; the bound leaves room for a loaded
        // machine (a busy CI host has taken 16 s to schedule the cancelled task).
        #expect(ContinuousClock.now - start < .seconds(25))
    }

    @Test func retryAfterReadsSecondsAndHTTPDates() {
        #expect(RetryPolicy.parseRetryAfter("7") == 7)
        let date = Date().addingTimeInterval(30)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let seconds = RetryPolicy.parseRetryAfter(formatter.string(from: date)) ?? 0
        #expect(seconds > 25 && seconds <= 30)
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
    }
}
