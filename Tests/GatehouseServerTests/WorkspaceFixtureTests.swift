import Foundation
import GatehouseAdmin
import GatehouseContent
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

/// `workspace export` / `workspace import`: the seeded sandbox exported, imported into a new store
/// (SQLite, and PostgreSQL when `GATEHOUSE_TEST_POSTGRES_URL` is set), exported again to the same
/// JSON, and answered the same by the API; bad fixtures and conflicts write nothing.
@Suite(.timeLimit(.minutes(3))) struct WorkspaceFixtureTests {
    static let engines: [String] =
        ["sqlite"] + (ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_URL"] == nil ? [] : ["postgres"])

    static func openStore(_ engine: String) async throws -> SQLStore {
        let url =
            engine == "sqlite"
            ? DatabaseURL.sqlite(path: Scratch.path(".sqlite"))
            : try DatabaseURL(parsing: ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_URL"]!)
        return try await SQLStore.open(url, logger: TestWorld.quietLogger)
    }

    /// What the API answers for a page, its blocks and its comments, without the per-request id, as sorted JSON.
    static func answers(
        _ client: some TestClientProtocol,
        token: String,
        page: String,
        database: String
    ) async throws -> [String] {
        var answers: [String] = []
        let paths = [
            "/v1/pages/\(page)", "/v1/blocks/\(page)/children", "/v1/comments?block_id=\(page)",
            "/v1/databases/\(database)", "/v1/data_sources/\(database)",
        ]
        for path in paths {
            let result = try await client.call(.get, path, token: token, version: SandboxSeedTests.version)
            #expect(result.status == 200, "\(result.text)")
            var json = result.json
            json["request_id"] = nil
            let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            answers.append(String(decoding: data, as: UTF8.self))
        }
        return answers
    }

    @Test(arguments: engines) func anExportImportedIntoANewStoreExportsTheSameAndAnswersTheSame(
        engine: String
    ) async throws {
        let (world, sandbox) = try await SandboxSeedTests.seededWorld()
        var fixture = try await world.admin.exportWorkspace(sandbox.workspace.id)
        // The shared PostgreSQL database outlives this run: its e-mails must be new there.
        let originalEmail = try #require(fixture.users.first?.email)
        let newEmail = engine == "sqlite" ? originalEmail : "\(UUID().uuidString.prefix(8).lowercased())@imported.test"
        fixture.users[0].email = newEmail
        // Five reads on each server: more than the sandbox's plan (pro) allows at once.
        let plans = RatePlans(overrides: [.pro: RatePlan(requestsPerSecond: 10_000, burst: 10_000, dailyQuota: nil)])
        let original = try await world.test(.live, plans: plans) { client in
            try await Self.answers(
                client,
                token: world.token,
                page: world.sharedPage.id,
                database: world.sharedDatabase.id
            )
        }
        #expect(!String(decoding: try fixture.encoded(), as: UTF8.self).contains(sandbox.demoKey))
        #expect(fixture.pages.contains { $0.icon == ["type": "emoji", "emoji": "👋"] })

        let store = try await Self.openStore(engine)
        let authenticator = Authenticator(store: store, clock: SystemClock())
        let admin = AdminOperations(store: store, bcryptCost: 4, onRevocation: { authenticator.apply($0) })
        let imported = try await admin.importWorkspace(WorkspaceFixture.decode(try fixture.encoded()))
        #expect(imported.workspaceID == sandbox.workspace.id)
        #expect(imported.pageIDs.count == fixture.pages.count)
        let again = try await admin.exportWorkspace(sandbox.workspace.id)
        #expect(try again.encoded() == fixture.encoded())

        let key = try await admin.rotateToken(integrationID: sandbox.integration.id, grace: nil).token
        let copy = TestWorld(
            path: world.path,
            store: store,
            admin: admin,
            authenticator: authenticator,
            workspace: world.workspace,
            integration: world.integration,
            token: key,
            sharedDatabase: world.sharedDatabase,
            sharedPage: world.sharedPage,
            unsharedDatabase: world.unsharedDatabase,
            unsharedPage: world.unsharedPage,
            owner: world.owner
        )
        let answered = try await copy.test(.live, plans: plans) { client in
            let restricted = try await client.call(.get, "/v1/databases/\(world.unsharedDatabase.id)", token: key)
            #expect(restricted.status == 403)
            return try await Self.answers(
                client,
                token: key,
                page: world.sharedPage.id,
                database: world.sharedDatabase.id
            )
        }
        let answeredAsOriginal = answered.map { $0.replacingOccurrences(of: newEmail, with: originalEmail) }
        #expect(answeredAsOriginal == original)
    }

    @Test func aWorkspaceTheStoreHoldsIsAConflictAndWritesNothing() async throws {
        let (world, sandbox) = try await SandboxSeedTests.seededWorld()
        var fixture = try await world.admin.exportWorkspace(sandbox.workspace.id)
        let refused = await #expect(throws: AdminError.self) { try await world.admin.importWorkspace(fixture) }
        #expect(refused?.message.hasPrefix("conflict") == true)
        // A stored person's e-mail in other letters is that person: a conflict, not a second account.
        var shouting = fixture
        shouting.workspace.id = UUID().uuidString.lowercased()
        shouting.users = [fixture.users[0]]
        shouting.users[0].id = UUID().uuidString.lowercased()
        shouting.users[0].email = " " + fixture.users[0].email.uppercased()
        shouting.integrations = []
        shouting.databases = []
        shouting.dataSources = []
        shouting.pages = []
        shouting.blocks = []
        shouting.comments = []
        let sameEmail = await #expect(throws: AdminError.self) { try await world.admin.importWorkspace(shouting) }
        #expect(sameEmail?.message.contains("e-mail") == true, "\(sameEmail?.message ?? "")")
        #expect(try await world.store.workspace(id: shouting.workspace.id) == nil)
        // A new workspace whose databases collide with stored ones: the transaction leaves nothing behind.
        fixture.workspace.id = UUID().uuidString.lowercased()
        for index in fixture.users.indices {
            fixture.users[index].id = UUID().uuidString.lowercased()
            fixture.users[index].email = "other\(index)@imported.test"
        }
        fixture.integrations = []
        fixture.pages = []
        fixture.blocks = []
        fixture.comments = []
        // Their authors were the replaced users.
        for index in fixture.databases.indices {
            fixture.databases[index].createdBy = nil
            fixture.databases[index].lastEditedBy = nil
        }
        for index in fixture.dataSources.indices {
            fixture.dataSources[index].createdBy = nil
            fixture.dataSources[index].lastEditedBy = nil
        }
        let collided = await #expect(throws: AdminError.self) { try await world.admin.importWorkspace(fixture) }
        #expect(collided?.message.hasPrefix("conflict") == true, "\(collided?.message ?? "")")
        #expect(try await world.store.workspace(id: fixture.workspace.id) == nil)
        #expect(try await world.store.person(email: "other0@imported.test") == nil)
        await world.store.shutdown()
    }

    @Test func aBadFixtureIsRefusedWithItsJSONPathAndWritesNothing() async throws {
        let (world, sandbox) = try await SandboxSeedTests.seededWorld()
        let exported = try await world.admin.exportWorkspace(sandbox.workspace.id)
        await world.store.shutdown()
        let store = try await Self.openStore("sqlite")
        let admin = AdminOperations(store: store, bcryptCost: 4)

        var dangling = exported
        dangling.pages[3].parent.type = "page_id"
        dangling.pages[3].parent.id = UUID().uuidString.lowercased()
        var wrongType = exported
        let tasksSource = try #require(exported.dataSources.first { $0.name == "Tasks" })
        let taskIndex = try #require(exported.pages.firstIndex { $0.parent.id == tasksSource.id })
        let statusID = try #require(tasksSource.schema.property(named: "Status")?.id)
        wrongType.pages[taskIndex].properties[statusID] = .checkbox(true)
        var tooLong = exported
        tooLong.comments[1].richText = RichText([
            RichTextItem(content: .text(content: String(repeating: "a", count: 2_001), link: nil))
        ])
        var spoofing = exported
        let guide = try #require(exported.pages.firstIndex { $0.parent.type == "workspace" })
        spoofing.pages[guide].properties["title"] = .title(
            RichText([RichTextItem(content: .text(content: "Road\u{202E}map", link: nil))])
        )
        var badID = exported
        badID.blocks[0].id = "not-a-uuid"
        // A query's cursor reads the pages created by its first page's time: none from the future.
        var future = exported
        future.pages[3].createdTime = Date().addingTimeInterval(86_400)
        for (fixture, path) in [
            (dangling, "$.pages[3].parent"), (wrongType, "$.pages[\(taskIndex)].properties.\(statusID)"),
            (badID, "$.blocks[0]"), (tooLong, "$.comments[1].rich_text[0].text.content"),
            (spoofing, "$.pages[\(guide)].properties.title"), (future, "$.pages[3].created_time"),
        ] {
            let error = await #expect(throws: AdminError.self) { try await admin.importWorkspace(fixture) }
            #expect(error?.message.contains(path) == true, "\(error?.message ?? "")")
        }
        var text = String(decoding: try exported.encoded(), as: UTF8.self)
        text = text.replacingOccurrences(of: #""plan" : "pro""#, with: #""plan" : 7"#)
        let decoding = #expect(throws: AdminError.self) { try WorkspaceFixture.decode(Data(text.utf8)) }
        #expect(decoding?.message.contains("$.workspace.plan") == true, "\(decoding?.message ?? "")")
        let notJSON = #expect(throws: AdminError.self) { try WorkspaceFixture.decode(Data("{".utf8)) }
        #expect(notJSON?.message == "the fixture is not valid JSON")
        #expect(try await store.workspaces().isEmpty)
        await store.shutdown()
    }
}
