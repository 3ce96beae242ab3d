import Foundation
import GatehouseCore
import GatehouseServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

@testable import GatehouseStore

/// A node that cannot read the change feed stops trusting its cache of credentials.
@Suite(.timeLimit(.minutes(1))) struct FeedOutageTests {
    @Test func aNodeThatCannotReadTheFeedRefusesATokenRevokedBehindItsBack() async throws {
        let world = try await TestWorld.make()
        let quickFeed: (inout ServerConfiguration) -> Void = {
            $0.changeFeedInterval = .milliseconds(20)
            $0.changeFeedTolerance = .milliseconds(500)
        }
        try await world.test(.live, configure: quickFeed) { client in
            // Cached once the feed is healthy (a loaded machine may start with a slow first read).
            for _ in 0..<100 where world.authenticator.cache.count == 0 {
                #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(world.authenticator.cache.count == 1)
            // The feed becomes unreadable (its table is gone), and the token is revoked without a
            // feed entry: a node trusting its cache would keep accepting it.
            try await world.store.write { database in
                try await database.raw("ALTER TABLE changes RENAME TO changes_away").run()
                return try await database.raw(
                    "UPDATE tokens SET revoked_at = \(bind: Date().epochMilliseconds) WHERE integration_id = \(bind: world.integration.id)"
                ).run()
            }
            try await waitUntil { !world.authenticator.isCacheTrusted }
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 401)
            #expect(world.authenticator.cache.count == 0)
            // Readable again: the cache is trusted (and starts empty).
            try await world.store.write { database in
                try await database.raw("ALTER TABLE changes_away RENAME TO changes").run()
            }
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 401)
            try await waitUntil { world.authenticator.isCacheTrusted }
        }
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(20)) }
        #expect(condition())
    }
}
