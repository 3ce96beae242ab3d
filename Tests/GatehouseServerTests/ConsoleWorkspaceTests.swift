import Foundation
import GatehouseAdmin
import GatehouseContent
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GatehouseServer

/// The console's read-only workspace view over real HTTP: content written through the API (as an
/// integration writes it) shows in the tree, a data source's table and a page's rendering; nothing
/// of another workspace shows; untrusted text stays text.
@Suite(.timeLimit(.minutes(3))) struct ConsoleWorkspaceTests {
    /// A world with a top-level page "Handbook" shared with the world's integration.
    static func world() async throws -> (TestWorld, OAuthFlow, PageRecord) {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let handbook = try await world.admin.createPage(
            workspaceID: world.workspace.id,
            title: "Handbook",
            databaseID: nil
        )
        _ = try await world.admin.share(integrationID: world.integration.id, target: .page(handbook.id), remove: false)
        return (world, flow, handbook)
    }

    /// Calls the API as the world's integration; the response must be a success.
    static func api(
        _ client: any TestClientProtocol,
        _ world: TestWorld,
        _ method: HTTPRequest.Method,
        _ path: String,
        _ body: String? = nil,
        version: String = "2022-06-28"
    ) async throws -> [String: Any] {
        let result = try await client.call(method, path, token: world.token, version: version, body: body)
        #expect(result.status == 200, "\(method) \(path): \(result.text)")
        return result.json
    }

    @Test func signedOutVisitorsAreSentToSignIn() async throws {
        let (world, _, handbook) = try await Self.world()
        try await world.test(.router) { client in
            for path in [
                "/console/workspace", "/console/workspace/pages/\(handbook.id)",
                "/console/workspace/databases/\(world.sharedDatabase.id)",
            ] {
                let page = try await client.send(.get, path)
                #expect(page.status == 303, "\(path)")
                #expect(page.headers[.location] == "/console/signin", "\(path)")
            }
        }
    }

    @Test func theTreeListsTopLevelPagesAndDatabasesAndAPageListsItsChildren() async throws {
        let (world, flow, handbook) = try await Self.world()
        let trashed = try await world.admin.createPage(
            workspaceID: world.workspace.id,
            title: "Old plans",
            databaseID: nil
        )
        _ = try await world.admin.share(integrationID: world.integration.id, target: .page(trashed.id), remove: false)
        try await world.test(.router) { client in
            let child = try await Self.api(
                client,
                world,
                .post,
                "/v1/pages",
                #"{"parent":{"page_id":"\#(handbook.id)"},"properties":{"title":{"title":[{"text":{"content":"Onboarding"}}]}}}"#
            )
            let childID = try #require(child["id"] as? String)
            let database = try await Self.api(
                client,
                world,
                .post,
                "/v1/databases",
                #"{"parent":{"page_id":"\#(handbook.id)"},"title":[{"text":{"content":"Glossary"}}],"properties":{"Term":{"title":{}}}}"#
            )
            let databaseID = try #require(database["id"] as? String)
            _ = try await Self.api(client, world, .patch, "/v1/pages/\(trashed.id)", #"{"in_trash":true}"#)
            let cookies = [OAuthFlow.sessionCookie: try requireValue(try await flow.signIn(client), "session")]

            let tree = try await client.send(.get, "/console/workspace", cookies: cookies)
            #expect(tree.status == 200)
            #expect(tree.text.contains(#"id="nav-workspace""#))
            for (title, href) in [
                ("Handbook", "/console/workspace/pages/\(handbook.id)"),
                ("Tasks", "/console/workspace/databases/\(world.sharedDatabase.id)"),
                ("Private", "/console/workspace/databases/\(world.unsharedDatabase.id)"),
                ("Old plans", "/console/workspace/pages/\(trashed.id)"),
            ] {
                #expect(tree.text.contains(#"<a href="\#(href)">\#(title)</a>"#), "\(title)")
            }
            #expect(tree.text.contains("in trash"))
            // Children are one level down, not at the top; a database's rows are in its table.
            #expect(!tree.text.contains("Onboarding"))
            #expect(!tree.text.contains("Glossary"))
            #expect(!tree.text.contains("Write tests"))
            let page = try await client.send(.get, "/console/workspace/pages/\(handbook.id)", cookies: cookies)
            #expect(page.status == 200)
            #expect(page.text.contains(#"<a href="/console/workspace/pages/\#(childID)">Onboarding</a>"#))
            #expect(page.text.contains(#"<a href="/console/workspace/databases/\#(databaseID)">Glossary</a>"#))
            // The CSP and the console's other headers stay.
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
        }
    }

    @Test func theTreeIsPagedWithAMoreLink() async throws {
        let (world, flow, _) = try await Self.world()
        // "Handbook" and a hundred more top-level pages: one more than a page of the tree.
        for index in 1...ConsoleController.treePageSize {
            _ = try await world.admin.createPage(
                workspaceID: world.workspace.id,
                title: "Note \(index)",
                databaseID: nil
            )
        }
        try await world.test(.router) { client in
            let cookies = [OAuthFlow.sessionCookie: try requireValue(try await flow.signIn(client), "session")]
            let first = try await client.send(.get, "/console/workspace", cookies: cookies)
            #expect(first.text.contains(">Note 99</a>"))
            #expect(!first.text.contains(">Note 100</a>"))
            let more = try requireValue(
                first.text.firstMatch(of: /<a href="([^"]+)" id="tree-more">/).map { String($0.1) },
                "more link"
            )
            let second = try await client.send(.get, "/console/workspace" + more, cookies: cookies)
            #expect(second.text.contains(">Note 100</a>"))
            #expect(!second.text.contains(">Handbook</a>"))
            #expect(!second.text.contains("id=\"tree-more\""))
        }
    }

    @Test func aDataSourceShowsItsPropertiesAsColumnsAndPagesThroughItsRows() async throws {
        let (world, flow, handbook) = try await Self.world()
        try await world.test(.router) { client in
            let projects = try await Self.api(
                client,
                world,
                .post,
                "/v1/databases",
                #"{"parent":{"page_id":"\#(handbook.id)"},"title":[{"text":{"content":"Projects"}}],"properties":{"Name":{"title":{}}}}"#
            )
            let projectsID = try #require(projects["id"] as? String)
            let launch = try await Self.api(
                client,
                world,
                .post,
                "/v1/pages",
                #"{"parent":{"database_id":"\#(projectsID)"},"properties":{"Name":{"title":[{"text":{"content":"Launch"}}]}}}"#
            )
            let launchID = try #require(launch["id"] as? String)
            let tasks = try await Self.api(
                client,
                world,
                .post,
                "/v1/databases",
                #"""
                {"parent":{"page_id":"\#(handbook.id)"},"title":[{"text":{"content":"Sprint"}}],
                 "properties":{"Task":{"title":{}},"Tags":{"multi_select":{"options":[{"name":"urgent","color":"red"}]}},
                  "Done":{"checkbox":{}},"Due":{"date":{}},"Owner":{"people":{}},"Points":{"number":{}},
                  "Link":{"url":{}},"Project":{"relation":{"database_id":"\#(projectsID)","single_property":{}}}}}
                """#
            )
            let tasksID = try #require(tasks["id"] as? String)
            _ = try await Self.api(
                client,
                world,
                .post,
                "/v1/pages",
                #"""
                {"parent":{"database_id":"\#(tasksID)"},"properties":{"Task":{"title":[{"text":{"content":"Ship it"}}]},
                 "Tags":{"multi_select":[{"name":"urgent"}]},"Done":{"checkbox":true},"Due":{"date":{"start":"2026-03-11"}},
                 "Owner":{"people":[{"id":"\#(world.owner.id)"}]},"Points":{"number":8},
                 "Link":{"url":"javascript:alert(1)"},"Project":{"relation":[{"id":"\#(launchID)"}]}}}
                """#
            )
            for index in 1...249 {
                _ = try await world.admin.createPage(
                    workspaceID: world.workspace.id,
                    title: "Row \(index)",
                    databaseID: tasksID
                )
            }
            let cookies = [OAuthFlow.sessionCookie: try requireValue(try await flow.signIn(client), "session")]
            let first = try await client.send(.get, "/console/workspace/databases/\(tasksID)", cookies: cookies)
            #expect(first.status == 200)
            let headers = first.text.matches(of: /<th scope="col">([^<]+) <span/).map { String($0.1) }
            // The title first, then the schema's order.
            #expect(headers == ["Task", "Done", "Due", "Link", "Owner", "Points", "Project", "Tags"])
            #expect(Self.rows(first.text) == 100)
            #expect(first.text.contains(#"<span class="label label-red">urgent</span>"#))
            #expect(first.text.contains("☑ Yes"))
            #expect(first.text.contains("2026-03-11"))
            #expect(first.text.contains(">Ada</span>"))
            #expect(first.text.contains(">8</span>"))
            #expect(
                first.text.contains(
                    #"<a href="/console/workspace/pages/\#(launchID)" rel="noopener noreferrer nofollow"><span class="">Launch</span></a>"#
                )
            )
            #expect(first.text.contains("javascript:alert(1)"))
            #expect(!first.text.contains(#"href="javascript:"#))
            #expect(first.text.contains(">Ship it</span>"))
            #expect(first.text.contains(">Row 99</span>"))
            #expect(!first.text.contains(">Row 100</span>"))
            var next = try requireValue(Self.nextLink(first.text), "next link")
            let second = try await client.send(.get, next, cookies: cookies)
            #expect(Self.rows(second.text) == 100)
            #expect(second.text.contains(">Row 100</span>"))
            #expect(second.text.contains(">Row 199</span>"))
            next = try requireValue(Self.nextLink(second.text), "next link")
            let third = try await client.send(.get, next, cookies: cookies)
            #expect(Self.rows(third.text) == 50)
            #expect(third.text.contains(">Row 249</span>"))
            #expect(Self.nextLink(third.text) == nil)
            let bad = try await client.send(
                .get,
                "/console/workspace/databases/\(tasksID)?cursor=nope",
                cookies: cookies
            )
            #expect(bad.status == 400)
        }
    }

    @Test func aDatabaseWithSeveralDataSourcesShowsOneAndLinksTheOthers() async throws {
        let (world, flow, handbook) = try await Self.world()
        try await world.test(.router) { client in
            let roadmap = try await Self.api(
                client,
                world,
                .post,
                "/v1/databases",
                #"{"parent":{"page_id":"\#(handbook.id)"},"title":[{"text":{"content":"Roadmap"}}],"properties":{"Name":{"title":{}}}}"#
            )
            let roadmapID = try #require(roadmap["id"] as? String)
            _ = try await Self.api(
                client,
                world,
                .post,
                "/v1/pages",
                #"{"parent":{"database_id":"\#(roadmapID)"},"properties":{"Name":{"title":[{"text":{"content":"Current item"}}]}}}"#
            )
            let archive = try await Self.api(
                client,
                world,
                .post,
                "/v1/data_sources",
                #"{"parent":{"type":"database_id","database_id":"\#(roadmapID)"},"title":[{"text":{"content":"Archive"}}],"properties":{"Name":{"title":{}}}}"#,
                version: "2025-09-03"
            )
            let archiveID = try #require(archive["id"] as? String)
            _ = try await Self.api(
                client,
                world,
                .post,
                "/v1/pages",
                #"{"parent":{"data_source_id":"\#(archiveID)"},"properties":{"Name":{"title":[{"text":{"content":"Archived item"}}]}}}"#,
                version: "2025-09-03"
            )
            let cookies = [OAuthFlow.sessionCookie: try requireValue(try await flow.signIn(client), "session")]
            let first = try await client.send(.get, "/console/workspace/databases/\(roadmapID)", cookies: cookies)
            #expect(first.text.contains(">Current item</span>"))
            #expect(!first.text.contains("Archived item"))
            let link = "/console/workspace/databases/\(roadmapID)?data_source=\(archiveID)"
            #expect(first.text.contains(#"<a href="\#(link)">Archive</a>"#))
            let other = try await client.send(.get, link, cookies: cookies)
            #expect(other.text.contains(">Archived item</span>"))
            #expect(!other.text.contains("Current item"))
        }
    }

    @Test func aPageShowsItsPropertiesBlocksInOrderWithNestingAndItsCommentThreads() async throws {
        let (world, flow, handbook) = try await Self.world()
        try await world.test(.router) { client in
            let created = try await Self.api(
                client,
                world,
                .post,
                "/v1/pages",
                #"""
                {"parent":{"page_id":"\#(handbook.id)"},
                 "properties":{"title":{"title":[{"text":{"content":"<script>alert(\"title\")</script>"}}]}},
                 "children":[
                  {"heading_1":{"rich_text":[{"text":{"content":"Intro"}}]}},
                  {"paragraph":{"rich_text":[{"text":{"content":"Read "}},{"text":{"content":"this","link":{"url":"https://example.com/doc"}},"annotations":{"bold":true}},{"text":{"content":"<script>alert(\"paragraph\")</script>"}}]}},
                  {"bulleted_list_item":{"rich_text":[{"text":{"content":"First"}}],"children":[{"paragraph":{"rich_text":[{"text":{"content":"Nested under first"}}]}}]}},
                  {"bulleted_list_item":{"rich_text":[{"text":{"content":"Second"}}]}},
                  {"to_do":{"rich_text":[{"text":{"content":"Check"}}],"checked":true}},
                  {"toggle":{"rich_text":[{"text":{"content":"More"}}],"children":[{"quote":{"rich_text":[{"text":{"content":"Hidden wisdom"}}]}}]}},
                  {"code":{"rich_text":[{"text":{"content":"let x = 1 < 2"}}],"language":"swift"}},
                  {"callout":{"rich_text":[{"text":{"content":"Careful"}}],"icon":{"emoji":"⚠️"}}},
                  {"divider":{}},
                  {"equation":{"expression":"e=mc^2"}},
                  {"image":{"external":{"url":"https://images.example/cat.png"}}},
                  {"table":{"table_width":2,"has_column_header":true,"children":[
                    {"table_row":{"cells":[[{"text":{"content":"Key"}}],[{"text":{"content":"Value"}}]]}},
                    {"table_row":{"cells":[[{"text":{"content":"a"}}],[{"text":{"content":"1"}}]]}}]}},
                  {"paragraph":{"rich_text":[{"text":{"content":"click me"}}]}}
                 ]}
                """#
            )
            let pageID = try #require(created["id"] as? String)
            // A link the API refuses, as an imported fixture could still hold it.
            let blocks = try await world.store.children(of: pageID, startCursor: nil, pageSize: 100).blocks
            let last = try #require(blocks.last)
            var content = last.content
            content.richText = RichText([.text("click me", link: "javascript:alert(1)")])
            _ = try await world.store.updateBlock(
                id: last.id,
                content: content,
                inTrash: nil,
                by: world.owner.id,
                at: Date()
            )
            let comment = try await Self.api(
                client,
                world,
                .post,
                "/v1/comments",
                #"{"parent":{"page_id":"\#(pageID)"},"rich_text":[{"text":{"content":"<script>alert(\"comment\")</script>"}}]}"#
            )
            let discussion = try #require(comment["discussion_id"] as? String)
            _ = try await Self.api(
                client,
                world,
                .post,
                "/v1/comments",
                #"{"discussion_id":"\#(discussion)","rich_text":[{"text":{"content":"A reply"}}]}"#
            )
            _ = try await Self.api(
                client,
                world,
                .post,
                "/v1/comments",
                #"{"parent":{"page_id":"\#(pageID)"},"rich_text":[{"text":{"content":"Another thread"}}]}"#
            )
            let cookies = [OAuthFlow.sessionCookie: try requireValue(try await flow.signIn(client), "session")]
            let page = try await client.send(.get, "/console/workspace/pages/\(pageID)", cookies: cookies)
            #expect(page.status == 200)
            let html = page.text
            // Untrusted text is escaped wherever it shows; only safe links are links.
            for word in ["title", "paragraph", "comment"] {
                #expect(!html.contains(#"<script>alert("\#(word)")"#), "\(word)")
                #expect(html.contains("&lt;script&gt;alert(&quot;\(word)&quot;)&lt;/script&gt;"), "\(word)")
            }
            #expect(html.contains("click me"))
            #expect(!html.contains("javascript:"))
            #expect(
                html.contains(
                    #"<a href="https://example.com/doc" rel="noopener noreferrer nofollow"><span class="rt-bold">this</span></a>"#
                )
            )
            // External media are links, never loaded.
            #expect(!html.contains("<img"))
            #expect(html.contains(#"<a href="https://images.example/cat.png""#))
            // The blocks in order, nested.
            let order = [
                "<h2", ">Intro<", ">Read <", "<ul", ">First<", "block-children", ">Nested under first<", ">Second<",
                "</ul>", "☑", ">Check<", "<details", "<summary>", ">More<", "<blockquote", ">Hidden wisdom<",
                "</details>", "<pre><code>let x = 1 &lt; 2</code></pre>", "swift", "callout", "⚠️", ">Careful<", "<hr",
                "e=mc^2", "image", "<table", "<th scope=\"col\">", ">Key<", "<td>", ">1<", "</table>", ">click me<",
            ]
            var rest = html[...]
            for marker in order {
                guard let range = rest.range(of: marker) else {
                    Issue.record("\(marker) is missing or out of order")
                    break
                }
                rest = rest[range.upperBound...]
            }
            // The comments, a thread with its reply, then the other thread, each with author and time.
            let threads = html.components(separatedBy: "<section class=\"discussion\"").dropFirst()
            #expect(threads.count == 2)
            #expect(threads.first?.contains("A reply") == true)
            #expect(threads.first?.contains("&lt;script&gt;alert") == true)
            #expect(threads.last?.contains("Another thread") == true)
            #expect(html.components(separatedBy: #"<span class="author">Robot</span>"#).count == 4)
            #expect(html.contains(Date().formatted(.iso8601.year().month().day())))
        }
    }

    @Test func nestingBelowTheDepthCapIsSaidNotShown() async throws {
        let (world, flow, handbook) = try await Self.world()
        try await world.test(.router) { client in
            let created = try await Self.api(
                client,
                world,
                .post,
                "/v1/pages",
                #"{"parent":{"page_id":"\#(handbook.id)"},"properties":{"title":{"title":[{"text":{"content":"Deep"}}]}},"children":[{"paragraph":{"rich_text":[{"text":{"content":"Level 1"}}]}}]}"#
            )
            let pageID = try #require(created["id"] as? String)
            var parent = try #require(
                try await world.store.children(of: pageID, startCursor: nil, pageSize: 1).blocks.first?.id
            )
            let levels = WorkspaceBlocks.maxDepth + 2
            for level in 2...levels {
                let appended = try await Self.api(
                    client,
                    world,
                    .patch,
                    "/v1/blocks/\(parent)/children",
                    #"{"children":[{"paragraph":{"rich_text":[{"text":{"content":"Level \#(level)"}}]}}]}"#
                )
                let results = try #require(appended["results"] as? [[String: Any]])
                parent = try #require(results.first?["id"] as? String)
            }
            let cookies = [OAuthFlow.sessionCookie: try requireValue(try await flow.signIn(client), "session")]
            let page = try await client.send(.get, "/console/workspace/pages/\(pageID)", cookies: cookies)
            #expect(page.text.contains(">Level \(WorkspaceBlocks.maxDepth)<"))
            #expect(!page.text.contains(">Level \(WorkspaceBlocks.maxDepth + 1)<"))
            #expect(page.text.contains("Nested blocks below this depth are not shown."))
        }
    }

    @Test func anotherWorkspacesContentAnswersExactlyAsAnUnknownID() async throws {
        let (world, flow, handbook) = try await Self.world()
        let other = try await world.admin.createWorkspace(name: "Elsewhere", plan: .pro)
        let outsider = try await world.admin.createUser(
            workspaceID: other.id,
            email: "bea-\(UUID().uuidString.prefix(6))@elsewhere.test",
            name: "Bea",
            role: .owner,
            password: OAuthFlow.password
        )
        let foreignPage = try await world.admin.createPage(
            workspaceID: other.id,
            title: "Their secrets",
            databaseID: nil
        )
        let foreignDatabase = try await world.admin.createDatabase(workspaceID: other.id, title: "Their table")
        try await world.test(.router) { client in
            let cookies = [OAuthFlow.sessionCookie: try requireValue(try await flow.signIn(client), "session")]
            let unknownPage = try await client.send(
                .get,
                "/console/workspace/pages/\(UUID().uuidString)",
                cookies: cookies
            )
            let unknownDatabase = try await client.send(
                .get,
                "/console/workspace/databases/\(UUID().uuidString)",
                cookies: cookies
            )
            let page = try await client.send(.get, "/console/workspace/pages/\(foreignPage.id)", cookies: cookies)
            let database = try await client.send(
                .get,
                "/console/workspace/databases/\(foreignDatabase.id)",
                cookies: cookies
            )
            #expect(unknownPage.status == 404)
            #expect(page.status == 404)
            #expect(database.status == 404)
            #expect(page.text == unknownPage.text)
            #expect(database.text == unknownDatabase.text)
            let tree = try await client.send(.get, "/console/workspace", cookies: cookies)
            #expect(!tree.text.contains("Their secrets"))
            #expect(!tree.text.contains("Their table"))
            // And the other way round: the outsider sees nothing of this workspace.
            let theirs = [
                OAuthFlow.sessionCookie: try requireValue(
                    try await flow.signIn(client, email: outsider.email),
                    "session"
                )
            ]
            let theirTree = try await client.send(.get, "/console/workspace", cookies: theirs)
            #expect(theirTree.text.contains("Their secrets"))
            #expect(!theirTree.text.contains("Handbook"))
            let mine = try await client.send(.get, "/console/workspace/pages/\(handbook.id)", cookies: theirs)
            #expect(mine.status == 404)
            #expect(!mine.text.contains("Handbook"))
        }
    }

    @Test func theViewIsReadOnly() async throws {
        let (world, flow, handbook) = try await Self.world()
        try await world.test(.router) { client in
            let cookies = [OAuthFlow.sessionCookie: try requireValue(try await flow.signIn(client), "session")]
            let page = try await client.send(.get, "/console/workspace/pages/\(handbook.id)", cookies: cookies)
            let csrf = try requireValue(page.field("csrf"), "csrf")
            let events = try await world.store.events(since: nil, limit: 10_000).count
            let stored = try await world.store.page(id: handbook.id)
            for path in ["/console/workspace", "/console/workspace/pages/\(handbook.id)"] {
                let post = try await client.send(.post, path, form: [("csrf", csrf)], cookies: cookies)
                // No route takes a POST: the request is refused, nothing is written.
                #expect((400..<500).contains(post.status), "\(path): \(post.status)")
            }
            #expect(!page.text.contains("<form method=\"post\" action=\"/console/workspace"))
            #expect(try await world.store.events(since: nil, limit: 10_000).count == events)
            #expect(try await world.store.page(id: handbook.id) == stored)
        }
    }

    static func rows(_ html: String) -> Int {
        guard let body = html.range(of: "<tbody>"), let end = html.range(of: "</tbody>") else { return 0 }
        return html[body.upperBound..<end.lowerBound].components(separatedBy: "<tr>").count - 1
    }

    static func nextLink(_ html: String) -> String? {
        html.firstMatch(of: /<a href="([^"]+)" id="next-rows">/).map { PageResult.unescape(String($0.1)) }
    }
}
