import Foundation
import GatehouseTestSupport
import Testing

/// `gatehouse workspace export` and `gatehouse workspace import`, run as a test suite would.
@Suite(.timeLimit(.minutes(2))) struct WorkspaceFixtureCommandTests {
    @Test func aWorkspaceMadeWithTheCLIIsExportedImportedAndExportedAgainUnchanged() async throws {
        let source = ["--database-url", CLI.temporaryDatabaseURL()]
        let workspace = try #require(
            try await CLI.run(["workspace", "create", "--name", "Acme", "--plan", "team", "--json"] + source)
                .json["id"] as? String
        )
        let user = try await CLI.run(
            [
                "user", "create", "--workspace", workspace, "--email", "ada@acme.test", "--name", "Ada",
                "--password-stdin",
            ] + source,
            input: "correct horse battery\n"
        )
        #expect(user.status == 0, "\(user.stderr)")
        let integration = try await CLI.run(
            ["integration", "create", "--workspace", workspace, "--name", "Robot", "--json"] + source
        )
        let integrationID = try #require(integration.json["id"] as? String)
        let token = try #require(integration.json["token"] as? String)
        let database = try #require(
            try await CLI.run(["database", "create", "--workspace", workspace, "--title", "Tasks", "--json"] + source)
                .json["id"] as? String
        )
        let page = try await CLI.run(
            ["page", "create", "--workspace", workspace, "--title", "Ship it", "--database", database, "--json"]
                + source
        )
        #expect(page.status == 0, "\(page.stderr)")
        #expect(
            try await CLI.run(["share", "--integration", integrationID, "--database", database] + source).status == 0
        )

        let exported = try await CLI.run(["workspace", "export", "--workspace", workspace] + source)
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(!exported.stdout.contains(token))
        #expect(!exported.stdout.contains("$2"), "no password hash")
        #expect(!exported.stdout.contains("correct horse"))
        let file = Scratch.path(".json")
        try exported.stdout.write(toFile: file, atomically: true, encoding: .utf8)

        let target = ["--database-url", CLI.temporaryDatabaseURL()]
        let imported = try await CLI.run(["workspace", "import", file, "--json"] + target)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.json["workspace_id"] as? String == workspace)
        #expect(imported.json["integration_ids"] as? [String] == [integrationID])
        #expect(imported.json["database_ids"] as? [String] == [database])
        #expect((imported.json["page_ids"] as? [String])?.count == 1)
        let again = try await CLI.run(["workspace", "export", "--workspace", workspace] + target)
        #expect(again.stdout == exported.stdout)

        // The imported integration has no key until one is minted.
        let rotated = try await CLI.run(["token", "rotate", "--integration", integrationID, "--json"] + target)
        #expect(rotated.status == 0, "\(rotated.stderr)")

        let twice = try await CLI.run(["workspace", "import", file] + target)
        #expect(twice.status != 0)
        #expect(twice.stderr.contains("conflict"))
        #expect(twice.stderr.split(separator: "\n").count == 1)
    }

    @Test func aBrokenFixtureIsOneLineNamingItsPathAndWritesNothing() async throws {
        let target = ["--database-url", CLI.temporaryDatabaseURL()]
        let file = Scratch.path(".json")
        try #"{"format": "gatehouse-workspace", "version": 1, "workspace": {"id": "x"}}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let broken = try await CLI.run(["workspace", "import", file] + target)
        #expect(broken.status != 0)
        #expect(broken.stderr.contains("$.workspace.name"), "\(broken.stderr)")
        // One error line (a new store also says where it put its audit key).
        #expect(broken.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }.count == 1)
        let missing = try await CLI.run(["workspace", "import", "/nonexistent/fixture.json"] + target)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot read the fixture file"))
        let created = try await CLI.run(["workspace", "create", "--name", "Empty", "--json"] + target)
        #expect(created.status == 0, "the store is usable and held no workspace: \(created.stderr)")
    }
}
