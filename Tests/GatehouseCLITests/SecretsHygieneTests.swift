import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct SecretsHygieneTests {
    /// A whole session — seed, create, use, rotate, revoke, fail — and then not one token or
    /// password appears in plaintext in the server's log, the audit export, error bodies or the
    /// store's files (database, WAL and shared-memory files).
    @Test func noSecretIsLeftInPlaintextAnywhere() async throws {
        let url = CLI.temporaryDatabaseURL()
        let path = String(url.dropFirst("sqlite:".count))
        let db = ["--database-url", url]
        let server = try await ServerProcess.start(arguments: db + ["--log-level", "trace"])
        try await server.waitForOutput(containing: "curl ")
        let base = try #require(server.baseURL)
        let banner = server.stdout
        let demoKey = try #require(banner.split(separator: " ").first { $0.hasPrefix("secret_") }.map(String.init))
        let ownerPassword = try #require(
            banner.split(separator: "\n").first { $0.contains("owner sign-in:") }?.split(separator: " ").last.map(
                String.init
            )
        )
        let workspace = try #require(
            banner.split(separator: "\n").first { $0.contains("Seeded a sandbox") }
                .flatMap { $0.split(separator: "(").last?.split(separator: ")").first.map(String.init) }
        )

        var secrets = [demoKey, ownerPassword, "correct horse battery staple"]
        var errorBodies: [String] = []
        #expect(
            try await CLI.run(
                [
                    "user", "create", "--workspace", workspace, "--email", "eve@sandbox.test", "--name", "Eve",
                    "--password-stdin",
                ]
                    + db,
                input: "correct horse battery staple\n"
            ).status == 0
        )
        let created = try await CLI.run(
            ["integration", "create", "--workspace", workspace, "--name", "Session", "--json"] + db
        )
        let integrationID = try #require(created.json["id"] as? String)
        let token = try #require(created.json["token"] as? String)
        secrets.append(token)
        #expect(try await HTTP.get(base + "/v1/users/me", token: token).status == 200)
        let rotated = try #require(
            try await CLI.run(["token", "rotate", "--integration", integrationID, "--grace", "0", "--json"] + db).json[
                "token"
            ]
                as? String
        )
        secrets.append(rotated)
        #expect(try await HTTP.get(base + "/v1/users/me", token: rotated).status == 200)
        // The rotation was made by another process: the server learns of it through the feed.
        let stale = try await HTTP.waitForRefusal(base + "/v1/users/me", token: token)
        #expect(stale.status == 401)
        errorBodies.append(String(describing: stale.body))
        let guessed = "secret_" + String(token.dropFirst(7).reversed())
        errorBodies.append(String(describing: try await HTTP.get(base + "/v1/users/me", token: guessed).body))
        errorBodies.append(String(describing: try await HTTP.get(base + "/v1/pages/\(rotated)", token: rotated).body))
        #expect(try await CLI.run(["token", "revoke", "--integration", integrationID] + db).status == 0)
        let afterRevocation = try await HTTP.waitForRefusal(base + "/v1/users/me", token: rotated)
        #expect(afterRevocation.status == 401)
        errorBodies.append(String(describing: afterRevocation.body))
        #expect(await server.terminate() == 0)

        let audit = try await CLI.run(["events", "--json"] + db).stdout
        #expect(audit.contains("token.rotated") && audit.contains("auth.failed"))
        var places: [(String, String)] = [
            ("server log", server.stderr), ("audit export", audit),
            ("error bodies", errorBodies.joined(separator: "\n")),
        ]
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: path + suffix) {
                places.append(("store file \(path + suffix)", String(decoding: data, as: Unicode.ASCII.self)))
            }
        }
        #expect(places.count >= 4)
        for (place, text) in places {
            for secret in secrets {
                #expect(!text.contains(secret), "a secret is in plaintext in the \(place)")
                // Not even the random body alone (the hint shows only the last four characters).
                #expect(!text.contains(secret.dropFirst(7).prefix(16)), "part of a secret is in the \(place)")
            }
        }
    }
}
