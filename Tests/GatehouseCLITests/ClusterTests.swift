import Foundation
import GatehouseTestSupport
import Testing

@Suite(.timeLimit(.minutes(5))) struct ClusterTests {
    /// The stores two `serve` processes can share: one SQLite file always, PostgreSQL when
    /// `GATEHOUSE_TEST_POSTGRES_URL` is set (CI sets it).
    static var sharedStores: [String] {
        var urls = ["sqlite"]
        if ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_URL"] != nil { urls.append("postgres") }
        return urls
    }

    /// Two `gatehouse serve` processes on one store: an integration's limit holds for the pair,
    /// and a revocation made through the CLI fails the token on both.
    @Test(arguments: sharedStores)
    func twoServeProcessesShareLimitsAndRevocations(engine: String) async throws {
        try await TimingGate.exclusive { try await measure(engine: engine) }
    }

    private func measure(engine: String) async throws {
        let db =
            engine == "sqlite"
            ? CLI.temporaryDatabaseURL() : ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_URL"]!
        let workspace = try #require(
            try await CLI.run([
                "workspace", "create", "--name", "Cluster", "--plan", "free", "--json", "--database-url", db,
            ])
            .json["id"] as? String
        )
        let created = try await CLI.run([
            "integration", "create", "--workspace", workspace, "--name", "Busy", "--json", "--database-url", db,
        ])
        let integrationID = try #require(created.json["id"] as? String)
        let token = try #require(created.json["token"] as? String)

        let nodes = [
            try await ServerProcess.start(arguments: ["--database-url", db]),
            try await ServerProcess.start(arguments: ["--database-url", db]),
        ]
        for node in nodes { try await node.waitForOutput(containing: "Gatehouse listening on") }
        let bases = try nodes.map { try #require($0.baseURL) }

        var statuses: [Int] = []
        for index in 0..<8 {
            statuses.append(try await HTTP.get(bases[index % 2] + "/v1/users/me", token: token).status)
        }
        print("\(engine): statuses across two nodes for a free-plan integration: \(statuses)")
        #expect(statuses.filter { $0 == 200 }.count == 3)
        #expect(statuses.filter { $0 == 429 }.count == 5)

        #expect(
            try await CLI.run(["token", "revoke", "--integration", integrationID, "--database-url", db]).status == 0
        )
        let start = ContinuousClock.now
        for base in bases {
            #expect(try await HTTP.waitForRefusal(base + "/v1/users/me", token: token).status == 401)
        }
        let elapsed = ContinuousClock.now - start
        print("\(engine): revocation failed the token on both nodes after \(elapsed)")
        #expect(elapsed < .seconds(1))
        for node in nodes { #expect(await node.terminate() == 0) }
    }
}
