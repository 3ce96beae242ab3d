import GatehouseCore
import GatehouseStore
import Logging
import ServiceLifecycle

/// A background service that follows the store's change feed and evicts what it names from the
/// authentication cache, so a revocation made by the CLI or another node takes effect here. While
/// the feed cannot be read, the cache is not trusted: every token is checked against the store.
struct RevocationListener: Service {
    let follower: ChangeFeedFollower
    let authenticator: Authenticator
    let startSequence: Int64

    func run() async throws {
        let authenticator = self.authenticator
        await cancelWhenGracefulShutdown {
            await follower.run(
                from: startSequence,
                onChanges: { authenticator.apply($0) },
                onStale: { authenticator.distrustCache() },
                onGap: { authenticator.trustCacheAgain() }
            )
        }
    }
}
