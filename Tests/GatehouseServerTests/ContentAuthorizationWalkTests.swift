import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

@testable import GatehouseStore

/// The table of docs/content-authorization.md, walked over real HTTP: every content endpoint with
/// an integration lacking exactly the capability the table names (403, nothing written), with it
/// (200), on a target of its workspace that is not shared (403, or 404 when so configured, nothing
/// written) and on another workspace's id (the same answer as a random id). The shared targets
/// live in the database's second data source, so every row also proves that sharing reaches them.
@Suite(.timeLimit(.minutes(3))) struct ContentAuthorizationWalkTests {
    /// The ids a row's request names: one side of the walk (shared, unshared, foreign or random).
    struct Targets: Sendable {
        var database: String
        var dataSource: String
        var page: String
        var titleProperty: String
        var block: String
        var spareBlock: String
        var comment: String
        var spareComment: String
        var discussion: String

        /// Every id, for telling one side's ids apart in messages.
        var ids: [String] { [database, dataSource, page, block, spareBlock, comment, spareComment, discussion] }

        static func random() -> Targets {
            func id() -> String { UUID().uuidString.lowercased() }
            return Targets(
                database: id(),
                dataSource: id(),
                page: id(),
                titleProperty: "title",
                block: id(),
                spareBlock: id(),
                comment: id(),
                spareComment: id(),
                discussion: id()
            )
        }
    }

    /// One row of the table: an endpoint and the capability it needs. A row without a target
    /// (listing, search) answers unshared and foreign content by leaving it out.
    struct Row: Sendable {
        let endpoint: String
        let capability: Capabilities.Content
        var version = "2025-09-03"
        var hasTarget = true
        let method: HTTPRequest.Method
        let path: @Sendable (Targets) -> String
        var body: @Sendable (Targets) -> String? = { _ in nil }
    }

    static func json(_ value: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: value), as: UTF8.self)
    }

    static func text(_ content: String) -> [[String: Any]] { [["type": "text", "text": ["content": content]]] }

    static func paragraph(_ content: String) -> [String: Any] {
        ["object": "block", "type": "paragraph", "paragraph": ["rich_text": text(content)]]
    }

    /// THE table (docs/content-authorization.md, "Endpoints and capabilities"), one row per line.
    static let table: [Row] = [
        Row(
            endpoint: "GET /v1/databases",
            capability: .readContent,
            version: "2022-06-28",
            hasTarget: false,
            method: .get,
            path: { _ in "/v1/databases" }
        ),
        Row(
            endpoint: "POST /v1/databases",
            capability: .insertContent,
            method: .post,
            path: { _ in "/v1/databases" },
            body: {
                json([
                    "parent": ["page_id": $0.page], "title": text("New"),
                    "initial_data_source": ["properties": ["Name": ["title": [:]]]],
                ])
            }
        ),
        Row(
            endpoint: "GET /v1/databases/{id}",
            capability: .readContent,
            method: .get,
            path: { "/v1/databases/\($0.database)" }
        ),
        Row(
            endpoint: "PATCH /v1/databases/{id}",
            capability: .updateContent,
            method: .patch,
            path: { "/v1/databases/\($0.database)" },
            body: { _ in json(["title": text("Renamed")]) }
        ),
        Row(
            endpoint: "POST /v1/databases/{id}/query",
            capability: .readContent,
            version: "2022-06-28",
            method: .post,
            path: { "/v1/databases/\($0.database)/query" },
            body: { _ in "{}" }
        ),
        Row(
            endpoint: "POST /v1/data_sources",
            capability: .insertContent,
            method: .post,
            path: { _ in "/v1/data_sources" },
            body: {
                json([
                    "parent": ["database_id": $0.database], "title": text("More"),
                    "properties": ["Name": ["title": [:]]],
                ])
            }
        ),
        Row(
            endpoint: "GET /v1/data_sources/{id}",
            capability: .readContent,
            method: .get,
            path: { "/v1/data_sources/\($0.dataSource)" }
        ),
        Row(
            endpoint: "PATCH /v1/data_sources/{id}",
            capability: .updateContent,
            method: .patch,
            path: { "/v1/data_sources/\($0.dataSource)" },
            body: { _ in json(["title": text("Second")]) }
        ),
        Row(
            endpoint: "POST /v1/data_sources/{id}/query",
            capability: .readContent,
            method: .post,
            path: { "/v1/data_sources/\($0.dataSource)/query" },
            body: { _ in "{}" }
        ),
        Row(
            endpoint: "GET /v1/data_sources/{id}/templates",
            capability: .readContent,
            method: .get,
            path: { "/v1/data_sources/\($0.dataSource)/templates" }
        ),
        Row(
            endpoint: "POST /v1/pages (data_source_id)",
            capability: .insertContent,
            method: .post,
            path: { _ in "/v1/pages" },
            body: {
                json([
                    "parent": ["data_source_id": $0.dataSource],
                    "properties": ["Name": ["title": text("Row")]],
                ])
            }
        ),
        Row(
            endpoint: "POST /v1/pages (database_id)",
            capability: .insertContent,
            version: "2022-06-28",
            method: .post,
            path: { _ in "/v1/pages" },
            body: { json(["parent": ["database_id": $0.database], "properties": [:]]) }
        ),
        Row(
            endpoint: "POST /v1/pages (page_id)",
            capability: .insertContent,
            method: .post,
            path: { _ in "/v1/pages" },
            body: { json(["parent": ["page_id": $0.page], "properties": ["title": ["title": text("Sub")]]]) }
        ),
        Row(
            endpoint: "GET /v1/pages/{id}",
            capability: .readContent,
            method: .get,
            path: { "/v1/pages/\($0.page)" }
        ),
        Row(
            endpoint: "PATCH /v1/pages/{id}",
            capability: .updateContent,
            method: .patch,
            path: { "/v1/pages/\($0.page)" },
            body: { _ in json(["properties": ["Name": ["title": text("Edited")]]]) }
        ),
        Row(
            endpoint: "GET /v1/pages/{id}/properties/{property_id}",
            capability: .readContent,
            method: .get,
            path: { "/v1/pages/\($0.page)/properties/\($0.titleProperty)" }
        ),
        Row(
            endpoint: "GET /v1/blocks/{id}",
            capability: .readContent,
            method: .get,
            path: { "/v1/blocks/\($0.block)" }
        ),
        Row(
            endpoint: "PATCH /v1/blocks/{id}",
            capability: .updateContent,
            method: .patch,
            path: { "/v1/blocks/\($0.block)" },
            body: { _ in json(["paragraph": ["rich_text": text("Changed")]]) }
        ),
        Row(
            endpoint: "DELETE /v1/blocks/{id}",
            capability: .updateContent,
            method: .delete,
            path: { "/v1/blocks/\($0.spareBlock)" }
        ),
        Row(
            endpoint: "GET /v1/blocks/{id}/children",
            capability: .readContent,
            method: .get,
            path: { "/v1/blocks/\($0.page)/children" }
        ),
        Row(
            endpoint: "PATCH /v1/blocks/{id}/children",
            capability: .insertContent,
            method: .patch,
            path: { "/v1/blocks/\($0.page)/children" },
            body: { _ in json(["children": [paragraph("More")]]) }
        ),
        Row(
            endpoint: "POST /v1/comments (page_id)",
            capability: .insertComments,
            method: .post,
            path: { _ in "/v1/comments" },
            body: { json(["parent": ["page_id": $0.page], "rich_text": text("On the page")]) }
        ),
        Row(
            endpoint: "POST /v1/comments (block_id)",
            capability: .insertComments,
            method: .post,
            path: { _ in "/v1/comments" },
            body: { json(["parent": ["block_id": $0.block], "rich_text": text("On the block")]) }
        ),
        Row(
            endpoint: "POST /v1/comments (discussion_id)",
            capability: .insertComments,
            method: .post,
            path: { _ in "/v1/comments" },
            body: { json(["discussion_id": $0.discussion, "rich_text": text("A reply")]) }
        ),
        Row(
            endpoint: "GET /v1/comments?block_id={id}",
            capability: .readComments,
            method: .get,
            path: { "/v1/comments?block_id=\($0.page)" }
        ),
        Row(
            endpoint: "GET /v1/comments/{id}",
            capability: .readComments,
            method: .get,
            path: { "/v1/comments/\($0.comment)" }
        ),
        Row(
            endpoint: "PATCH /v1/comments/{id}",
            capability: .insertComments,
            method: .patch,
            path: { "/v1/comments/\($0.comment)" },
            body: { _ in json(["rich_text": text("Edited")]) }
        ),
        Row(
            endpoint: "DELETE /v1/comments/{id}",
            capability: .insertComments,
            method: .delete,
            path: { "/v1/comments/\($0.spareComment)" }
        ),
        Row(
            endpoint: "POST /v1/search",
            capability: .readContent,
            hasTarget: false,
            method: .post,
            path: { _ in "/v1/search" },
            body: { _ in "{}" }
        ),
        // File uploads are the integration's own (no sharing): only the capability is walked.
        Row(
            endpoint: "POST /v1/file_uploads",
            capability: .insertContent,
            hasTarget: false,
            method: .post,
            path: { _ in "/v1/file_uploads" },
            body: { _ in "{}" }
        ),
        Row(
            endpoint: "GET /v1/file_uploads",
            capability: .insertContent,
            hasTarget: false,
            method: .get,
            path: { _ in "/v1/file_uploads" }
        ),
        // Last: it moves the page out of the second data source, into the database's first.
        Row(
            endpoint: "POST /v1/pages/{id}/move",
            capability: .updateContent,
            method: .post,
            path: { "/v1/pages/\($0.page)/move" },
            body: { json(["parent": ["data_source_id": $0.database]]) }
        ),
    ]

    static let capabilityNames: [(String, Capabilities.Content)] = [
        ("read_content", .readContent), ("update_content", .updateContent), ("insert_content", .insertContent),
        ("read_comments", .readComments), ("insert_comments", .insertComments),
    ]

    @Test func everyEndpointAnswersAsTheTableSaysForEachCapabilityAndTarget() async throws {
        let world = try await TestWorld.make()
        var lacking: [Int: String] = [:]
        for (_, capability) in Self.capabilityNames {
            var content = Capabilities.all.content
            content.remove(capability)
            let (integration, token) = try await world.otherIntegration(
                capabilities: Capabilities(content: content, userInfo: .withEmail)
            )
            _ = try await world.admin.share(
                integrationID: integration.id,
                target: .database(world.sharedDatabase.id),
                remove: false
            )
            lacking[capability.rawValue] = token
        }
        let (builder, builderToken) = try await world.otherIntegration(capabilities: .all)
        _ = try await world.admin.share(
            integrationID: builder.id,
            target: .database(world.unsharedDatabase.id),
            remove: false
        )
        let elsewhere = try await world.admin.createWorkspace(name: "Elsewhere", plan: .enterprise)
        let theirDatabase = try await world.admin.createDatabase(workspaceID: elsewhere.id, title: "Theirs")
        let (theirs, theirToken) = try await world.admin.createInternalIntegration(
            workspaceID: elsewhere.id,
            name: "Theirs",
            capabilities: .all
        )
        _ = try await world.admin.share(integrationID: theirs.id, target: .database(theirDatabase.id), remove: false)

        let missingTokens = lacking
        let app = try await world.application()
        try await app.test(.live) { client in
            let shared = try await Self.build(client, token: world.token, database: world.sharedDatabase.id)
            let unshared = try await Self.build(client, token: builderToken, database: world.unsharedDatabase.id)
            let foreign = try await Self.build(client, token: theirToken, database: theirDatabase.id)
            for row in Self.table {
                let missing = try #require(missingTokens[row.capability.rawValue])
                let before = try await Self.snapshot(world.store)
                let refused = try await Self.send(row, shared, token: missing, client)
                #expect(refused.status == 403, "\(row.endpoint) without its capability")
                #expect(refused.code == "restricted_resource", "\(row.endpoint)")
                #expect(refused.message == "Insufficient permissions for this endpoint.", "\(row.endpoint)")
                #expect(try await Self.snapshot(world.store) == before, "\(row.endpoint) wrote while refused")

                let allowed = try await Self.send(row, shared, token: world.token, client)
                #expect(allowed.status == 200, "\(row.endpoint) with its capability: \(allowed.text.prefix(300))")

                guard row.hasTarget else {
                    let hidden = Set(unshared.ids + foreign.ids)
                    #expect(!allowed.results.contains { hidden.contains($0["id"] as? String ?? "") }, "\(row.endpoint)")
                    continue
                }
                let beforeUnshared = try await Self.snapshot(world.store)
                let notShared = try await Self.send(row, unshared, token: world.token, client)
                #expect(notShared.status == 403, "\(row.endpoint) on an unshared target: \(notShared.text.prefix(200))")
                #expect(notShared.code == "restricted_resource", "\(row.endpoint)")
                #expect(notShared.message == "Integration does not have access to this resource.", "\(row.endpoint)")
                let random = Targets.random()
                let other = try await Self.send(row, foreign, token: world.token, client)
                let unknown = try await Self.send(row, random, token: world.token, client)
                #expect(other.status == 404, "\(row.endpoint) on another workspace's id: \(other.text.prefix(200))")
                #expect(other.code == "object_not_found", "\(row.endpoint)")
                #expect(other.status == unknown.status && other.code == unknown.code, "\(row.endpoint)")
                #expect(
                    Self.masking(other.message, foreign.ids) == Self.masking(unknown.message, random.ids),
                    "\(row.endpoint)"
                )
                #expect(try await Self.snapshot(world.store) == beforeUnshared, "\(row.endpoint) wrote while refused")
            }
        }
        let notFoundApp = try await world.application(unshared: .notFound)
        try await notFoundApp.test(.live) { client in
            let unshared = try await Self.build(client, token: builderToken, database: world.unsharedDatabase.id)
            for row in Self.table where row.hasTarget {
                let answer = try await Self.send(row, unshared, token: world.token, client)
                #expect(answer.status == 404, "\(row.endpoint) on an unshared target, 404 configured")
                #expect(answer.code == "object_not_found", "\(row.endpoint)")
                let random = Targets.random()
                let unknown = try await Self.send(row, random, token: world.token, client)
                #expect(
                    Self.masking(answer.message, unshared.ids) == Self.masking(unknown.message, random.ids),
                    "\(row.endpoint): an unshared id reads as a random one in 404 mode"
                )
            }
        }
        await world.store.shutdown()
    }

    @Test func theTableIsTheOneInTheDocs() throws {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/content-authorization.md")
        let whole = try String(contentsOf: docs, encoding: .utf8)
        let section = try #require(whole.range(of: "## Endpoints and capabilities"))
        let end = whole.range(of: "\n## ", range: section.upperBound..<whole.endIndex)?.lowerBound ?? whole.endIndex
        let text = whole[section.upperBound..<end]
        let names = Dictionary(uniqueKeysWithValues: Self.capabilityNames.map { ($0.1.rawValue, $0.0) })
        var documented: [String] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3, cells[0].hasPrefix("`"), cells[2].hasPrefix("`") else { continue }
            documented.append("\(cells[0]) \(cells[1]) \(cells[2])".replacingOccurrences(of: "`", with: ""))
        }
        let walked = Self.table.map { "\($0.endpoint) \($0.version) \(names[$0.capability.rawValue] ?? "?")" }
        #expect(documented == walked)
    }

    // MARK: Helpers

    static func send(
        _ row: Row,
        _ targets: Targets,
        token: String,
        _ client: some TestClientProtocol
    ) async throws -> APIResult {
        try await client.call(
            row.method,
            row.path(targets),
            token: token,
            version: row.version,
            body: row.body(targets)
        )
    }

    /// A second data source in `database`, a page in it with two blocks and two comments of this
    /// integration: what the rows of the table name.
    static func build(
        _ client: some TestClientProtocol,
        token: String,
        database: String
    ) async throws -> Targets {
        func call(_ method: HTTPRequest.Method, _ path: String, _ body: [String: Any]) async throws -> APIResult {
            let result = try await client.call(method, path, token: token, version: "2025-09-03", body: json(body))
            try #require(result.status == 200, "\(path): \(result.text.prefix(300))")
            return result
        }
        let dataSource = try await call(
            .post,
            "/v1/data_sources",
            ["parent": ["database_id": database], "title": text("Second"), "properties": ["Name": ["title": [:]]]]
        )
        let dataSourceID = try #require(dataSource.json["id"] as? String)
        let page = try await call(
            .post,
            "/v1/pages",
            ["parent": ["data_source_id": dataSourceID], "properties": ["Name": ["title": text("In the second")]]]
        )
        let pageID = try #require(page.json["id"] as? String)
        let title = try #require((page.json["properties"] as? [String: Any])?["Name"] as? [String: Any])
        let blocks = try await call(
            .patch,
            "/v1/blocks/\(pageID)/children",
            ["children": [paragraph("a"), paragraph("b")]]
        )
        let comment = try await call(.post, "/v1/comments", ["parent": ["page_id": pageID], "rich_text": text("c")])
        let spare = try await call(.post, "/v1/comments", ["parent": ["page_id": pageID], "rich_text": text("d")])
        return Targets(
            database: database,
            dataSource: dataSourceID,
            page: pageID,
            titleProperty: try #require(title["id"] as? String),
            block: try #require(blocks.results.first?["id"] as? String),
            spareBlock: try #require(blocks.results.last?["id"] as? String),
            comment: try #require(comment.json["id"] as? String),
            spareComment: try #require(spare.json["id"] as? String),
            discussion: try #require(comment.json["discussion_id"] as? String)
        )
    }

    /// `message` with each of `ids` replaced by `ID`.
    static func masking(_ message: String?, _ ids: [String]) -> String? {
        ids.reduce(message) { $0?.replacingOccurrences(of: $1, with: "ID") }
    }

    /// Every row of the content tables, to prove a refused request wrote nothing.
    static func snapshot(_ store: SQLStore) async throws -> [String] {
        try await store.read { database in
            var lines: [String] = []
            for table in ["databases", "data_sources", "pages", "blocks", "comments", "page_index", "shares"] {
                var tableLines: [String] = []
                for row in try await database.raw("SELECT * FROM \(unsafeRaw: table)").all() {
                    let values = row.allColumns.map { column -> String in
                        if (try? row.decodeNil(column: column)) == true { return "null" }
                        if let text = try? row.decode(column: column, as: String.self) { return text }
                        if let number = try? row.decode(column: column, as: Int.self) { return String(number) }
                        return "?"
                    }
                    tableLines.append("\(table): " + values.joined(separator: "|"))
                }
                lines += tableLines.sorted()
            }
            return lines
        }
    }
}
