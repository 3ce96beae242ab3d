import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct ConsoleAPITests {
    @Test func ownersSeeEveryCredentialsLastUseAndRotationFlag() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let tokens = try await world.store.tokens(integrationID: world.integration.id)
        try await world.store.recordUsage([
            TokenUsage(
                tokenID: tokens[0].id,
                count: 7,
                lastUsedAt: Date(),
                lastUsedIP: "203.0.113.9",
                lastUsedAgent: "notion-sdk-py"
            )
        ])
        let policy: (inout ServerConfiguration) -> Void = { $0.rotationPolicyDays = 0 }
        try await world.test(.router, configure: policy) { client in
            let anonymous = try await client.call(.get, "/console/api/integrations", token: nil, version: nil)
            #expect(anonymous.status == 401)
            let session = try requireValue(try await flow.signIn(client), "session")
            let listed = try await client.execute(
                uri: "/console/api/integrations",
                method: .get,
                headers: [.cookie: "\(OAuthFlow.sessionCookie)=\(session)"]
            ) { response in
                (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))) as? [String: Any]
            }
            let results = try #require(listed?["results"] as? [[String: Any]])
            let robot = try #require(results.first { $0["id"] as? String == world.integration.id })
            #expect(robot["request_count"] as? Int == 7)
            let token = try #require((robot["tokens"] as? [[String: Any]])?.first)
            #expect(token["last_used_ip"] as? String == "203.0.113.9")
            #expect(token["last_used_user_agent"] as? String == "notion-sdk-py")
            #expect(token["use_count"] as? Int == 7)
            #expect(token["rotation_due"] as? Bool == true)
            #expect((token["hint"] as? String)?.hasPrefix("secret_…") == true)
            let app = try #require(results.first { $0["id"] as? String == flow.app.id })
            #expect(app["client_id"] as? String == flow.clientID)
            #expect(!String(describing: listed).contains(world.token))
        }
    }
}
