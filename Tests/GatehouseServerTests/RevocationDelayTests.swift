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

/// Two server nodes on one store, a third handle revoking (as the CLI does): how long until both
/// nodes refuse the token. Printed as p50/p99 over 200 revocations.
@Suite(.timeLimit(.minutes(5))) struct RevocationDelayTests {
    static var stores: [String] {
        ["sqlite"] + (ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_URL"] == nil ? [] : ["postgres"])
    }

    @Test(arguments: stores)
    func revocationsReachEveryNodeQuickly(engine: String) async throws {
        try await TimingGate.exclusive { try await measure(engine: engine) }
    }

    private func measure(engine: String) async throws {
        let url: DatabaseURL =
            engine == "sqlite"
            ? .sqlite(path: Scratch.path(".sqlite"))
            : try DatabaseURL(parsing: ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_URL"]!)
        let cli = try await SQLStore.open(url, logger: TestWorld.quietLogger)
        let admin = AdminOperations(store: cli, bcryptCost: 4)
        let workspace = try await admin.createWorkspace(name: "Delay", plan: .enterprise)
        let (integration, firstToken) = try await admin.createInternalIntegration(
            workspaceID: workspace.id,
            name: "Many keys",
            capabilities: .all
        )
        var issued = [firstToken]
        for _ in 0..<199 { issued.append(try await admin.rotateToken(integrationID: integration.id, grace: nil).token) }
        let tokens = issued

        var nodes: [(SQLStore, Authenticator)] = []
        for _ in 0..<2 {
            let store = try await SQLStore.open(url, logger: TestWorld.quietLogger)
            nodes.append((store, Authenticator(store: store)))
        }
        // The production defaults: the feed is polled every 50 ms; PostgreSQL also notifies.
        let configuration = ServerConfiguration(
            host: "127.0.0.1",
            port: 0,
            ratePlans: TestWorld.roomyPlans
        )
        let nodeA = try await buildApplication(
            configuration: configuration,
            store: nodes[0].0,
            authenticator: nodes[0].1,
            logger: TestWorld.quietLogger
        )
        let nodeB = try await buildApplication(
            configuration: configuration,
            store: nodes[1].0,
            authenticator: nodes[1].1,
            logger: TestWorld.quietLogger
        )
        let authenticators = nodes.map(\.1)
        let sortedDelays: [Double] = try await nodeA.test(.live) { clientA in
            try await nodeB.test(.live) { clientB in
                for token in tokens {
                    #expect(try await clientA.call(.get, "/v1/users/me", token: token).status == 200)
                    #expect(try await clientB.call(.get, "/v1/users/me", token: token).status == 200)
                }
                let records = try await cli.tokens(integrationID: integration.id)
                var delays: [Double] = []
                for token in tokens {
                    let digest = TokenDigest(of: token)
                    let record = try #require(records.first { $0.digest == digest })
                    // Timed from the start of the revocation's transaction (the store call the
                    // CLI's revoke makes), so the figure includes its own write and commit.
                    let start = ContinuousClock.now
                    _ = try await cli.revokeTokens(ids: [record.id], at: Date())
                    let committed = ContinuousClock.now - start
                    if committed > .milliseconds(100) { print("slow revocation commit on \(engine): \(committed)") }
                    while authenticators.contains(where: { $0.cache.credential(for: digest) != nil }),
                        ContinuousClock.now - start < .seconds(2)
                    {
                        try await Task.sleep(for: .milliseconds(1))
                    }
                    let elapsed = ContinuousClock.now - start
                    delays.append(
                        Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3
                    )
                }
                // Evicted means refused: the next request reads the store and finds the revocation.
                #expect(try await clientA.call(.get, "/v1/users/me", token: tokens[0]).status == 401)
                #expect(try await clientB.call(.get, "/v1/users/me", token: tokens[199]).status == 401)
                return delays.sorted()
            }
        }
        let p50 = sortedDelays[sortedDelays.count / 2]
        let p99 = sortedDelays[Int(Double(sortedDelays.count) * 0.99) - 1]
        let worst = sortedDelays.last ?? 0
        print(
            "revocation delay across two nodes on \(engine) (\(sortedDelays.count) revocations): p50 \(String(format: "%.1f", p50)) ms, p99 \(String(format: "%.1f", p99)) ms, max \(String(format: "%.1f", worst)) ms"
        )
        #expect(worst < 1_000)
        #expect(p99 < 100)
        for (store, _) in nodes { await store.shutdown() }
        await cli.shutdown()
    }
}
