import Foundation
import GatehouseTestSupport
import Testing

@Suite(.timeLimit(.minutes(2))) struct ScanTests {
    @Test func scanFindsConfirmsReportsRedactedAndRevokes() async throws {
        let db = ["--database-url", CLI.temporaryDatabaseURL()]
        let workspace = try #require(
            try await CLI.run(["workspace", "create", "--name", "W", "--json"] + db).json["id"] as? String
        )
        func integration(_ name: String) async throws -> (id: String, token: String) {
            let created = try await CLI.run(
                ["integration", "create", "--workspace", workspace, "--name", name, "--json"] + db
            )
            return (try #require(created.json["id"] as? String), try #require(created.json["token"] as? String))
        }
        let live = try await integration("Leaky")
        let dead = try await integration("Old")
        #expect(try await CLI.run(["token", "revoke", "--integration", dead.id] + db).status == 0)
        let forged = String(live.token.dropLast()) + (live.token.last == "a" ? "b" : "a")

        let root = try Scratch.newDirectory()
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent(".git"),
            withIntermediateDirectories: true
        )
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("src"),
            withIntermediateDirectories: true
        )
        try "import os\nKEY = \"\(live.token)\"\n".write(
            to: root.appendingPathComponent("src/app.py"),
            atomically: true,
            encoding: .utf8
        )
        try "OLD=\(dead.token)\nFAKE=\(forged)\n".write(
            to: root.appendingPathComponent(".env.example"),
            atomically: true,
            encoding: .utf8
        )
        try "\(live.token)\n".write(to: root.appendingPathComponent(".git/config"), atomically: true, encoding: .utf8)

        let report = try await CLI.run(["scan", root.path, "--json"] + db)
        #expect(report.status == 1, "a found token must fail the scan")
        #expect(!report.stdout.contains(live.token) && !report.stdout.contains(dead.token))
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [[String: Any]])
        let byStatus = Dictionary(grouping: rows) { $0["status"] as? String ?? "" }
        #expect(byStatus["live"]?.count == 1)
        #expect(byStatus["live"]?.first?["line"] as? Int == 2)
        #expect(byStatus["live"]?.first?["hint"] as? String == "secret_…" + live.token.suffix(4))
        #expect(byStatus["inactive"]?.count == 1)
        #expect(rows.count == 2, "the forged look-alike must not be reported")
        #expect(rows.allSatisfy { !($0["path"] as? String ?? "").contains(".git") })

        let revoked = try await CLI.run(["scan", root.path, "--revoke"] + db)
        #expect(revoked.status == 1, "the tokens are still in the files")
        #expect(revoked.stdout.contains("[revoked now]"))
        let tokens = try await CLI.run(["token", "list", "--integration", live.id, "--json"] + db)
        #expect(tokens.stdout.contains("\"revoked\""))
        try FileManager.default.removeItem(at: root.appendingPathComponent("src/app.py"))
        try FileManager.default.removeItem(at: root.appendingPathComponent(".env.example"))
        let clean = try await CLI.run(["scan", root.path] + db)
        #expect(clean.status == 0)
        #expect(clean.stdout.contains("No tokens found."))
        #expect(try await CLI.run(["scan", root.appendingPathComponent("missing").path] + db).status != 0)
    }

    @Test func auditPrintsTheChecklistAndFailsOnALiveTokenInFiles() async throws {
        let db = ["--database-url", CLI.temporaryDatabaseURL()]
        let workspace = try #require(
            try await CLI.run(["workspace", "create", "--name", "W", "--json"] + db).json["id"] as? String
        )
        let token = try #require(
            try await CLI.run(["integration", "create", "--workspace", workspace, "--name", "Bot", "--json"] + db).json[
                "token"
            ]
                as? String
        )
        let root = try Scratch.newDirectory()

        let clean = try await CLI.run(["audit", "--scan", root.path, "--json"] + db)
        #expect(clean.status == 0, "\(clean.stdout) \(clean.stderr)")
        let items = try #require(try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [[String: Any]])
        #expect(items.count == 10)
        #expect(items.allSatisfy { ["PASS", "WARN", "FAIL", "MANUAL"].contains($0["status"] as? String ?? "") })

        try "TOKEN=\(token)\n".write(to: root.appendingPathComponent("config.env"), atomically: true, encoding: .utf8)
        let leaky = try await CLI.run(["audit", "--scan", root.path] + db)
        #expect(leaky.status == 1)
        #expect(leaky.stdout.contains("FAIL   No tokens in code/logs"))
        #expect(!leaky.stdout.contains(token))

        let password = try await CLI.run([
            "audit", "--scan", root.path, "--database-url", "postgres://u:hunter2@127.0.0.1:1/x",
        ])
        #expect(password.status != 0)
        #expect(!password.stderr.contains("hunter2"))
    }
}
