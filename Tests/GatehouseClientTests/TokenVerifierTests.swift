import Foundation
import Testing

@testable import GatehouseClient

@Suite struct TokenVerifierTests {
    static let validJSON = #"""
        {"object":"verification","valid":true,"integration_id":"i1","bot_id":"b1","workspace_id":"w1","user_id":null,
         "scopes":["orders:read"],"plan":"pro","rate_limit":{"limited":false,"limit":5,"remaining":2,"reset_seconds":1,
         "retry_after_seconds":null,"daily_remaining":null},"request_id":"r"}
        """#

    @Test func aValidAnswerIsReusedOnlyWithinItsLifetimeAndItsRemainingPermits() async throws {
        let mock = MockTransport()
        mock.respond(to: "POST", path: "/verify", json: Self.validJSON)
        let verifier = TokenVerifier(
            baseURL: URL(string: "http://gatehouse.test")!,
            verifierKey: "gvk_test",
            cacheLifetime: .milliseconds(300),
            transport: mock
        )
        for _ in 0..<4 {
            let answer = try await verifier.verify(token: "secret_a", scopes: ["orders:read"])
            #expect(answer.valid)
            #expect(answer.integrationId == "i1")
        }
        // One ask, two reuses (the two permits left), then a second ask.
        #expect(mock.calls.count == 2)
        #expect(mock.calls.first?.authorization == "Bearer [REDACTED]")
        let body = try JSONSerialization.jsonObject(with: mock.calls.first?.body ?? Data()) as? [String: Any]
        #expect(body?["token"] as? String == "secret_a")
        try await Task.sleep(for: .milliseconds(400))
        _ = try await verifier.verify(token: "secret_a", scopes: ["orders:read"])
        #expect(mock.calls.count == 3)
        // Another scope set is another question.
        _ = try await verifier.verify(token: "secret_a", scopes: [])
        #expect(mock.calls.count == 4)
    }

    @Test func aRefusedVerifierKeyIsAnError() async throws {
        let mock = MockTransport()
        mock.respond(to: "POST", path: "/verify", status: 401, json: errorJSON(401, "unauthorized"))
        let verifier = TokenVerifier(
            baseURL: URL(string: "http://gatehouse.test")!,
            verifierKey: "gvk_x",
            transport: mock
        )
        let error = try await #require(throws: NotionError.self) { try await verifier.verify(token: "secret_a") }
        #expect(error.status == 401)
    }
}
