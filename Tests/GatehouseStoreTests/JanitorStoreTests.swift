import Foundation
import GatehouseCore
import SQLKit
import Testing

@testable import GatehouseStore

/// Serialized: a purge is global, so two purging tests at once on the shared PostgreSQL database
/// would delete each other's fixtures.
@Suite(.serialized, .timeLimit(.minutes(1))) struct JanitorStoreTests {
    /// Revoked and expired tokens past the retention go; live ones, and recent revocations, stay.
    @Test(arguments: StoreEngine.available)
    func purgeKeepsOnlyLiveAndRecentCredentials(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (_, integration, _, live) = try await Fixtures.seed(store)
        let longAgo = Date().addingTimeInterval(-30 * 86_400)
        var expired = Fixtures.token(for: integration).1
        expired.expiresAt = longAgo
        var revokedLongAgo = Fixtures.token(for: integration).1
        revokedLongAgo.revokedAt = longAgo
        let revokedRecently = Fixtures.token(for: integration).1
        for token in [expired, revokedLongAgo, revokedRecently] {
            _ = try await store.rotate(to: token, oldTokensExpireAt: nil, at: Fixtures.now)
        }
        _ = try await store.revokeTokens(ids: [revokedRecently.id], at: Date())
        let purged = try await store.purge(
            credentialsBefore: Date().addingTimeInterval(-7 * 86_400),
            rateLimitsBefore: longAgo,
            changesBefore: longAgo,
            successorsBefore: longAgo
        )
        // On the shared PostgreSQL database a `serve` started by another suite may run its
        // janitor (the same rules) first and take these rows; the count is exact only on a store
        // of this test's own. Which tokens are left is exact on both.
        if case .sqlite = engine { #expect(purged == 2) }
        let left = Set(try await store.tokens(integrationID: integration.id).map(\.id))
        #expect(left == [live.id, revokedRecently.id])
        await store.shutdown()
    }

    @Test(arguments: StoreEngine.available)
    func theJanitorPurgesExpiredCodesAndSessionsAndWipesOldSuccessors(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (app, person) = try await Fixtures.seedApp(store)
        let longAgo = Date().addingTimeInterval(-30 * 86_400)
        let (_, expired) = Fixtures.authorizationCode(for: app, person: person, expiresAt: longAgo)
        let (_, live) = Fixtures.authorizationCode(for: app, person: person, expiresAt: Date().addingTimeInterval(600))
        try await store.createAuthorizationCode(expired)
        try await store.createAuthorizationCode(live)
        let oldSession = SessionRecord(
            digest: TokenDigest(of: Fixtures.id()),
            userID: person.id,
            createdAt: longAgo,
            expiresAt: longAgo
        )
        let liveSession = SessionRecord(
            digest: TokenDigest(of: Fixtures.id()),
            userID: person.id,
            createdAt: Date(),
            expiresAt: Date().addingTimeInterval(3600)
        )
        try await store.createSession(oldSession)
        try await store.createSession(liveSession)
        let (_, integration, _, token) = try await Fixtures.seed(store)
        _ = integration
        _ = try await store.rotateRefreshToken(
            id: token.id,
            successors: [],
            sealedSuccessor: "sealed",
            usedFrom: nil,
            at: longAgo
        )
        try await store.purge(
            credentialsBefore: Date().addingTimeInterval(-7 * 86_400),
            rateLimitsBefore: longAgo,
            changesBefore: longAgo,
            successorsBefore: Date().addingTimeInterval(-60)
        )
        #expect(try await store.consumeAuthorizationCode(digest: expired.digest, at: Date()) == nil)
        #expect(try await store.consumeAuthorizationCode(digest: live.digest, at: Date()) != nil)
        #expect(try await store.session(digest: oldSession.digest) == nil)
        #expect(try await store.session(digest: liveSession.digest) != nil)
        #expect(try await store.refreshSuccessor(tokenID: token.id) == nil)
        await store.shutdown()
    }
}
