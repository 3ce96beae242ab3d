import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

/// The seeded sandbox, asked through the real HTTP API with the demo key as a developer would after
/// the README's quick start, at the official clients' version.
@Suite(.timeLimit(.minutes(2))) struct SandboxSeedTests {
    static let version = "2025-09-03"

    /// A new SQLite store seeded by ``SandboxSeeder``, as a ``TestWorld`` on the demo integration.
    static func seededWorld() async throws -> (TestWorld, SandboxSeeder.Sandbox) {
        let path = Scratch.path(".sqlite")
        let store = try await SQLStore.open(.sqlite(path: path), logger: TestWorld.quietLogger)
        let authenticator = Authenticator(store: store, clock: SystemClock())
        let admin = AdminOperations(store: store, bcryptCost: 4, onRevocation: { authenticator.apply($0) })
        let sandbox = try #require(try await SandboxSeeder(admin: admin).seedIfEmpty())
        let owner = try #require(try await store.people(workspaceID: sandbox.workspace.id).first)
        let tasks = try #require(sandbox.sharedDatabases.first { $0.title == "Tasks" })
        let salaries = try #require(try await store.pages(databaseID: sandbox.unsharedDatabase.id).first)
        let world = TestWorld(
            path: path,
            store: store,
            admin: admin,
            authenticator: authenticator,
            workspace: sandbox.workspace,
            integration: sandbox.integration,
            token: sandbox.demoKey,
            sharedDatabase: tasks,
            sharedPage: try #require(sandbox.sharedPages.first),
            unsharedDatabase: sandbox.unsharedDatabase,
            unsharedPage: salaries,
            owner: owner
        )
        return (world, sandbox)
    }

    static func title(_ page: [String: Any]) -> String {
        let properties = page["properties"] as? [String: Any]
        let title = (properties?["Name"] as? [String: Any])?["title"] as? [[String: Any]]
        return title?.compactMap { $0["plain_text"] as? String }.joined() ?? ""
    }

    @Test func theTasksDataSourceAnswersAStatusFilterWithItsRelationsPages() async throws {
        let (world, _) = try await Self.seededWorld()
        try await world.test(.live) { client in
            let source = try await client.call(
                .get,
                "/v1/data_sources/\(world.sharedDatabase.id)",
                token: world.token,
                version: Self.version
            )
            #expect(source.status == 200, "\(source.text)")
            let properties = try #require(source.json["properties"] as? [String: Any])
            #expect(
                Set(properties.keys) == ["Name", "Status", "Due", "Assignee", "Tags", "Project", "Estimate", "Done"]
            )
            let status = try #require((properties["Status"] as? [String: Any])?["status"] as? [String: Any])
            #expect(
                (status["groups"] as? [[String: Any]])?.map { $0["name"] as? String } == [
                    "To-do", "In progress", "Complete",
                ]
            )

            let all = try await client.call(
                .post,
                "/v1/data_sources/\(world.sharedDatabase.id)/query",
                token: world.token,
                version: Self.version,
                body: "{}"
            )
            #expect(all.results.count == 12)
            let inProgress = try await client.call(
                .post,
                "/v1/data_sources/\(world.sharedDatabase.id)/query",
                token: world.token,
                version: Self.version,
                body:
                    #"{"filter": {"property": "Status", "status": {"equals": "In progress"}}, "sorts": [{"property": "Due", "direction": "ascending"}]}"#
            )
            #expect(inProgress.status == 200, "\(inProgress.text)")
            #expect(
                inProgress.results.map(Self.title) == [
                    "Rate-limit the search endpoint", "Write the launch plan", "Document pagination",
                    "Set up crash reporting",
                ]
            )
            let first = try #require(inProgress.results.first?["properties"] as? [String: Any])
            let assignee = (first["Assignee"] as? [String: Any])?["people"] as? [[String: Any]]
            #expect(assignee?.first?["id"] as? String == world.owner.id)
            let relation = try #require((first["Project"] as? [String: Any])?["relation"] as? [[String: Any]])
            let projectID = try #require(relation.first?["id"] as? String)
            let project = try await client.call(
                .get,
                "/v1/pages/\(projectID)",
                token: world.token,
                version: Self.version
            )
            #expect(project.status == 200, "\(project.text)")
            #expect(Self.title(project.json) == "Public API")
            #expect((project.json["parent"] as? [String: Any])?["type"] as? String == "data_source_id")
        }
    }

    @Test func theGettingStartedPageHasItsBlocksAndACommentThread() async throws {
        let (world, _) = try await Self.seededWorld()
        try await world.test(.live) { client in
            let page = world.sharedPage.id
            let blocks = try await client.call(
                .get,
                "/v1/blocks/\(page)/children",
                token: world.token,
                version: Self.version
            )
            #expect(blocks.status == 200, "\(blocks.text)")
            let types = blocks.results.compactMap { $0["type"] as? String }
            #expect(
                types == [
                    "heading_1", "paragraph", "heading_2", "to_do", "to_do", "to_do", "bulleted_list_item",
                    "bulleted_list_item", "bulleted_list_item", "code", "callout", "toggle",
                ]
            )
            let paragraph = try #require(
                (blocks.results[1]["paragraph"] as? [String: Any])?["rich_text"] as? [[String: Any]]
            )
            let mentions = paragraph.filter { $0["type"] as? String == "mention" }.map { $0["plain_text"] as? String }
            #expect(mentions == ["@Sandbox Owner", "Tasks"])
            #expect((paragraph[1]["annotations"] as? [String: Any])?["bold"] as? Bool == true)
            let toggle = try #require(blocks.results.last)
            #expect(toggle["has_children"] as? Bool == true)
            let nested = try await client.call(
                .get,
                "/v1/blocks/\(try #require(toggle["id"] as? String))/children",
                token: world.token,
                version: Self.version
            )
            #expect(nested.results.compactMap { $0["type"] as? String } == ["paragraph", "bulleted_list_item"])

            let comments = try await client.call(
                .get,
                "/v1/comments?block_id=\(page)",
                token: world.token,
                version: Self.version
            )
            #expect(comments.status == 200, "\(comments.text)")
            #expect(comments.results.count == 2)
            #expect(Set(comments.results.compactMap { $0["discussion_id"] as? String }).count == 1)
            #expect(
                (comments.results.last?["created_by"] as? [String: Any])?["id"] as? String == world.integration.botID
            )
        }
    }

    @Test func thePrivateDatabaseStaysUnshared() async throws {
        let (world, sandbox) = try await Self.seededWorld()
        try await world.test(.live) { client in
            let refused = try await client.call(
                .get,
                "/v1/databases/\(sandbox.unsharedDatabase.id)",
                token: world.token,
                version: Self.version
            )
            #expect(refused.status == 403)
            #expect(refused.code == "restricted_resource")
            let listed = try await client.call(.get, "/v1/databases", token: world.token, version: "2024-11-15")
            #expect(
                Set(listed.results.compactMap { ($0["title"] as? [[String: Any]])?.first?["plain_text"] as? String })
                    == ["Projects", "Tasks"]
            )
        }
    }

    @Test func theAuditLogTellsOfTheSeededContent() async throws {
        let (world, _) = try await Self.seededWorld()
        let events = try await world.store.events(since: nil, limit: 200)
        await world.store.shutdown()
        let databases = events.filter { $0.action == "database.created" }.compactMap { $0.details["title"] }
        #expect(databases.sorted() == ["Private", "Projects", "Tasks"])
        #expect(events.contains { $0.action == "page.created" && $0.target == world.sharedPage.id })
        #expect(events.filter { $0.action == "share.added" }.count == 3)
    }
}
