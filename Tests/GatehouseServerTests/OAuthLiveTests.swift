import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The happy path over a real socket, and what it must never leave behind in plaintext.
@Suite(.timeLimit(.minutes(1))) struct OAuthLiveTests {
    @Test func theWholeFlowWorksOverRealHTTPAndLeavesNoSecretAnywhere() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let logs = LogCapture()
        let secrets = try await world.test(.live, logger: logs.logger(level: .trace)) { client in
            let session = try requireValue(try await flow.signIn(client), "session")
            let redirect = try await flow.authorize(client)
            let code = try requireValue(redirect["code"], "code")
            let body = OAuthFlow.codeExchange(code)
            let granted = try await flow.token(client, body)
            #expect(granted.status == 200)
            let access = try #require(granted.tokenResponse?.accessToken)
            let refresh = try #require(granted.tokenResponse?.refreshToken)
            #expect(try await client.call(.get, "/v1/users/me", token: access).status == 200)
            let refreshed = try await flow.token(client, ["grant_type": "refresh_token", "refresh_token": refresh])
            let newRefresh = try #require(refreshed.tokenResponse?.refreshToken)
            // Failures that echo input: a replayed code, a bad secret, a bad token.
            let replay = try await flow.token(client, body)
            let badSecret = try await flow.token(client, body, secret: .some(flow.clientSecret! + "x"))
            _ = try await client.call(.get, "/v1/users/me", token: access + "x")
            for failure in [replay, badSecret] {
                #expect(!failure.text.contains(code))
                #expect(!failure.text.contains(flow.clientSecret!))
            }
            _ = try await flow.token(client, ["token": newRefresh], endpoint: "revoke")
            return [code, access, refresh, newRefresh, flow.clientSecret!, session, OAuthFlow.password]
        }
        let events = try await SQLStore.open(.sqlite(path: world.path), logger: TestWorld.quietLogger)
        let audit = try await events.events(since: nil, limit: 10_000)
        await events.shutdown()
        #expect(audit.contains { $0.action == "oauth.token_issued" })
        #expect(audit.contains { $0.action == "oauth.code_replayed" })
        #expect(audit.contains { $0.action == "oauth.token_refreshed" })
        let auditText = audit.map { "\($0.details) \($0.target ?? "") \($0.actor)" }.joined(separator: "\n")
        let logText = logs.all.joined(separator: "\n")
        var files = Data()
        for suffix in ["", "-wal", "-shm"] {
            files += (try? Data(contentsOf: URL(fileURLWithPath: world.path + suffix))) ?? Data()
        }
        for secret in secrets {
            #expect(!logText.contains(secret))
            #expect(!auditText.contains(secret))
            #expect(files.range(of: Data(secret.utf8)) == nil, "a secret is in the store's files in plaintext")
        }
        #expect(logText.contains("/v1/oauth/token"))
    }
}
