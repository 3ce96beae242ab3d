import Foundation
import GatehouseClient
import GatehouseTestSupport
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The Swift SDK against a real `gatehouse serve` on loopback, started by the test.
@Suite(.serialized, .timeLimit(.minutes(2))) struct SDKAgainstServeTests {
    /// A server whose free plan is 2 req/s with a burst of 2, so 429s come quickly.
    static func start() async throws -> (ServerProcess, base: URL, db: String, banner: Banner) {
        let db = CLI.temporaryDatabaseURL()
        let plans = URL(fileURLWithPath: Scratch.path(".json"))
        try #"{"free": {"requests_per_second": 2, "burst": 2, "daily_quota": 10000}}"#.write(
            to: plans,
            atomically: true,
            encoding: .utf8
        )
        let server = try await ServerProcess.start(arguments: ["--database-url", db, "--plans-file", plans.path])
        try await server.waitForOutput(containing: "curl ")
        let base = try #require(server.baseURL.flatMap(URL.init(string:)))
        return (server, base, db, try Banner(server.stdout))
    }

    struct Banner {
        let key: String
        let workspaceID: String
        let ownerEmail: String
        let ownerPassword: String

        init(_ text: String) throws {
            func match(_ pattern: Regex<(Substring, Substring)>) throws -> String {
                String(try #require(text.firstMatch(of: pattern)).1)
            }
            key = try match(/demo key:\s+(secret_\w+)/)
            workspaceID = try match(/Seeded a sandbox workspace "[^"]*" \(([0-9a-f-]+)\)/)
            ownerEmail = try match(/owner sign-in:\s+(\S+) \//)
            ownerPassword = try match(/owner sign-in:\s+\S+ \/ (\S+)/)
        }
    }

    /// A key of a new integration in a new free-plan workspace (its own, fresh limit).
    static func freePlanKey(_ db: String) async throws -> String {
        let workspace = try await CLI.run([
            "workspace", "create", "--name", "Free", "--plan", "free", "--json", "--database-url", db,
        ])
        let id = try #require(workspace.json["id"] as? String)
        let integration = try await CLI.run([
            "integration", "create", "--workspace", id, "--name", "Paced", "--json", "--database-url", db,
        ])
        return try #require(integration.json["token"] as? String)
    }

    @Test func keysModelsAndTypedErrors() async throws {
        let (server, base, _, banner) = try await Self.start()
        let notion = NotionClient(configuration: ClientConfiguration(token: banner.key, baseURL: base))
        let me = try await notion.me()
        #expect(me.name == "Demo integration")
        #expect(me.bot?.owner?.type == "workspace")
        let databases = try await notion.databases()
        #expect(Set(databases.results.map(\.title)) == ["Projects", "Tasks"])
        let tasks = try #require(databases.results.first { $0.title == "Tasks" })
        let rows = try await notion.queryDatabase(id: tasks.id)
        #expect(!rows.results.isEmpty)
        let created = try await notion.createPage(inDatabase: tasks.id, title: "From the SDK")
        #expect(created.title == "From the SDK")
        let renamed = try await notion.updatePage(id: created.id, title: "Renamed")
        #expect(renamed.title == "Renamed")
        let bad = NotionClient(
            configuration: ClientConfiguration(token: "secret_" + String(repeating: "A", count: 46), baseURL: base)
        )
        let error = try await #require(throws: NotionError.self) { try await bad.me() }
        #expect(error.status == 401)
        #expect(error.code == .unauthorized)
        #expect(error.requestID != nil)
        #expect(await server.terminate() == 0)
    }

    @Test func aReal429IsRetriedAfterRetryAfter() async throws {
        let (server, base, db, _) = try await Self.start()
        let key = try await Self.freePlanKey(db)
        let events = Mutex<[ClientEvent]>([])
        let notion = NotionClient(
            configuration: ClientConfiguration(
                token: key,
                baseURL: base,
                onEvent: { event in events.withLock { $0.append(event) } }
            )
        )
        for _ in 0..<4 { _ = try await notion.me() }
        let retries = events.withLock { $0 }.compactMap { event -> Double? in
            if case .retrying(_, _, _, let delay, 429, "rate_limited") = event { return delay }
            return nil
        }
        #expect(!retries.isEmpty, "the free plan's burst of 2 must have been met")
        #expect(retries.allSatisfy { $0 >= 1 }, "waits follow Retry-After (whole seconds)")
        #expect(await server.terminate() == 0)
    }

    @Test func thePacerKeepsAClientUnderItsPlanWithoutA429() async throws {
        let (server, base, db, _) = try await Self.start()
        let key = try await Self.freePlanKey(db)
        let events = Mutex<[ClientEvent]>([])
        let notion = NotionClient(
            configuration: ClientConfiguration(
                token: key,
                baseURL: base,
                retry: .never,
                pacing: .plan(requestsPerSecond: 2, burst: 2),
                onEvent: { event in events.withLock { $0.append(event) } }
            )
        )
        let start = ContinuousClock.now
        for _ in 0..<8 { _ = try await notion.me() }
        let elapsed = ContinuousClock.now - start
        let paced = events.withLock { $0 }.filter { if case .paced = $0 { return true } else { return false } }
        #expect(paced.count >= 6)
        #expect(elapsed >= .seconds(3), "8 requests at ≈2/s with a burst of 1 take ≥ 3.5 s")
        #expect(await server.terminate() == 0)
    }

    @Test func theOAuthHelperCompletesARealCodeExchangeRefreshAndRevocation() async throws {
        let (server, base, db, banner) = try await Self.start()
        let redirect = "https://app.example/callback"
        let created = try await CLI.run([
            "integration", "create", "--workspace", banner.workspaceID, "--name", "SDK App", "--public",
            "--redirect-uri", redirect, "--expiring", "--json", "--database-url", db,
        ])
        let oauth = OAuthClient(
            clientID: try #require(created.json["client_id"] as? String),
            clientSecret: try #require(created.json["client_secret"] as? String),
            redirectURI: redirect,
            baseURL: base
        )
        let request = oauth.authorizationRequest()
        let callback = try await Browser().approve(
            request.url,
            base: base,
            email: banner.ownerEmail,
            password: banner.ownerPassword
        )
        let tokens = try await oauth.exchange(callback: callback, for: request)
        #expect(tokens.accessToken.value.hasPrefix("nap_"))
        let store = InMemoryTokenStore(tokens)
        let session = OAuthSession(client: oauth, store: store)
        let notion = NotionClient(configuration: ClientConfiguration(baseURL: base), oauth: session)
        let me = try await notion.me()
        #expect(me.bot?.owner?.type == "user")
        #expect(me.id == tokens.botID)
        let refreshed = try await session.accessToken(forceRefresh: true)
        #expect(refreshed != tokens.accessToken)
        _ = try await notion.me()
        try await oauth.revoke(try #require(await store.load()?.refreshToken))
        let error = try await #require(throws: NotionError.self) { try await notion.me() }
        #expect(error.code == .invalidGrant || error.code == .unauthorized)
        #expect(await server.terminate() == 0)
    }
}

/// Drives the server's real sign-in and consent forms over HTTP, as a browser would, without
/// following the final redirect (its target is the app's callback, not a real server).
final class Browser: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    private var cookies: [String: String] = [:]
    private lazy var session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }()

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func approve(_ authorizeURL: URL, base: URL, email: String, password: String) async throws -> URL {
        let signIn = try await send(authorizeURL)
        let next = "/v1/oauth/authorize?" + (authorizeURL.query ?? "")
        let signedIn = try await send(
            base.appendingPathComponent("signin"),
            form: [
                ("csrf", try Self.field("csrf", in: signIn.1)), ("next", next), ("email", email),
                ("password", password),
            ]
        )
        #expect(signedIn.0.statusCode == 303)
        let consent = try await send(authorizeURL)
        var form = try Self.hiddenFields(in: consent.1)
        form.append(("decision", "allow"))
        let databases = consent.1.matches(of: /value="(database:[0-9a-f-]+)"/).map { String($0.1) }
        form += databases.map { ("share", $0) }
        let answer = try await send(base.appendingPathComponent("v1/oauth/authorize"), form: form)
        guard answer.0.statusCode == 303, let location = answer.0.value(forHTTPHeaderField: "Location") else {
            throw ServerProcessError(message: "consent did not redirect: \(answer.0.statusCode)")
        }
        return try #require(URL(string: location))
    }

    private func send(_ url: URL, form: [(String, String)]? = nil) async throws -> (HTTPURLResponse, String) {
        var request = URLRequest(url: url)
        if !cookies.isEmpty {
            request.setValue(
                cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "),
                forHTTPHeaderField: "Cookie"
            )
        }
        if let form {
            request.httpMethod = "POST"
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            request.httpBody = Data(
                form.map {
                    "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
                }.joined(separator: "&").utf8
            )
        }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        for (name, value) in http.allHeaderFields where (name as? String)?.lowercased() == "set-cookie" {
            for cookie in (value as? String ?? "").components(separatedBy: ", ") {
                let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
            }
        }
        return (http, String(decoding: data, as: UTF8.self))
    }

    static func field(_ name: String, in html: String) throws -> String {
        try #require(try hiddenFields(in: html).first { $0.0 == name }).1
    }

    /// The consent form's hidden inputs, each once.
    static func hiddenFields(in html: String) throws -> [(String, String)] {
        var seen: Set<String> = []
        return html.matches(of: /<input type="hidden" name="([^"]+)" value="([^"]*)">/).compactMap { match in
            let name = String(match.1)
            guard name != "next", seen.insert(name).inserted else { return nil }
            return (name, String(match.2).replacingOccurrences(of: "&amp;", with: "&"))
        }
    }
}
