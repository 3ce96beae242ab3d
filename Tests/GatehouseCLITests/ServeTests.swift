import Foundation
import GatehouseTestSupport
import Testing

@Suite(.timeLimit(.minutes(5))) struct ServeTests {
    /// The README's promise: `serve` on a new store seeds a sandbox, prints a demo key and a curl
    /// line that works as printed; a second start on the same store seeds nothing.
    @Test func serveSeedsASandboxWhoseCurlLineWorksAsPrinted() async throws {
        let db = CLI.temporaryDatabaseURL()
        let server = try await ServerProcess.start(arguments: ["--database-url", db])
        try await server.waitForOutput(containing: "curl ")
        let curlLine = try #require(server.stdout.split(separator: "\n").first { $0.contains("curl ") })
        let shell = try await ChildProcess.run("/bin/sh", ["-c", String(curlLine) + " -s"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(shell.stdout.utf8)) as? [String: Any])
        #expect(json["object"] as? String == "user")
        #expect(json["type"] as? String == "bot")
        #expect(json["name"] as? String == "Demo integration")

        let key = try #require(
            curlLine.split(separator: " ").first { $0.hasPrefix("secret_") }.map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        )
        let base = try #require(server.baseURL)
        let databases = try await HTTP.get(base + "/v1/databases", token: key)
        #expect((databases.body["results"] as? [Any])?.count == 2)
        #expect(!server.stderr.contains(key.dropFirst(7).prefix(12)), "the key reached the log")
        #expect(await server.terminate() == 0)

        let again = try await ServerProcess.start(arguments: ["--database-url", db])
        try await again.waitForOutput(containing: "Gatehouse listening on")
        try await Task.sleep(for: .milliseconds(200))
        #expect(!again.stdout.contains("secret_"))
        #expect(try await HTTP.get(try #require(again.baseURL) + "/v1/users/me", token: key).status == 200)
        #expect(await again.terminate() == 0)
    }

    /// A store served beyond loopback (or on PostgreSQL) is never seeded with the well-known owner
    /// and an all-capability key unless the operator asks with `--seed`.
    @Test func serveSeedsOnlyALoopbackSQLiteStoreUnlessAskedTo() async throws {
        let db = CLI.temporaryDatabaseURL()
        let exposed = try await ServerProcess.start(arguments: ["--database-url", db, "--host", "0.0.0.0"])
        try await exposed.waitForOutput(containing: "Gatehouse listening on")
        for _ in 0..<50 where !exposed.stderr.contains("no sandbox was seeded") {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(exposed.stderr.contains("no sandbox was seeded"))
        #expect(!exposed.stdout.contains("Seeded a sandbox"))
        #expect(!exposed.stdout.contains("secret_"))
        #expect(await exposed.terminate() == 0)

        let asked = try await ServerProcess.start(arguments: ["--database-url", db, "--host", "0.0.0.0", "--seed"])
        try await asked.waitForOutput(containing: "curl ")
        #expect(asked.stdout.contains("Seeded a sandbox"))
        #expect(await asked.terminate() == 0)

        let both = try await CLI.run(["serve", "--seed", "--no-seed", "--database-url", CLI.temporaryDatabaseURL()])
        #expect(both.status != 0)
        #expect(both.stderr.contains("contradict"))
    }

    /// A revocation or deletion made by the CLI, a separate process, while `serve` runs makes the
    /// token fail within a second.
    @Test func cliRevocationAndDeletionReachARunningServerWithinASecond() async throws {
        try await TimingGate.exclusive { try await measureCLIRevocation() }
    }

    private func measureCLIRevocation() async throws {
        let db = CLI.temporaryDatabaseURL()
        let server = try await ServerProcess.start(arguments: ["--database-url", db])
        try await server.waitForOutput(containing: "curl ")
        let base = try #require(server.baseURL)
        let workspace = try #require(
            server.stdout.split(separator: "\n").first { $0.contains("Seeded a sandbox") }
                .flatMap { $0.split(separator: "(").last?.split(separator: ")").first.map(String.init) }
        )

        for action in ["revoke", "delete"] {
            let created = try await CLI.run(
                ["integration", "create", "--workspace", workspace, "--name", action, "--json", "--database-url", db])
            let integrationID = try #require(created.json["id"] as? String)
            let token = try #require(created.json["token"] as? String)
            #expect(try await HTTP.get(base + "/v1/users/me", token: token).status == 200)

            let arguments =
                action == "revoke"
                ? ["token", "revoke", "--integration", integrationID]
                : ["integration", "delete", "--integration", integrationID]
            let done = try await CLI.run(arguments + ["--database-url", db])
            #expect(done.status == 0, "\(done.stderr)")
            let start = ContinuousClock.now
            let status = try await HTTP.waitForRefusal(base + "/v1/users/me", token: token).status
            let elapsed = ContinuousClock.now - start
            print("CLI \(action) took effect on the running server after \(elapsed)")
            #expect(status == 401)
            #expect(elapsed < .seconds(1))
        }
        #expect(await server.terminate() == 0)
    }

    @Test func badServeConfigurationFailsWithOneLine() async throws {
        for (arguments, says) in [
            (["serve", "--database-url", "nope"], "invalid database URL"),
            (
                ["serve", "--database-url", "postgres://gatehouse:secret@127.0.0.1:1/x?sslmode=disable"],
                "cannot connect to PostgreSQL"
            ),
            (["serve", "--database-url", "sqlite:/nonexistent-dir/gatehouse.sqlite"], "cannot open SQLite database"),
            (["serve", "--unshared-status", "418", "--database-url", CLI.temporaryDatabaseURL()], "403 or 404"),
            (["serve", "--port", "99999", "--database-url", CLI.temporaryDatabaseURL()], "between 0 and 65535"),
            (["serve", "--log-level", "loud", "--database-url", CLI.temporaryDatabaseURL()], "log level"),
            (
                ["serve", "--plans-file", "/nonexistent/plans.json", "--database-url", CLI.temporaryDatabaseURL()],
                "cannot read the plans file"
            ),
            (
                ["serve", "--plans-file", "/etc/hostname", "--database-url", CLI.temporaryDatabaseURL()],
                "bad plans file"
            ),
            (
                ["serve", "--idle-timeout", "forever", "--database-url", CLI.temporaryDatabaseURL()],
                "idle timeout must be a number of seconds"
            ),
            (
                ["serve", "--read-timeout", "0", "--database-url", CLI.temporaryDatabaseURL()],
                "read timeout must be a number of seconds"
            ),
            (
                ["serve", "--max-connections", "0", "--database-url", CLI.temporaryDatabaseURL()],
                "maximum number of connections"
            ),
        ] {
            let result = try await CLI.run(arguments)
            #expect(result.status != 0)
            #expect(result.stderr.contains(says), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count <= 2, "\(result.stderr)")
            #expect(!result.stderr.contains(":secret@"), "the store password must not be echoed")
        }
        let result = try await CLI.run(["serve", "--port", "0"], environment: ["GATEHOUSE_DATABASE_URL": "mysql://x"])
        #expect(result.stderr.contains("invalid database URL"))
    }
}
