import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /verify`: a service asks about a token with a verifier key of its own.
@Suite(.timeLimit(.minutes(1))) struct VerifyAPITests {
    static func verify(
        _ client: some TestClientProtocol,
        key: String?,
        body: String
    ) async throws -> APIResult {
        try await client.call(.post, "/verify", token: key, version: nil, body: body)
    }

    @Test(arguments: ServerPath.allCases) func aVerifierLearnsWhomATokenIdentifiesItsScopesAndItsLimit(
        path server: ServerPath
    ) async throws {
        let world = try await TestWorld.make()
        _ = try await world.admin.setScopes(try Scopes(["orders:read"]), integrationID: world.integration.id)
        let (service, _) = try await world.otherIntegration(capabilities: Capabilities(content: [], userInfo: .none))
        let (key, _) = try await world.admin.createVerifierKey(integrationID: service.id)
        #expect(key.hasPrefix("gvk_"))
        try await world.test(server.setup) { client in
            let valid = try await Self.verify(
                client,
                key: key,
                body: #"{"token": "\#(world.token)", "scopes": ["orders:read"]}"#
            )
            #expect(valid.status == 200)
            #expect(valid.json["valid"] as? Bool == true)
            #expect(valid.json["integration_id"] as? String == world.integration.id)
            #expect(valid.json["workspace_id"] as? String == world.workspace.id)
            #expect(valid.json["scopes"] as? [String] == ["orders:read"])
            #expect((valid.json["rate_limit"] as? [String: Any])?["limited"] as? Bool == false)

            let missingScope = try await Self.verify(
                client,
                key: key,
                body: #"{"token": "\#(world.token)", "scopes": ["orders:write"]}"#
            )
            #expect(missingScope.json["valid"] as? Bool == false)
            #expect(missingScope.json["code"] as? String == "restricted_resource")

            let unknown = try await Self.verify(
                client,
                key: key,
                body: #"{"token": "secret_\#(String(repeating: "x", count: 46))"}"#
            )
            #expect(unknown.status == 200)
            #expect(unknown.json["valid"] as? Bool == false)
            #expect(unknown.json["code"] as? String == "unauthorized")

            let badBody = try await Self.verify(client, key: key, body: #"{"scopes": "orders:read"}"#)
            #expect(badBody.status == 400)
            #expect(badBody.code == "validation_error")
            #expect(badBody.message?.contains("body.scopes") == true)
            for (text, code) in [
                (#"{"token": 42}"#, "validation_error"), (#"["token"]"#, "validation_error"),
                (#"{"token": "#, "invalid_json"), (#"{"token": "x", "scopes": ["a", 7]}"#, "validation_error"),
            ] {
                let refused = try await Self.verify(client, key: key, body: text)
                #expect(refused.status == 400, "\(text)")
                #expect(refused.code == code, "\(text)")
            }
            let answered = try await ServerPath.answeredFromMemory(client, route: "/verify")
            if server == .live { #expect(answered >= 1) }
        }
    }

    @Test func onlyAVerifierKeyMayAskAndAVerifierKeyIsNoBearerToken() async throws {
        let world = try await TestWorld.make()
        let (key, record) = try await world.admin.createVerifierKey(integrationID: world.integration.id)
        try await world.test(.router) { client in
            let body = #"{"token": "\#(world.token)"}"#
            #expect(try await Self.verify(client, key: nil, body: body).status == 401)
            // An API key cannot ask about other tokens (no oracle for clients).
            #expect(try await Self.verify(client, key: world.token, body: body).status == 401)
            // A verifier key is not accepted by the API.
            #expect(try await client.call(.get, "/v1/users/me", token: key).status == 401)
            #expect(try await Self.verify(client, key: key, body: body).status == 200)
            // Revoked: refused at once.
            _ = try await world.admin.revokeToken(id: record.id)
            #expect(try await Self.verify(client, key: key, body: body).status == 401)
        }
    }

    @Test func rotatingAnAPIKeyLeavesTheIntegrationsVerifierKeysAlone() async throws {
        let world = try await TestWorld.make()
        let (_, verifier) = try await world.admin.createVerifierKey(integrationID: world.integration.id)
        _ = try await world.admin.rotateToken(integrationID: world.integration.id, grace: .zero)
        let stored = try #require(try await world.store.token(id: verifier.id))
        #expect(stored.expiresAt == nil)
        await world.store.shutdown()
    }
}
