import Testing

@testable import GatehouseCore

@Suite struct CredentialCacheTests {
    @Test func cachedPrincipalsAreFoundByDigest() {
        let cache = CredentialCache()
        let digest = TokenDigest(of: "a")
        #expect(cache.insert(makePrincipal(), for: digest, ifGeneration: cache.generation))
        #expect(cache.credential(for: digest) == makePrincipal())
        #expect(cache.credential(for: TokenDigest(of: "b")) == nil)
    }

    @Test func anEntryReadBeforeAnEvictionIsNotCachedAfterIt() {
        let cache = CredentialCache()
        let digest = TokenDigest(of: "a")
        let generation = cache.generation
        cache.evict(digest: digest)  // a revocation lands while the store lookup is in flight
        #expect(!cache.insert(makePrincipal(), for: digest, ifGeneration: generation))
        #expect(cache.credential(for: digest) == nil)
    }

    @Test func evictingAnIntegrationForgetsAllItsTokens() {
        let cache = CredentialCache()
        let other = makePrincipal(integrationID: "i2")
        cache.insert(makePrincipal(), for: TokenDigest(of: "a"), ifGeneration: cache.generation)
        cache.insert(makePrincipal(), for: TokenDigest(of: "b"), ifGeneration: cache.generation)
        cache.insert(other, for: TokenDigest(of: "c"), ifGeneration: cache.generation)
        cache.evict(integrationID: "i1")
        #expect(cache.credential(for: TokenDigest(of: "a")) == nil)
        #expect(cache.credential(for: TokenDigest(of: "b")) == nil)
        #expect(cache.credential(for: TokenDigest(of: "c")) == other)
        cache.evict(workspaceID: "w1")
        #expect(cache.count == 0)
    }

    @Test func theCacheStaysWithinItsCapacity() {
        let cache = CredentialCache(capacity: 10)
        for index in 0..<50 {
            cache.insert(makePrincipal(), for: TokenDigest(of: "\(index)"), ifGeneration: cache.generation)
        }
        #expect(cache.count == 10)
        #expect(cache.credential(for: TokenDigest(of: "49")) != nil)
    }
}
