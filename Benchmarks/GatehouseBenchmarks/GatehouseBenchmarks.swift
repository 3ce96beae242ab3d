import Benchmark
import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore
import Logging

/// What the store benchmarks share: a SQLite store with a workspace, its owner, an internal
/// integration, an OAuth app and, for the exchange benchmark, unused codes; made by the setup hook.
final class StoreFixture: Sendable {
    let store: SQLStore
    let authenticator: Authenticator
    let authorization: String
    let token: String
    let app: Integration
    let person: Person
    let codes: [String]

    static let codeCount = 20_000

    init(codes codeCount: Int = 0) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).sqlite")
            .path
        store = try await SQLStore.open(
            .sqlite(path: path),
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let admin = AdminOperations(store: store, bcryptCost: 4)
        let workspace = try await admin.createWorkspace(name: "Bench", plan: .enterprise)
        person = try await admin.createUser(
            workspaceID: workspace.id,
            email: "owner@bench.test",
            name: "Owner",
            role: .owner,
            password: "correct horse battery"
        )
        (_, token) = try await admin.createInternalIntegration(
            workspaceID: workspace.id,
            name: "Bench",
            capabilities: try Capabilities(names: ["read_content"])
        )
        authorization = "Bearer " + token
        (app, _) = try await admin.createPublicIntegration(
            workspaceID: workspace.id,
            name: "Bench App",
            capabilities: try Capabilities(names: ["read_content"]),
            redirectURIs: ["https://app.example/callback"],
            expiringTokens: false
        )
        authenticator = Authenticator(store: store)
        _ = try await authenticator.authenticate(authorization: authorization)  // now cached
        var codes: [String] = []
        let now = Date()
        for _ in 0..<codeCount {
            let code = TokenFormat.generate(.authorizationCode)
            try await store.createAuthorizationCode(
                AuthorizationCode(
                    id: UUID().uuidString.lowercased(),
                    digest: TokenDigest(of: code),
                    appID: app.id,
                    userID: person.id,
                    workspaceID: workspace.id,
                    owner: .user,
                    redirectURI: nil,
                    codeChallenge: nil,
                    resources: [],
                    createdAt: now,
                    expiresAt: now.addingTimeInterval(3_600)
                )
            )
            codes.append(code)
        }
        self.codes = codes
    }
}

nonisolated(unsafe) var fixture: StoreFixture!
/// The next unused code: every iteration of the exchange benchmark redeems a fresh one (a code
/// used twice would measure the refusal of a replay instead).
nonisolated(unsafe) var nextCode = 0

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        warmupIterations: 100,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    // The hot path of every API request, without I/O: format and checksum, SHA-256, cache hit.
    let token = TokenFormat.generate(.internalKey)
    let cache = CredentialCache()
    let principal = Principal(
        tokenID: "t",
        tokenKind: .internalKey,
        expiresAt: nil,
        integrationID: "i",
        integrationName: "Bench",
        integrationKind: .internal,
        botID: "b",
        capabilities: Capabilities(content: [.readContent], userInfo: .none),
        workspaceID: "w",
        workspaceName: "Bench",
        workspaceIcon: nil,
        plan: .enterprise
    )
    cache.insert(principal, for: TokenDigest(of: token), ifGeneration: cache.generation)
    Benchmark("authenticate a cached token (format + SHA-256 + cache hit)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(TokenFormat.validate(token))
            blackHole(cache.credential(for: TokenDigest(of: token)))
        }
    }

    // The in-memory rate-limit decision (GCRA and the daily quota) a request makes.
    let limiter = RateLimiter(clock: SystemClock())
    let plan = RatePlan(requestsPerSecond: 1_000_000_000, burst: 1_000_000_000, dailyQuota: nil)
    Benchmark("rate-limit decision") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(limiter.check(key: "integration:pro", plan: plan))
        }
    }

    // The same authentication through the server's Authenticator (an async call, as a request makes it).
    Benchmark(
        "Authenticator.authenticate, cached token",
        configuration: .init(
            setup: { fixture = try await StoreFixture() },
            teardown: { await fixture.store.shutdown() }
        )
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.authenticator.authenticate(authorization: fixture.authorization))
        }
    }

    // What the API does first for a bearer token: the cache alone, without suspending
    // (`Authenticator.cachedPrincipal`; the format is checked only on a miss).
    Benchmark(
        "Authenticator.cachedPrincipal, cached token",
        configuration: .init(
            setup: {
                fixture = try await StoreFixture()
                let cached = try fixture.authenticator.cachedPrincipal(authorization: fixture.authorization)
                precondition(cached != nil, "the fixture's token is cached")
            },
            teardown: { await fixture.store.shutdown() }
        )
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixture.authenticator.cachedPrincipal(authorization: fixture.authorization))
        }
    }

    // One hash-chained audit event written to SQLite (a transaction of its own).
    Benchmark(
        "audit event append (SQLite)",
        configuration: .init(
            maxIterations: 5_000,
            setup: { fixture = try await StoreFixture() },
            teardown: { await fixture.store.shutdown() }
        )
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try await fixture.store.appendEvent(
                    AuditEvent(time: Date(), actor: "bench", action: "bench.event", target: "t", details: ["k": "v"])
                )
            )
        }
    }

    // A code redeemed in the store: compare-and-set on the code, installation, token, audit event.
    Benchmark(
        "OAuth code exchange in the store (SQLite)",
        configuration: .init(
            maxIterations: StoreFixture.codeCount - 200,
            setup: {
                fixture = try await StoreFixture(codes: StoreFixture.codeCount)
                nextCode = 0
            },
            teardown: { await fixture.store.shutdown() }
        )
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let now = Date()
            let app = fixture.app
            guard nextCode < fixture.codes.count else {
                benchmark.error("all \(fixture.codes.count) codes are spent")
                return
            }
            let code = fixture.codes[nextCode]
            nextCode += 1
            let redemption = try await fixture.store.redeemAuthorizationCode(digest: TokenDigest(of: code), at: now) {
                record,
                first in
                guard first else { return nil }
                var token = TokenRecord(
                    id: UUID().uuidString.lowercased(),
                    integrationID: "",
                    kind: .oauthBot,
                    digest: TokenDigest(of: TokenFormat.generate(.oauthBot)),
                    displayHint: "bot_…bench",
                    createdAt: now
                )
                token.grantID = record.id
                return CodeGrant(
                    candidate: Integration(
                        id: UUID().uuidString.lowercased(),
                        workspaceID: record.workspaceID,
                        name: app.name,
                        kind: .public,
                        capabilities: app.capabilities,
                        botID: UUID().uuidString.lowercased(),
                        createdAt: now,
                        installation: Installation(appID: app.id, ownerUserID: record.userID, owner: record.owner)
                    ),
                    resources: [],
                    tokens: [token],
                    event: { installation in
                        AuditEvent(
                            time: now,
                            actor: "client:bench",
                            action: "oauth.token_issued",
                            target: installation.id
                        )
                    }
                )
            }
            guard redemption?.installation != nil else {
                benchmark.error("code \(nextCode) was not granted: the benchmark measured something else")
                return
            }
            blackHole(redemption)
        }
    }
}
