import Foundation
import GatehouseCore
import HTTPTypes
import NIOCore
import Testing

@testable import GatehouseServer

/// How `POST /verify` reads a question and writes a valid answer, without a server.
@Suite struct VerifyAnswerTests {
    static func principal(owner: BotOwner = .workspace) throws -> Principal {
        Principal(
            tokenID: "t1",
            tokenKind: .internalKey,
            expiresAt: nil,
            integrationID: "i1",
            integrationName: "Orders \"bot\"",
            integrationKind: .internal,
            botID: "b1",
            capabilities: Capabilities(content: [.readContent], userInfo: .none),
            workspaceID: "w1",
            workspaceName: "Acme",
            workspaceIcon: nil,
            plan: .free,
            owner: owner,
            scopes: try Scopes(["orders:read", "orders:write"])
        )
    }

    static func outcome() -> RateLimitOutcome {
        let plan = RatePlan(requestsPerSecond: 3, burst: 10, dailyQuota: nil)
        return plan.outcome(admitted: true, state: RateLimitState(), at: RateLimitInstant(Date()))
    }

    static func members(_ answer: PreparedAnswer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
    }

    @Test func aValidAnswerIsTheIdentityMadeOnceThenTheLimitAndTheRequestID() throws {
        let principal = try Self.principal(owner: .user(id: "u1", name: "Ada", email: "ada@example.com"))
        let first = VerifyController.answer(principal, Self.outcome(), requestID: "r1")
        // The identity is kept on the principal: a second answer does not make it again.
        let kept = principal.verificationIdentity { _ in
            Issue.record("made twice")
            return []
        }
        #expect(first.body.starts(with: kept))
        let second = VerifyController.answer(principal, Self.outcome(), requestID: "r2")
        #expect(second.body.starts(with: kept))

        // The bytes are those of the whole object serialized at once, members in this order.
        let outcome = Self.outcome()
        let whole = JSONValue.object([
            ("object", "verification"), ("valid", .bool(true)), ("integration_id", "i1"), ("bot_id", "b1"),
            ("workspace_id", "w1"), ("user_id", "u1"), ("scopes", .array(["orders:read", "orders:write"])),
            ("plan", "free"), ("rate_limit", VerifyController.rateLimit(outcome)), ("request_id", "r2"),
        ])
        #expect(second.body == whole.serializedBytes())
        let members = try Self.members(second)
        #expect(members["request_id"] as? String == "r2")
        #expect((members["rate_limit"] as? [String: Any])?["limit"] as? Int == 10)
        #expect(second.status == .ok)
        #expect(second.headers[.contentType] == JSONResponse.contentType)

        // A token of the workspace's own integration names no user.
        let workspaceOwned = try Self.members(
            VerifyController.answer(try Self.principal(), outcome, requestID: "r3")
        )
        #expect(workspaceOwned["user_id"] is NSNull)
        #expect(workspaceOwned["valid"] as? Bool == true)
    }

    @Test func aQuestionIsReadFromItsMembersAndAWrongOneIsNamed() throws {
        func question(_ text: String) throws(APIError) -> VerifyController.Question {
            try VerifyController.question(in: ByteBuffer(string: text))
        }
        let asked = try question(#"{"token": "secret_x", "scopes": ["orders:read"], "client_ip": "203.0.113.9"}"#)
        #expect(asked.token == "secret_x")
        #expect(asked.required == (try Scopes(["orders:read"])))
        #expect(asked.clientAddress?.ipAddress == "203.0.113.9")
        let bare = try question(#"{"token": "secret_x", "scopes": null, "client_ip": null}"#)
        #expect(bare.required == Scopes())
        #expect(bare.clientAddress == nil)

        for (text, named) in [
            (#"{"token": 42}"#, "body.token"), (#"{}"#, "body.token"), (#"{"token": null}"#, "body.token"),
            (#"{"scopes": "orders:read"}"#, "body.scopes"), (#"{"token": "x", "scopes": ["a", 7]}"#, "body.scopes"),
            (#"{"token": "x", "scopes": ["Not a scope"]}"#, "body.scopes"),
            (#"{"token": "x", "client_ip": "localhost"}"#, "body.client_ip"),
            (#"{"token": "x", "client_ip": 7}"#, "body.client_ip"), (#"["token"]"#, "body should be an object"),
        ] {
            do {
                _ = try question(text)
                Issue.record("\(text) was read")
            } catch {
                #expect(error.code == "validation_error", "\(text)")
                #expect(error.message.contains(named), "\(text): \(error.message)")
            }
        }
        for text in [#"{"token": "#, #"{"token": "x",}"#, "token"] {
            do {
                _ = try question(text)
                Issue.record("\(text) was read")
            } catch {
                #expect(error.code == "invalid_json", "\(text)")
            }
        }
    }
}
