import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// What one tenant's console shows of another (nothing), and the audit views over real HTTP:
/// newest first behind any amount of noise, paged with a cursor, admin actions with their origin.
@Suite(.timeLimit(.minutes(2))) struct ConsoleTenancyTests {
    /// Another tenant, "Elsewhere": an owner and a member.
    struct OtherTenant {
        let workspace: Workspace
        let owner: Person
        let member: Person
        let database: DatabaseRecord

        static func make(_ world: TestWorld) async throws -> OtherTenant {
            let workspace = try await world.admin.createWorkspace(name: "Elsewhere", plan: .pro)
            func person(_ name: String, _ role: Role) async throws -> Person {
                try await world.admin.createUser(
                    workspaceID: workspace.id,
                    email: "\(name.lowercased())-\(UUID().uuidString.prefix(6))@elsewhere.test",
                    name: name,
                    role: role,
                    password: OAuthFlow.password
                )
            }
            return OtherTenant(
                workspace: workspace,
                owner: try await person("Bea", .owner),
                member: try await person("Max", .member),
                database: try await world.admin.createDatabase(workspaceID: workspace.id, title: "Lists")
            )
        }
    }

    @Test func aMemberOrOwnerOfAnotherWorkspaceSeesNothingOfTenantAOnAnyConsolePage() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let other = try await OtherTenant.make(world)
        let hint = try #require(try await world.store.tokens(integrationID: world.integration.id).first?.displayHint)
        try await world.test(.live) { client in
            // Tenant A acts in its console, so its events carry its person and address.
            let ownerSession = try requireValue(try await flow.signIn(client), "session")
            let list = try await client.send(
                .get,
                "/console/integrations",
                cookies: [OAuthFlow.sessionCookie: ownerSession]
            )
            let csrf = try requireValue(list.field("csrf"), "csrf")
            let rotated = try await client.send(
                .post,
                "/console/integrations/\(world.integration.id)/rotate",
                form: [("csrf", csrf), ("grace", "0")],
                cookies: [OAuthFlow.sessionCookie: ownerSession]
            )
            #expect(rotated.status == 200)
            let secrets = [
                "Acme", "Robot", "Calendar Sync", "Tasks", "Salaries", world.workspace.id, world.integration.id,
                flow.app.id, world.owner.id, world.owner.email, world.sharedDatabase.id, hint,
            ]
            let routes = [
                "/console/integrations", "/console/integrations/new", "/console/integrations/\(world.integration.id)",
                "/console/integrations/\(world.integration.id)/revoke",
                "/console/integrations/\(world.integration.id)/delete", "/console/audit?since=all",
                "/console/audit.jsonl?since=all", "/console/security", "/console/api/integrations",
            ]
            for person in [other.member, other.owner] {
                let session = try requireValue(try await flow.signIn(client, email: person.email), "session")
                for route in routes {
                    let page = try await client.send(.get, route, cookies: [OAuthFlow.sessionCookie: session])
                    #expect([200, 403, 404].contains(page.status), "\(route) as \(person.role)")
                    for secret in secrets {
                        #expect(!page.text.contains(secret), "\(route) as \(person.role) shows \(secret)")
                    }
                }
                let security = try await client.send(
                    .get,
                    "/console/security",
                    cookies: [OAuthFlow.sessionCookie: session]
                )
                #expect(security.status == (person.role == .owner ? 200 : 403))
            }
        }
    }

    @Test func anOAuthAppsWorkspaceDoesNotSeeWhoAuthorizedItFromAnotherTenantNorFromWhere() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let other = try await OtherTenant.make(world)
        let agent = "BeaBrowser/7.7 (tenant B)"
        try await world.test(.live) { client in
            // Bea (tenant B) authorizes tenant A's app.
            let session = try requireValue(try await flow.signIn(client, email: other.owner.email), "session")
            let consent = try await client.send(
                .get,
                "/v1/oauth/authorize?" + flow.query(),
                cookies: [OAuthFlow.sessionCookie: session]
            )
            #expect(consent.status == 200)
            let answer = try await client.send(
                .post,
                "/v1/oauth/authorize",
                form: consent.consentForm + [("decision", "allow"), ("share", "database:\(other.database.id)")],
                cookies: [OAuthFlow.sessionCookie: session],
                agent: agent
            )
            #expect(answer.status == 303)
            let authorized = try #require(
                try await world.store.events(since: nil, limit: 10_000).last { $0.action == "oauth.authorized" }
            )
            #expect(authorized.userAgent == agent)
            #expect(authorized.workspaceID == other.workspace.id)
            #expect(authorized.relatedWorkspaceID == world.workspace.id)

            let developer = try requireValue(try await flow.signIn(client), "session")
            for route in ["/console/audit?since=all", "/console/audit.jsonl?since=all"] {
                let page = try await client.send(.get, route, cookies: [OAuthFlow.sessionCookie: developer])
                #expect(page.text.contains("oauth.authorized"), "\(route)")
                #expect(!page.text.contains(other.owner.id), "\(route) shows B's person")
                #expect(!page.text.contains(agent), "\(route) shows B's user agent")
            }
            let export = try await client.send(
                .get,
                "/console/audit.jsonl?since=all",
                cookies: [OAuthFlow.sessionCookie: developer]
            )
            let line = try #require(
                export.text.split(separator: "\n").compactMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }.first { $0["action"] as? String == "oauth.authorized" }
            )
            #expect(line["ip"] is NSNull, "B's address shown to A")
            #expect(line["user_agent"] is NSNull)
            #expect(line["actor"] as? String == "another workspace")
            let own = try requireValue(try await flow.signIn(client, email: other.owner.email), "session")
            let ownExport = try await client.send(
                .get,
                "/console/audit.jsonl?since=all",
                cookies: [OAuthFlow.sessionCookie: own]
            )
            #expect(ownExport.text.contains(other.owner.id))
            #expect(ownExport.text.contains(agent))
        }
    }

    @Test func theAuditPageShowsTheNewestEventFirstBehindAHundredThousandNoiseEvents() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        // 150 events of the workspace, then 100 001 unattributed failures (the flood of M4).
        for _ in 0..<150 {
            _ = try await world.admin.createPage(workspaceID: world.workspace.id, title: "Note", databaseID: nil)
        }
        let flood = try await ChildProcess.run(
            "/usr/bin/sqlite3",
            [
                world.path,
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100001)
                INSERT INTO audit_events (time, actor, action, outcome, ip, details, prev_hash, hash)
                SELECT \(Date().epochMilliseconds), '203.0.113.9', 'auth.failed', 'failure', '203.0.113.9', '{}', 'x', 'y' FROM n;
                """,
            ]
        )
        #expect(flood.status == 0)
        try await world.test(.live) { client in
            let session = try requireValue(try await flow.signIn(client), "session")
            let cookies = [OAuthFlow.sessionCookie: session]
            let detail = try await client.send(.get, "/console/integrations/\(world.integration.id)", cookies: cookies)
            let csrf = try requireValue(detail.field("csrf"), "csrf")
            let shared = try await client.send(
                .post,
                "/console/integrations/\(world.integration.id)/share",
                form: [("csrf", csrf), ("resource", "database:\(world.unsharedDatabase.id)")],
                cookies: cookies
            )
            #expect(shared.status == 303 || shared.status == 200)
            let page = try await client.send(.get, "/console/audit?since=24h", cookies: cookies)
            #expect(page.status == 200)
            let rows = page.text.matches(of: /<tr><td class="small">/).count
            #expect(rows == 100)  // one page
            let firstRow = try #require(page.text.range(of: "<tbody>").map { page.text[$0.upperBound...] })
            #expect(firstRow.prefix(600).contains("share.added"))
            #expect(firstRow.prefix(600).contains(world.unsharedDatabase.id))
            #expect(!page.text.contains("auth.failed"))
            let older = try #require(
                page.text.firstMatch(of: /href="\/console\/audit\?([^"]+)" id="older-events"/)
            )
            let query = PageResult.unescape(String(older.1))
            #expect(query.contains("before="))
            let next = try await client.send(.get, "/console/audit?" + query, cookies: cookies)
            #expect(next.status == 200)
            #expect(next.text.contains("page.created"))
            let newShareRow = "share.added</code></td><td class=\"small\">\(world.unsharedDatabase.id)"
            #expect(page.text.contains(newShareRow))
            #expect(!next.text.contains(newShareRow))
            let export = try await client.send(.get, "/console/audit.jsonl?since=24h", cookies: cookies)
            #expect(export.text.split(separator: "\n").first?.contains("share.added") == true)
        }
    }

    @Test func consoleActionsAreAuditedWithTheRequestsAddressAgentAndID() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.live) { client in
            let session = try requireValue(try await flow.signIn(client), "session")
            let cookies = [OAuthFlow.sessionCookie: session]
            let confirm = try await client.send(
                .get,
                "/console/integrations/\(world.integration.id)/revoke",
                cookies: cookies
            )
            let csrf = try requireValue(confirm.field("csrf"), "csrf")
            let revoked = try await client.send(
                .post,
                "/console/integrations/\(world.integration.id)/revoke",
                form: [("csrf", csrf)],
                cookies: cookies,
                agent: "ConsoleTest/1.0"
            )
            #expect(revoked.status == 303)
            let event = try #require(
                try await world.store.events(since: nil, limit: 1_000).last { $0.action == "token.revoked" }
            )
            #expect(event.actor == "user:\(world.owner.id)")
            #expect(event.ip == "127.0.0.1")
            #expect(event.userAgent == "ConsoleTest/1.0")
            #expect(event.requestID?.isEmpty == false)
            #expect(event.workspaceID == world.workspace.id)
        }
    }
}

extension TestClientProtocol {
    /// A browser-style request with a `User-Agent`.
    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        form: [(String, String)],
        cookies: [String: String],
        agent: String
    ) async throws -> PageResult {
        var headers: HTTPFields = [.userAgent: agent, .contentType: "application/x-www-form-urlencoded"]
        headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = form.map {
            "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }
        return try await execute(
            uri: path,
            method: method,
            headers: headers,
            body: ByteBuffer(string: encoded.joined(separator: "&"))
        ) { response in
            PageResult(
                status: Int(response.status.code),
                headers: response.headers,
                text: String(buffer: response.body)
            )
        }
    }
}
