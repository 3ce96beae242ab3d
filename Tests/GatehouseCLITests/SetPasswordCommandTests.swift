import Foundation
import GatehouseTestSupport
import Testing

@Suite(.timeLimit(.minutes(2))) struct SetPasswordCommandTests {
    @Test func anOperatorSetsAPasswordFromStandardInputOnlyAndItIsAudited() async throws {
        let db = ["--database-url", CLI.temporaryDatabaseURL()]
        let workspaceID = try #require(
            try await CLI.run(["workspace", "create", "--name", "W", "--json"] + db).json["id"] as? String
        )
        let create = ["user", "create", "--workspace", workspaceID, "--name", "A", "--email", "a@b.test"]
        #expect(try await CLI.run(create + ["--password-stdin"] + db, input: "longenough\n").status == 0)

        let set = try await CLI.run(
            ["user", "set-password", "--email", "A@b.test", "--password-stdin", "--json"] + db,
            input: "a new long password\n"
        )
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.json["email"] as? String == "a@b.test")
        #expect(set.json["sessions_ended"] as? Bool == true)
        #expect(!set.stdout.contains("a new long password"))

        let short = try await CLI.run(
            ["user", "set-password", "--email", "a@b.test", "--password-stdin"] + db,
            input: "short\n"
        )
        #expect(short.status != 0)
        #expect(short.stderr.contains("at least 8 characters"))
        let unknown = try await CLI.run(
            ["user", "set-password", "--email", "nobody@b.test", "--password-stdin"] + db,
            input: "longenough\n"
        )
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no user with email"))
        let withoutStdin = try await CLI.run(["user", "set-password", "--email", "a@b.test"] + db)
        #expect(withoutStdin.status != 0)
        #expect(withoutStdin.stderr.contains("--password-stdin"))

        let reset = try await CLI.run(["user", "reset-totp", "--email", "a@b.test", "--json"] + db)
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(reset.json["had_totp"] as? Bool == false)
        #expect(try await CLI.run(["user", "reset-totp", "--email", "x@b.test"] + db).status != 0)

        let events = try await CLI.run(["events", "--json"] + db)
        #expect(events.stdout.contains("second_factor.reset"))
        #expect(events.stdout.contains("password.changed"))
        #expect(!events.stdout.contains("a new long password"))
    }
}
