import Foundation
import GatehouseCore
import GatehouseStore
import Testing

/// The OAuth writes whose atomicity the security rules rest on, on each engine, raced from two
/// store handles as two nodes would.
@Suite(.timeLimit(.minutes(1))) struct OAuthStoreTests {
    @Test(arguments: StoreEngine.available)
    func aCodeIsConsumedExactlyOnceUnderARace(engine: StoreEngine) async throws {
        let path = StoreEngine.temporarySQLitePath()
        let first = try await engine.open(sqlitePath: path)
        let second = try await engine.open(sqlitePath: path)
        let (app, person) = try await Fixtures.seedApp(first)
        let stored = try #require(try await first.integration(clientID: app.oauthClient!.clientID))
        #expect(stored.oauthClient == app.oauthClient)
        let (_, code) = Fixtures.authorizationCode(
            for: app,
            person: person,
            expiresAt: Fixtures.now.addingTimeInterval(600)
        )
        try await first.createAuthorizationCode(code)
        let outcomes = try await withThrowingTaskGroup(of: Bool?.self) { group in
            for index in 0..<6 {
                let store = index.isMultiple(of: 2) ? first : second
                group.addTask { try await store.consumeAuthorizationCode(digest: code.digest, at: Date())?.firstUse }
            }
            return try await group.reduce(into: [Bool?]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == true }.count == 1)
        #expect(outcomes.filter { $0 == false }.count == 5)
        let consumed = try #require(try await first.consumeAuthorizationCode(digest: code.digest, at: Date()))
        #expect(consumed.0.resources == code.resources)
        #expect(consumed.0.redirectURI == "https://a.example/cb")
        #expect(try await first.consumeAuthorizationCode(digest: TokenDigest(of: "nac_none"), at: Date()) == nil)
        await first.shutdown()
        await second.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func installingTwiceReusesTheInstallationAndReplacesItsShares(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (app, person) = try await Fixtures.seedApp(store)
        func candidate() -> Integration {
            var installation = Fixtures.integration(
                in: Workspace(id: person.workspaceID, name: "", plan: .free, createdAt: Fixtures.now)
            )
            installation.kind = .public
            installation.installation = Installation(appID: app.id, ownerUserID: person.id, owner: .user)
            return installation
        }
        let firstShare = SharedResource(type: "database", id: Fixtures.id())
        let secondShare = SharedResource(type: "page", id: Fixtures.id())
        let installed = try await store.install(candidate(), resources: [firstShare], tokens: [], at: Fixtures.now)
        let again = try await store.install(candidate(), resources: [secondShare], tokens: [], at: Fixtures.now)
        #expect(again.id == installed.id)
        #expect(again.botID == installed.botID)
        #expect(try await store.shares(integrationID: installed.id) == [secondShare.id])
        // Deleting the public integration takes its installations with it.
        #expect(try await store.deleteIntegration(id: app.id, at: Fixtures.now))
        #expect(try await store.integration(id: installed.id) == nil)
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func aRefreshTokenRotatesOnceUnderARace(engine: StoreEngine) async throws {
        let path = StoreEngine.temporarySQLitePath()
        let first = try await engine.open(sqlitePath: path)
        let second = try await engine.open(sqlitePath: path)
        let (workspace, integration, _, _) = try await Fixtures.seed(first)
        _ = workspace
        var refresh = Fixtures.token(for: integration).1
        refresh.kind = .oauthRefresh
        refresh.grantID = Fixtures.id()
        _ = try await first.rotate(to: refresh, oldTokensExpireAt: nil, at: Fixtures.now)
        let presented = refresh
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<6 {
                let store = index.isMultiple(of: 2) ? first : second
                group.addTask {
                    var successor = Fixtures.token(for: integration).1
                    successor.grantID = presented.grantID
                    let outcome = try await store.rotateRefreshToken(
                        id: presented.id,
                        successors: [successor],
                        sealedSuccessor: "box-\(index)",
                        usedFrom: "127.0.0.1",
                        at: Date()
                    )
                    if case .rotated = outcome { return true }
                    return false
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        let box = try #require(try await first.refreshSuccessor(tokenID: refresh.id))
        #expect(box.hasPrefix("box-"))
        // The grant's tokens: the refresh token and the one successor; revoking the grant takes both.
        let revoked = try await first.revokeGrant(id: refresh.grantID!, at: Date())
        #expect(revoked.count == 2)
        await first.shutdown()
        await second.shutdown()
    }

    /// Concurrent redemptions are written in batches: each code is granted exactly once however
    /// requests are grouped, a second presentation of a code is a replay, an unknown code is
    /// nil, one person's grants of one app share one installation, and the audit chain holds.
    @Test(arguments: StoreEngine.available)
    func concurrentRedemptionsAreBatchedWithoutChangingTheRules(engine: StoreEngine) async throws {
        let path = StoreEngine.temporarySQLitePath()
        let first = try await engine.open(sqlitePath: path)
        let second = try await engine.open(sqlitePath: path)
        let (app, person) = try await Fixtures.seedApp(first)
        var codes: [AuthorizationCode] = []
        for _ in 0..<8 {
            let (_, code) = Fixtures.authorizationCode(
                for: app,
                person: person,
                expiresAt: Fixtures.now.addingTimeInterval(600)
            )
            try await first.createAuthorizationCode(code)
            codes.append(code)
        }
        let presented = codes.map(\.digest) + codes.map(\.digest) + [TokenDigest(of: "nac_unknown")]
        /// One token request's terms, each with a token of its own.
        func exchange() -> CodeExchange {
            var token = Fixtures.token(for: app).1
            token.kind = .oauthBot
            return CodeExchange(
                app: app,
                redirectURI: "https://a.example/cb",
                codeVerifier: nil,
                now: Fixtures.now,
                installationID: Fixtures.id(),
                botID: Fixtures.id(),
                tokens: [token],
                event: AuditEvent(time: Fixtures.now, actor: "client:test", action: "oauth.token_issued")
            )
        }
        let outcomes = try await withThrowingTaskGroup(of: CodeRedemption?.self) { group in
            for (index, digest) in presented.enumerated() {
                let store = index.isMultiple(of: 3) ? second : first
                let exchange = exchange()
                group.addTask {
                    try await store.redeemAuthorizationCode(digest: digest, exchange: exchange)
                }
            }
            return try await group.reduce(into: [CodeRedemption?]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == nil }.count == 1)
        let granted = outcomes.compactMap { $0 }.filter(\.firstUse)
        #expect(granted.count == codes.count)
        #expect(Set(granted.map(\.code.id)) == Set(codes.map(\.id)))
        #expect(outcomes.compactMap { $0 }.filter { !$0.firstUse && $0.installation == nil }.count == codes.count)
        let installations = Set(granted.compactMap(\.installation?.id))
        #expect(installations.count == 1)
        let installation = try #require(installations.first)
        #expect(try await first.tokens(integrationID: installation).count == codes.count)
        // Re-authorizing replaces the shares: one grant's resource is left, whichever came last.
        let shares = try await first.shares(integrationID: installation)
        #expect(shares.count == 1)
        #expect(codes.contains { $0.resources.map(\.id) == Array(shares) })
        let events = try await first.events(since: nil, limit: 1_000_000)
        #expect(events.filter { $0.action == "oauth.token_issued" && $0.target == installation }.count == codes.count)
        #expect(AuditChain.verify(events) == .intact(events: events.count))
        await first.shutdown()
        await second.shutdown()
    }
}
