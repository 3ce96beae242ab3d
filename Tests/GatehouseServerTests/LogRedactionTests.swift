import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite struct LogRedactionTests {
    @Test func theLogHandlerRedactsMessagesAndSensitiveMetadata() {
        let capture = LogCapture()
        let logger = capture.logger()
        let token = TokenFormat.generate(.internalKey)
        logger.info(
            "calling with \(token)",
            metadata: [
                "password": "correct horse battery", "authorization": "Bearer \(token)", "note": "key \(token) leaked",
                "client_secret": "s3cr3t-value", "status": "200",
            ]
        )
        let line = capture.all.joined(separator: "\n")
        #expect(!line.contains(token))
        #expect(!line.contains(token.dropFirst(7).prefix(12)))
        #expect(!line.contains("correct horse"))
        #expect(!line.contains("s3cr3t-value"))
        #expect(line.contains("status=200"))
        #expect(line.contains("secret_[REDACTED]"))
    }

    /// Every request the server logs, however the token travels (header, path, body), leaves no
    /// trace of it in the log.
    @Test func serverLogsNeverContainTheToken() async throws {
        let world = try await TestWorld.make()
        let capture = LogCapture()
        try await world.test(.router, logger: capture.logger()) { client in
            _ = try await client.call(.get, "/v1/users/me", token: world.token)
            _ = try await client.call(.get, "/v1/pages/\(world.token)", token: world.token)
            _ = try await client.call(.get, "/v1/\(world.token)", token: nil)
            _ = try await client.call(.post, "/v1/search", token: world.token, body: #"{"query":"\#(world.token)"}"#)
            _ = try await client.call(.get, "/v1/users/me", token: world.token + "x")
        }
        let lines = capture.all
        #expect(lines.count >= 5)
        for line in lines {
            #expect(!line.contains(world.token.dropFirst(7).prefix(12)), "\(line)")
        }
    }

    @Test func failedAuthenticationsAreAuditedWithTheHintOnly() async throws {
        let world = try await TestWorld.make()
        let wrong = TokenFormat.generate(.internalKey)
        try await world.test(.live) { client in
            let result = try await client.call(
                .get,
                "/v1/users/me",
                token: wrong,
                headers: [.userAgent: "probe/1.0"]
            )
            #expect(result.status == 401)
        }
        let store = try await SQLStore.open(.sqlite(path: world.path), logger: TestWorld.quietLogger)
        let failures = try await store.events(since: nil, limit: 1_000).filter { $0.action == "auth.failed" }
        await store.shutdown()
        let event = try #require(failures.first)
        #expect(event.outcome == "failure")
        #expect(event.details["hint"] == "secret_…" + wrong.suffix(4))
        #expect(event.userAgent == "probe/1.0")
        #expect(event.ip != nil && event.requestID != nil)
        #expect(!event.detailsJSON.contains(wrong.dropFirst(7).prefix(12)))
    }
}
