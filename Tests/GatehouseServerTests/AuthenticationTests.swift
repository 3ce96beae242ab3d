import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite(.timeLimit(.minutes(5))) struct AuthenticationTests {
    @Test func usersMeReturnsTheBotWithTheRequestIDInBodyAndHeader() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let result = try await client.call(.get, "/v1/users/me", token: world.token)
            #expect(result.status == 200)
            #expect(result.json["object"] as? String == "user")
            #expect(result.json["type"] as? String == "bot")
            #expect(result.json["id"] as? String == world.integration.botID)
            #expect(result.json["name"] as? String == "Robot")
            let bot = try #require(result.json["bot"] as? [String: Any])
            #expect(bot["workspace_id"] as? String == world.workspace.id)
            #expect(bot["workspace_name"] as? String == "Acme")
            #expect((bot["owner"] as? [String: Any])?["type"] as? String == "workspace")
            let requestID = try #require(result.json["request_id"] as? String)
            #expect(UUID(uuidString: requestID) != nil)
            #expect(result.headers[HTTPField.Name("x-notion-request-id")!] == requestID)
            #expect(result.headers[.contentType] == "application/json; charset=utf-8")
        }
    }

    @Test func aMissingVersionIs400MissingVersion() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let result = try await client.call(.get, "/v1/users/me", token: world.token, version: nil)
            #expect(result.status == 400)
            #expect(result.code == "missing_version")
            #expect(result.apiError?.object == "error")
            #expect(result.json["request_id"] as? String == result.headers[HTTPField.Name("x-notion-request-id")!])
        }
    }

    @Test(arguments: ["2024-01-01", "latest", "2022-06-28x", ""])
    func anUnknownVersionIsAValidationErrorNamingTheAcceptedOnes(version: String) async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let result = try await client.call(.get, "/v1/users/me", token: world.token, version: version)
            #expect(result.status == 400)
            #expect(result.code == "validation_error")
            #expect(result.message?.contains("\"2025-09-03\"") == true)
        }
    }

    @Test(arguments: NotionVersion.accepted)
    func everyAcceptedVersionWorks(version: String) async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let result = try await client.call(.get, "/v1/users/me", token: world.token, version: version)
            #expect(result.status == 200)
        }
    }

    @Test func everyKindOfBadCredentialGetsTheSame401() async throws {
        let world = try await TestWorld.make()
        var wrongChecksum = Array(world.token)
        wrongChecksum[wrongChecksum.count - 1] = wrongChecksum.last == "A" ? "B" : "A"
        let cases: [HTTPFields] = [
            [:],
            [.authorization: "Bearer"],
            [.authorization: "Bearer "],
            [.authorization: "Basic \(Data("a:b".utf8).base64EncodedString())"],
            [.authorization: world.token],
            [.authorization: "Bearer \(String(wrongChecksum))"],
            [.authorization: "Bearer \(TokenFormat.generate(.internalKey))"],
            [.authorization: "Bearer \(TokenFormat.generate(.oauthRefresh))"],
            [.authorization: "Bearer secret_abc123def456ghi789"],
            [.authorization: "Bearer \(world.token) trailing"],
            [.authorization: "Bearer " + String(repeating: "x", count: 10_000)],
        ]
        try await world.test(.router) { client in
            for headers in cases {
                let result = try await client.call(.get, "/v1/users/me", token: nil, headers: headers)
                #expect(result.status == 401)
                #expect(result.code == "unauthorized")
                #expect(result.message == "API token is invalid.")
            }
            var twice = HTTPFields()
            twice.append(HTTPField(name: .authorization, value: "Bearer \(world.token)"))
            twice.append(HTTPField(name: .authorization, value: "Bearer \(world.token)"))
            #expect(try await client.call(.get, "/v1/users/me", token: nil, headers: twice).status == 401)
            #expect(try await client.call(.get, "/v1/users/me", token: world.token.uppercased()).status == 401)
        }
    }

    @Test func theBearerSchemeIsCaseInsensitive() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            let result = try await client.call(
                .get,
                "/v1/users/me",
                token: nil,
                headers: [.authorization: "bearer \(world.token)"]
            )
            #expect(result.status == 200)
        }
    }

    /// With the store closed, only memory can answer: a known token still works (the cache), a
    /// token with a wrong checksum or an over-long one is still refused (no lookup was needed), and an unknown
    /// well-formed token needs the store (503, not a silent 401 or a 500).
    @Test func knownTokensAndMalformedTokensAreAnsweredWithoutTheStore() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
            await world.store.shutdown()
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
            let malformed = String(world.token.dropLast()) + (world.token.last == "x" ? "y" : "x")
            #expect(try await client.call(.get, "/v1/users/me", token: malformed).status == 401)
            // Longer than any token: refused before it is even hashed.
            let overlong = world.token + String(repeating: "a", count: 10_000)
            #expect(try await client.call(.get, "/v1/users/me", token: overlong).status == 401)
            let unknown = try await client.call(.get, "/v1/users/me", token: TokenFormat.generate(.internalKey))
            #expect(unknown.status == 503)
            #expect(unknown.code == "service_unavailable")
        }
    }

    /// The synchronous path the API tries first: it answers what memory can (a cached token, a
    /// malformed header) and leaves an uncached token to the store.
    @Test func theCacheAloneAnswersOnlyWhatItKnows() async throws {
        let world = try await TestWorld.make()
        let authorization = "Bearer \(world.token)"
        #expect(try world.authenticator.cachedPrincipal(authorization: authorization) == nil)
        let principal = try await world.authenticator.authenticateExplaining(authorization: authorization)
        #expect(try world.authenticator.cachedPrincipal(authorization: authorization) == principal)
        #expect(throws: AuthenticationFailure(.missing)) { try world.authenticator.cachedPrincipal(authorization: nil) }
        #expect(throws: AuthenticationFailure(.malformed)) {
            try world.authenticator.cachedPrincipal(authorization: "Basic \(world.token)")
        }
        let overlong = "Bearer " + world.token + String(repeating: "a", count: 10_000)
        #expect(throws: AuthenticationFailure(.malformed)) {
            try world.authenticator.cachedPrincipal(authorization: overlong)
        }
        await world.store.shutdown()
    }

    @Test func aRevokedTokenFailsAtOnceInTheSameProcess() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
            _ = try await world.admin.revokeTokens(integrationID: world.integration.id)
            let result = try await client.call(.get, "/v1/users/me", token: world.token)
            #expect(result.status == 401)
            #expect(result.message == "API token is invalid.")
        }
    }

    @Test func aDeletedIntegrationsTokenFailsAtOnce() async throws {
        let world = try await TestWorld.make()
        try await world.test(.router) { client in
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
            try await world.admin.deleteIntegration(world.integration.id)
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 401)
        }
    }

    /// Another handle on the same SQLite file (as the CLI is) revokes; the running server's change
    /// feed evicts the cached token well within a second.
    @Test func aRevocationByAnotherProcessReachesTheServerThroughTheChangeFeed() async throws {
        try await TimingGate.exclusive { try await measureRevocationByAnotherHandle() }
    }

    private func measureRevocationByAnotherHandle() async throws {
        let world = try await TestWorld.make()
        let other = try await SQLStore.open(.sqlite(path: world.path), logger: TestWorld.quietLogger)
        let otherAdmin = AdminOperations(store: other)
        try await world.test(.live) { client in
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
            let start = ContinuousClock.now
            _ = try await otherAdmin.revokeTokens(integrationID: world.integration.id)
            var status = 200
            while status == 200, ContinuousClock.now - start < .seconds(2) {
                status = try await client.call(.get, "/v1/users/me", token: world.token).status
                if status == 200 { try await Task.sleep(for: .milliseconds(5)) }
            }
            let elapsed = ContinuousClock.now - start
            print("revocation by another store handle took effect after \(elapsed)")
            #expect(status == 401)
            #expect(elapsed < .seconds(1))
        }
        await other.shutdown()
    }

    @Test func aRotatedKeyWorksUntilItsGracePeriodEnds() async throws {
        // The server's clock is moved past the grace period instead of sleeping through it, so a
        // loaded machine cannot end the grace period before the old key is tried.
        let clock = TestClock(.system)
        let world = try await TestWorld.make(clock: clock)
        try await world.test(.router) { client in
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
            let rotation = try await world.admin.rotateToken(integrationID: world.integration.id, grace: .seconds(60))
            #expect(rotation.token != world.token)
            #expect(try await client.call(.get, "/v1/users/me", token: rotation.token).status == 200)
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
            clock.advance(by: 61)
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 401)
            #expect(try await client.call(.get, "/v1/users/me", token: rotation.token).status == 200)

            let again = try await world.admin.rotateToken(integrationID: world.integration.id, grace: nil)
            #expect(again.oldTokensExpireAt == nil)
            #expect(try await client.call(.get, "/v1/users/me", token: rotation.token).status == 200)
            #expect(try await client.call(.get, "/v1/users/me", token: again.token).status == 200)
        }
    }

    @Test func lastUseAndRequestCountsReachTheStore() async throws {
        let world = try await TestWorld.make()
        let fastFlush: (inout ServerConfiguration) -> Void = { $0.usageFlushInterval = .milliseconds(50) }
        try await world.test(.live, configure: fastFlush) { client in
            for _ in 0..<3 {
                let result = try await client.call(
                    .get,
                    "/v1/users/me",
                    token: world.token,
                    headers: [.userAgent: "probe/2.0"]
                )
                #expect(result.status == 200)
            }
            let start = ContinuousClock.now
            var record = try await world.store.tokens(integrationID: world.integration.id).first
            while record?.useCount != 3, ContinuousClock.now - start < .seconds(5) {
                try await Task.sleep(for: .milliseconds(20))
                record = try await world.store.tokens(integrationID: world.integration.id).first
            }
            #expect(record?.useCount == 3)
            #expect(record?.lastUsedAgent == "probe/2.0")
            #expect(record?.lastUsedIP == "127.0.0.1")
            #expect(record?.lastUsedAt != nil)
        }
    }
}
