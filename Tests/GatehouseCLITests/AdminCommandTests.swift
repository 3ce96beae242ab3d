import Foundation
import GatehouseTestSupport
import Testing

@Suite(.timeLimit(.minutes(2))) struct AdminCommandTests {
    /// Every admin command of the contract, with `--json`, against one new store.
    @Test func theAdminContractRoundTrips() async throws {
        let db = ["--database-url", CLI.temporaryDatabaseURL()]
        let workspace = try await CLI.run(["workspace", "create", "--name", "Acme", "--plan", "team", "--json"] + db)
        #expect(workspace.status == 0, "\(workspace.stderr)")
        let workspaceID = try #require(workspace.json["id"] as? String)

        let upgraded = try await CLI.run(
            ["workspace", "set-plan", "--workspace", workspaceID, "--plan", "enterprise", "--json"] + db
        )
        #expect(upgraded.status == 0, "\(upgraded.stderr)")
        #expect(upgraded.json["plan"] as? String == "enterprise")
        #expect(
            try await CLI.run(["workspace", "set-plan", "--workspace", UUID().uuidString, "--plan", "pro"] + db).status
                != 0
        )

        let user = try await CLI.run(
            [
                "user", "create", "--workspace", workspaceID, "--email", "ada@acme.test", "--name", "Ada", "--role",
                "owner",
                "--password-stdin", "--json",
            ] + db,
            input: "correct horse battery\n"
        )
        #expect(user.status == 0, "\(user.stderr)")
        #expect(user.json["id"] is String)
        #expect(!user.stdout.contains("correct horse"))

        let integration = try await CLI.run(
            [
                "integration", "create", "--workspace", workspaceID, "--name", "Robot", "--capabilities",
                "read_content,insert_content", "--json",
            ] + db
        )
        #expect(integration.status == 0, "\(integration.stderr)")
        let integrationID = try #require(integration.json["id"] as? String)
        let token = try #require(integration.json["token"] as? String)
        #expect(token.hasPrefix("secret_") && token.count == 53)
        #expect(integration.json["bot_id"] is String)

        let database = try await CLI.run(
            ["database", "create", "--workspace", workspaceID, "--title", "Tasks", "--json"] + db
        )
        let databaseID = try #require(database.json["id"] as? String)
        let page = try await CLI.run(
            ["page", "create", "--workspace", workspaceID, "--title", "First", "--database", databaseID, "--json"] + db
        )
        #expect(page.json["id"] is String)
        let share = try await CLI.run(
            ["share", "--integration", integrationID, "--database", databaseID, "--json"] + db
        )
        #expect(share.status == 0, "\(share.stderr)")
        #expect(share.json["shared"] as? Bool == true)

        let list = try await CLI.run(["integration", "list", "--workspace", workspaceID, "--json"] + db)
        let listed = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8))) as? [[String: Any]]
        #expect(listed?.compactMap { $0["id"] as? String } == [integrationID])

        let show = try await CLI.run(["integration", "show", "--integration", integrationID, "--json"] + db)
        #expect(show.json["shared_resource_ids"] as? [String] == [databaseID])
        #expect(show.json["capabilities"] as? [String] == ["read_content", "insert_content", "no_user_info"])

        let tokens = try await CLI.run(["token", "list", "--integration", integrationID, "--json"] + db)
        #expect(tokens.status == 0)
        #expect(!tokens.stdout.contains(token))
        #expect(tokens.stdout.contains("secret_…" + token.suffix(4)))
        #expect(tokens.stdout.contains("\"use_count\":0"))

        let rotated = try await CLI.run(
            ["token", "rotate", "--integration", integrationID, "--grace", "7d", "--json"] + db
        )
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let newToken = try #require(rotated.json["token"] as? String)
        #expect(newToken.hasPrefix("secret_") && newToken != token)
        let expiresAt = try #require(rotated.json["old_token_expires_at"] as? String)
        let expiry = try #require(try? Date(expiresAt, strategy: .iso8601))
        #expect(abs(expiry.timeIntervalSinceNow - 7 * 86_400) < 120)
        let badGrace = try await CLI.run(["token", "rotate", "--integration", integrationID, "--grace", "soon"] + db)
        #expect(badGrace.status != 0)
        #expect(badGrace.stderr.contains("not a duration"))

        let revoke = try await CLI.run(["token", "revoke", "--token-stdin", "--json"] + db, input: token + "\n")
        #expect(revoke.status == 0, "\(revoke.stderr)")
        #expect((revoke.json["revoked"] as? [String])?.count == 1)
        let again = try await CLI.run(["token", "revoke", "--token-stdin"] + db, input: token + "\n")
        #expect(again.status != 0)
        #expect(again.stderr.contains("already revoked"))
        let status = try await CLI.run(["token", "list", "--integration", integrationID, "--json"] + db)
        #expect(status.stdout.contains("\"revoked\""))

        let events = try await CLI.run(["events", "--json"] + db)
        #expect(events.status == 0)
        let lines = events.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let actions = lines.compactMap { $0["action"] as? String }
        for action in [
            "workspace.created", "workspace.plan_changed", "user.created", "integration.created", "database.created",
            "page.created", "share.added", "token.rotated", "token.revoked",
        ] {
            #expect(actions.contains(action), "\(action) missing from \(actions)")
        }
        #expect(!events.stdout.contains(token.dropFirst(7).prefix(12)))
        #expect(!events.stdout.contains("correct horse"))
        let verified = try await CLI.run(["events", "verify"] + db)
        #expect(verified.status == 0)
        #expect(verified.stdout.contains("intact"))

        let delete = try await CLI.run(["integration", "delete", "--integration", integrationID, "--json"] + db)
        #expect(delete.status == 0)
        let gone = try await CLI.run(["integration", "show", "--integration", integrationID] + db)
        #expect(gone.status != 0)
        #expect(gone.stderr.contains("no integration with id"))
    }

    @Test func badInputGetsAOneLineErrorAndANonZeroExit() async throws {
        let db = ["--database-url", CLI.temporaryDatabaseURL()]
        let workspaceID = try #require(
            try await CLI.run(["workspace", "create", "--name", "W", "--json"] + db).json["id"] as? String
        )
        let create = ["user", "create", "--workspace", workspaceID, "--name", "A", "--password-stdin"]
        #expect(try await CLI.run(create + ["--email", "a@b.test"] + db, input: "longenough\n").status == 0)

        let cases: [(arguments: [String], input: String?, says: String)] = [
            (create + ["--email", "a@b.test"] + db, "longenough\n", "already exists"),
            (create + ["--email", "not-an-email"] + db, "longenough\n", "not an email address"),
            (create + ["--email", "c@b.test"] + db, "short\n", "at least 8 characters"),
            (
                ["user", "create", "--workspace", workspaceID, "--name", "A", "--email", "d@b.test"] + db, nil,
                "--password-stdin"
            ),
            (["integration", "create", "--workspace", UUID().uuidString, "--name", "X"] + db, nil, "no workspace"),
            (
                [
                    "integration", "create", "--workspace", workspaceID, "--name", "X", "--capabilities",
                    "read_content,fly",
                ] + db, nil,
                "unknown capability 'fly'"
            ),
            (["workspace", "create", "--name", "X", "--plan", "gold"] + db, nil, "gold"),
            (
                ["workspace", "create", "--name", "X", "--database-url", "mysql://root:hunter2@db/x"], nil,
                "invalid database URL"
            ),
            (
                [
                    "workspace", "create", "--name", "X", "--database-url",
                    "postgres://u:hunter2@127.0.0.1:1/x?sslmode=disable",
                ], nil,
                "cannot connect to PostgreSQL"
            ),
            (
                ["workspace", "create", "--name", "X", "--database-url", "sqlite:/nonexistent-dir/x.sqlite"], nil,
                "cannot open SQLite database"
            ),
            (
                ["share", "--integration", UUID().uuidString, "--database", UUID().uuidString] + db, nil,
                "no integration"
            ),
            (["share", "--integration", UUID().uuidString] + db, nil, "exactly one of --database and --page"),
            (["token", "revoke", "--token-id", UUID().uuidString] + db, nil, "no token with id"),
            (["token", "revoke", "--token-stdin"] + db, "secret_notarealtoken\n", "not one this store issued"),
            (
                ["page", "create", "--workspace", workspaceID, "--title", "P", "--database", UUID().uuidString] + db,
                nil,
                "no database with id"
            ),
        ]
        for testCase in cases {
            let result = try await CLI.run(testCase.arguments, input: testCase.input)
            #expect(result.status != 0, "\(testCase.arguments)")
            #expect(result.stderr.contains(testCase.says), "\(testCase.arguments): \(result.stderr)")
            #expect(!result.stderr.contains("hunter2"))
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Backtrac"))
            #expect(result.stdout.isEmpty || result.stdout.contains("USAGE"), "\(result.stdout)")
        }
    }

    /// Settings come from flags, then the environment, then `.env` in the working directory.
    @Test func theDatabaseURLComesFromFlagThenEnvironmentThenDotEnv() async throws {
        let directory = try Scratch.newDirectory()
        let fromFile = directory.appendingPathComponent("from-dotenv.sqlite").path
        let fromEnvironment = directory.appendingPathComponent("from-environment.sqlite").path
        let fromFlag = directory.appendingPathComponent("from-flag.sqlite").path
        try "# comment\nexport GATEHOUSE_DATABASE_URL=\"sqlite:\(fromFile)\"\n".write(
            toFile: directory.appendingPathComponent(".env").path,
            atomically: true,
            encoding: .utf8
        )
        let clean = ["GATEHOUSE_DATABASE_URL": ""]

        #expect(
            try await CLI.run(["workspace", "create", "--name", "A"], environment: clean, directory: directory).status
                == 0
        )
        #expect(FileManager.default.fileExists(atPath: fromFile))
        let environment = ["GATEHOUSE_DATABASE_URL": "sqlite:\(fromEnvironment)"]
        #expect(
            try await CLI.run(["workspace", "create", "--name", "B"], environment: environment, directory: directory)
                .status
                == 0
        )
        #expect(FileManager.default.fileExists(atPath: fromEnvironment))
        let flag = ["workspace", "create", "--name", "C", "--database-url", "sqlite:\(fromFlag)"]
        #expect(try await CLI.run(flag, environment: environment, directory: directory).status == 0)
        #expect(FileManager.default.fileExists(atPath: fromFlag))
    }

    @Test func eventsVerifyFindsATamperedEvent() async throws {
        let url = CLI.temporaryDatabaseURL()
        let db = ["--database-url", url]
        for name in ["A", "B", "C"] {
            #expect(try await CLI.run(["workspace", "create", "--name", name] + db).status == 0)
        }
        let path = String(url.dropFirst("sqlite:".count))
        let tamper = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE audit_events SET actor='mallory' WHERE seq=2\"); c.commit()",
                path,
            ]
        )
        #expect(tamper.status == 0)
        let verdict = try await CLI.run(["events", "verify"] + db)
        #expect(verdict.status == 1)
        #expect(verdict.stdout.contains("broken at event 2"))
    }

    @Test func eventsVerifyWithTheKeyFindsAnUnkeyedRewriteAndSaysWhatItCannotDetect() async throws {
        let url = CLI.temporaryDatabaseURL()
        let db = ["--database-url", url]
        for name in ["A", "B", "C"] {
            #expect(try await CLI.run(["workspace", "create", "--name", name] + db).status == 0)
        }
        let path = String(url.dropFirst("sqlite:".count))
        let keyFile = path + ".audit-key"
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let intact = try await CLI.run(["events", "verify"] + db)
        #expect(intact.status == 0)
        #expect(intact.stdout.contains("intact"))
        #expect(intact.stdout.contains("Detects: an edited event"))
        #expect(intact.stdout.contains("deletion of the newest events (truncation)"))

        // Someone with write access to the file alone rewrites the chain, unkeyed, as before M5.
        let rewrite = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sqlite3,sys,hashlib
                c=sqlite3.connect(sys.argv[1]); prev='0'*64
                c.execute("UPDATE audit_events SET actor='mallory' WHERE seq=2")
                for r in c.execute('SELECT seq,time,actor,action,target,outcome,ip,user_agent,request_id,details FROM audit_events ORDER BY seq').fetchall():
                  h=hashlib.sha256()
                  for f in [prev,str(r[1]),r[2],r[3],r[4] or '',r[5],r[6] or '',r[7] or '',r[8] or '',r[9]]:
                    h.update(f.encode()); h.update(b'\\x1f')
                  d=h.hexdigest(); c.execute('UPDATE audit_events SET prev_hash=?, hash=? WHERE seq=?',(prev,d,r[0])); prev=d
                c.commit()
                """,
                path,
            ]
        )
        #expect(rewrite.status == 0)
        let keyed = try await CLI.run(["events", "verify", "--json"] + db)
        #expect(keyed.status == 1)
        #expect(keyed.json["intact"] as? Bool == false)
        #expect((keyed.json["reason"] as? String)?.contains("without the audit key") == true)

        // Without the key the same rewrite passes, and the command says that it cannot tell.
        try FileManager.default.moveItem(atPath: keyFile, toPath: keyFile + ".away")
        let unkeyed = try await CLI.run(["events", "verify"] + db)
        #expect(unkeyed.status == 0)
        #expect(unkeyed.stdout.contains("Cannot detect: edits, insertions and deletions by someone who recomputes"))
    }
}
