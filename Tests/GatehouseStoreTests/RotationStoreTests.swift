import Foundation
import GatehouseCore
import SQLKit
import Testing

@testable import GatehouseStore

@Suite(.timeLimit(.minutes(1))) struct RotationStoreTests {
    @Test(arguments: StoreEngine.available)
    func rotationLinksTheNewTokenAndSchedulesTheOldOnesExpiry(engine: StoreEngine) async throws {
        let store = try await engine.open()
        let (_, integration, _, old) = try await Fixtures.seed(store)
        let (_, fresh) = Fixtures.token(for: integration)
        let expiry = Fixtures.now.addingTimeInterval(3_600)
        let before = try await store.latestChangeSequence()
        let previous = try await store.rotate(to: fresh, oldTokensExpireAt: expiry, at: Fixtures.now)
        #expect(previous.map(\.id) == [old.id])
        #expect(try await store.token(id: old.id)?.expiresAt == expiry)
        #expect(try await store.token(id: fresh.id)?.rotatedFromID == old.id)
        #expect(try await store.token(id: fresh.id)?.expiresAt == nil)
        let changes = try await store.changes(after: before, limit: 100).filter { $0.integrationID == integration.id }
        #expect(changes.map(\.kind) == [.integrationChanged])
        await store.shutdown()
    }

    /// Parallel rotations that each end the old tokens at once leave exactly one live token.
    @Test(arguments: StoreEngine.available)
    func parallelRotationsLeaveOneLiveToken(engine: StoreEngine) async throws {
        let path = StoreEngine.temporarySQLitePath()
        let store = try await engine.open(sqlitePath: path)
        let other = try await engine.open(sqlitePath: path)
        let (_, integration, _, _) = try await Fixtures.seed(store)
        // On a whole millisecond, as the store keeps times: a `Date()` within a microsecond of the
        // next one stored its expiry a millisecond later, and the old tokens read as live at it.
        let now = Date(epochMilliseconds: Date().epochMilliseconds)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let (_, fresh) = Fixtures.token(for: integration)
                    _ = try await (index.isMultiple(of: 2) ? store : other).rotate(
                        to: fresh,
                        oldTokensExpireAt: now,
                        at: now
                    )
                }
            }
            try await group.waitForAll()
        }
        let tokens = try await store.tokens(integrationID: integration.id)
        #expect(tokens.count == 9)
        #expect(tokens.filter { $0.isActive(at: now) }.count == 1)
        await store.shutdown()
        await other.shutdown()
    }
}
