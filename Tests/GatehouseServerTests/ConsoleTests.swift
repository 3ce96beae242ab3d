import Foundation
import GatehouseAdmin
import GatehouseContent
import GatehouseCore
import GatehouseServer
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct ConsoleTests {
    @Test func pagesNeedASessionAndFormsNeedItsCSRFToken() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let anonymous = try await client.send(.get, "/console/integrations")
            #expect(anonymous.status == 303)
            #expect(anonymous.headers[.location] == "/console/signin")
            let session = try requireValue(try await flow.signIn(client), "session")
            let cookies = [OAuthFlow.sessionCookie: session]
            let list = try await client.send(.get, "/console/integrations", cookies: cookies)
            #expect(list.status == 200)
            #expect(list.text.contains("Robot"))
            #expect(list.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            let csrf = try requireValue(list.field("csrf"), "csrf")
            let form = [
                ("name", "Console Bot"), ("kind", "internal"), ("capability", "read_content"),
                ("user_info", "no_user_info"),
            ]
            let before = try await world.store.integrations(workspaceID: world.workspace.id).count
            let forged = try await client.send(.post, "/console/integrations", form: form, cookies: cookies)
            #expect(forged.status == 403)
            #expect(try await world.store.integrations(workspaceID: world.workspace.id).count == before)
            let created = try await client.send(
                .post,
                "/console/integrations",
                form: form + [("csrf", csrf)],
                cookies: cookies
            )
            #expect(created.status == 200)
            let token = try requireValue(
                created.text.firstMatch(of: /id="secret-value" readonly value="(secret_[A-Za-z0-9]+)"/).map {
                    String($0.1)
                },
                "token"
            )
            let me = try await client.call(.get, "/v1/users/me", token: token)
            #expect(me.json["name"] as? String == "Console Bot")
            let audit = try await world.store.events(since: nil, limit: 1000)
            #expect(audit.contains { $0.action == "integration.created" && $0.actor == "user:\(world.owner.id)" })
        }
    }

    @Test func anIntegrationsPageShowsItsWebhooksAndTheirLatestDeliveries() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let subscription = try await world.admin.createWebhookSubscription(
            integrationID: world.integration.id,
            // `.invalid` never resolves (RFC 6761): the server's one dispatcher round sends nothing.
            url: "https://hooks.example.invalid/notion?key=not-for-the-page",
            eventTypes: [.pageCreated, .commentCreated]
        )
        let hourly: (inout ServerConfiguration) -> Void = { $0.webhooks.interval = .seconds(3_600) }
        try await world.test(.router, configure: hourly) { client in
            let session = try requireValue(try await flow.signIn(client), "session")
            let page = try await client.send(
                .get,
                "/console/integrations/\(world.integration.id)",
                cookies: [OAuthFlow.sessionCookie: session]
            )
            #expect(page.status == 200)
            #expect(
                page.text.contains(
                    "<code>https://hooks.example.invalid/notion</code> <span class=\"badge\">pending</span>"
                )
            )
            #expect(!page.text.contains("not-for-the-page"))
            #expect(page.text.contains("page.created, comment.created"))
            #expect(page.text.contains("<code>\(subscription.id)</code>"))
            #expect(page.text.contains("<td><code>verification</code></td>"))

            // A member sees where it goes, not the path (which may carry a secret).
            let email = "mo-\(UUID().uuidString.prefix(6))@acme.test"
            _ = try await world.admin.createUser(
                workspaceID: world.workspace.id,
                email: email,
                name: "Mo",
                role: .member,
                password: OAuthFlow.password
            )
            let member = try requireValue(try await flow.signIn(client, email: email), "member session")
            let shown = try await client.send(
                .get,
                "/console/integrations/\(world.integration.id)",
                cookies: [OAuthFlow.sessionCookie: member]
            )
            #expect(shown.status == 200)
            #expect(shown.text.contains("<code>https://hooks.example.invalid/…</code>"))
            #expect(!shown.text.contains("hooks.example.invalid/notion"))
        }
    }

    @Test func theAuditPageShowsOnlyTheViewersWorkspace() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let other = try await world.admin.createWorkspace(name: "Elsewhere", plan: .pro)
        let (foreign, _) = try await world.admin.createInternalIntegration(
            workspaceID: other.id,
            name: "Foreign Bot",
            capabilities: .all
        )
        _ = try await world.admin.revokeTokens(integrationID: foreign.id)
        _ = try await world.admin.revokeTokens(integrationID: world.integration.id)
        try await world.test(.router) { client in
            _ = try await client.call(.get, "/v1/users/me", token: TokenFormat.generate(.internalKey))
            let session = try requireValue(try await flow.signIn(client), "session")
            let page = try await client.send(
                .get,
                "/console/audit?since=all",
                cookies: [OAuthFlow.sessionCookie: session]
            )
            #expect(page.status == 200)
            #expect(page.text.contains(world.integration.id))
            #expect(!page.text.contains(foreign.id))
            #expect(!page.text.contains(other.id))
            #expect(!page.text.contains("auth.failed"))
            let export = try await client.send(
                .get,
                "/console/audit.jsonl?since=all",
                cookies: [OAuthFlow.sessionCookie: session]
            )
            #expect(export.text.contains("token.revoked"))
            #expect(!export.text.contains(foreign.id))
        }
    }

    @Test func membersCannotChangeAnything() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let email = "mo-\(UUID().uuidString.prefix(6))@acme.test"
        _ = try await world.admin.createUser(
            workspaceID: world.workspace.id,
            email: email,
            name: "Mo",
            role: .member,
            password: OAuthFlow.password
        )
        try await world.test(.router) { client in
            let session = try requireValue(try await flow.signIn(client, email: email), "session")
            let cookies = [OAuthFlow.sessionCookie: session]
            let list = try await client.send(.get, "/console/integrations", cookies: cookies)
            #expect(list.status == 200)
            #expect(!list.text.contains("create-integration"))
            let csrf = try requireValue(list.field("csrf"), "csrf")
            let revoke = try await client.send(
                .post,
                "/console/integrations/\(world.integration.id)/revoke",
                form: [("csrf", csrf)],
                cookies: cookies
            )
            #expect(revoke.status == 403)
            #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200)
        }
    }

    @Test func answersAreCountedPerDayAndStatusForTheChart() async throws {
        let world = try await TestWorld.make()
        let fastFlush: (inout ServerConfiguration) -> Void = { $0.usageFlushInterval = .milliseconds(50) }
        try await world.test(.live, configure: fastFlush) { client in
            for _ in 0..<2 { #expect(try await client.call(.get, "/v1/users/me", token: world.token).status == 200) }
            let missing = "/v1/pages/00000000-0000-4000-8000-000000000000"
            #expect(try await client.call(.get, missing, token: world.token).status == 404)
            let today = DailyUsage.day(of: Date())
            let start = ContinuousClock.now
            var usage: [DailyUsage] = []
            while usage.reduce(0, { $0 + $1.count }) < 3, ContinuousClock.now - start < .seconds(5) {
                try await Task.sleep(for: .milliseconds(20))
                usage = try await world.store.dailyUsage(integrationIDs: [world.integration.id], sinceDay: today)
            }
            #expect(Set(usage.map { "\($0.status)=\($0.count)" }) == ["2xx=2", "4xx=1"])
        }
    }

    @Test func theSecurityPageLeavesTheItemsAboutCodeAndConfigurationToTheCLI() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.router) { client in
            let session = try requireValue(try await flow.signIn(client), "session")
            let page = try await client.send(.get, "/console/security", cookies: [OAuthFlow.sessionCookie: session])
            #expect(page.status == 200)
            let rows = page.text.components(separatedBy: "<tr>").filter { $0.contains("status-") }
            for title in ["No tokens in code", "Token stored in environment variables"] {
                let row = try #require(rows.first { $0.contains(title) }, "\(title)")
                #expect(row.contains("status-MANUAL"), "\(title)")
                #expect(row.contains("gatehouse audit --scan"))
            }
        }
    }
}
