import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import GatehouseTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

/// A real SQLite store seeded through the real admin operations, and the server built on it.
struct TestWorld {
    let path: String
    let store: SQLStore
    let admin: AdminOperations
    let authenticator: Authenticator
    let workspace: Workspace
    let integration: Integration
    let token: String
    let sharedDatabase: DatabaseRecord
    let sharedPage: PageRecord
    let unsharedDatabase: DatabaseRecord
    let unsharedPage: PageRecord
    let owner: Person

    /// The seed's plans, but with enterprise roomy enough that functional tests never meet a limit.
    static let roomyPlans = RatePlans(overrides: [
        .enterprise: RatePlan(requestsPerSecond: 10_000, burst: 10_000, dailyQuota: nil)
    ])

    static let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func make(
        capabilities: Capabilities = .all,
        plan: Plan = .enterprise,
        clock: any WallClock = SystemClock()
    ) async throws -> TestWorld {
        let path = Scratch.path(".sqlite")
        let store = try await SQLStore.open(.sqlite(path: path), logger: quietLogger)
        let authenticator = Authenticator(store: store, clock: clock)
        let admin = AdminOperations(store: store, bcryptCost: 4, onRevocation: { authenticator.apply($0) })
        let workspace = try await admin.createWorkspace(name: "Acme", plan: plan)
        let owner = try await admin.createUser(
            workspaceID: workspace.id,
            email: "\(UUID().uuidString.prefix(8))@acme.test",
            name: "Ada",
            role: .owner,
            password: "correct horse"
        )
        let (integration, token) = try await admin.createInternalIntegration(
            workspaceID: workspace.id,
            name: "Robot",
            capabilities: capabilities
        )
        let shared = try await admin.createDatabase(workspaceID: workspace.id, title: "Tasks")
        let sharedPage = try await admin.createPage(
            workspaceID: workspace.id,
            title: "Write tests",
            databaseID: shared.id
        )
        _ = try await admin.share(integrationID: integration.id, target: .database(shared.id), remove: false)
        let unshared = try await admin.createDatabase(workspaceID: workspace.id, title: "Private")
        let unsharedPage = try await admin.createPage(
            workspaceID: workspace.id,
            title: "Salaries",
            databaseID: unshared.id
        )
        return TestWorld(
            path: path,
            store: store,
            admin: admin,
            authenticator: authenticator,
            workspace: workspace,
            integration: integration,
            token: token,
            sharedDatabase: shared,
            sharedPage: sharedPage,
            unsharedDatabase: unshared,
            unsharedPage: unsharedPage,
            owner: owner
        )
    }

    /// Another integration in the same workspace, with its own token.
    func otherIntegration(capabilities: Capabilities) async throws -> (Integration, String) {
        try await admin.createInternalIntegration(
            workspaceID: workspace.id,
            name: "Limited",
            capabilities: capabilities
        )
    }

    /// Another integration in the same workspace, with its own token, that the shared database is
    /// shared with too.
    func otherIntegrationSharingTheDatabase(capabilities: Capabilities = .all) async throws -> (Integration, String) {
        let (other, token) = try await otherIntegration(capabilities: capabilities)
        _ = try await admin.share(integrationID: other.id, target: .database(sharedDatabase.id), remove: false)
        return (other, token)
    }

    /// Runs `body` against the server, then closes the store whatever happened.
    func test<Value: Sendable>(
        _ setup: TestingSetup,
        unshared: UnsharedResourceResponse = .restricted,
        logger: Logger = TestWorld.quietLogger,
        plans: RatePlans = TestWorld.roomyPlans,
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        do {
            let value = try await application(unshared: unshared, logger: logger, plans: plans, configure: configure)
                .test(setup, body)
            await store.shutdown()
            return value
        } catch {
            await store.shutdown()
            throw error
        }
    }

    func application(
        unshared: UnsharedResourceResponse = .restricted,
        logger: Logger = TestWorld.quietLogger,
        plans: RatePlans = TestWorld.roomyPlans,
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        var configuration = ServerConfiguration(
            host: "127.0.0.1",
            port: 0,
            unsharedResponse: unshared,
            ratePlans: plans
        )
        configuration.changeFeedInterval = .milliseconds(20)
        configuration.bcryptCost = 4
        configuration.publicURL = "http://gatehouse.test"
        configure(&configuration)
        return try await buildApplication(
            configuration: configuration,
            store: store,
            authenticator: authenticator,
            logger: logger
        )
    }
}

/// How a test reaches the server: through the router alone, or over a real socket, where the
/// requests answered from memory (``InlineAnswerHandler``) never reach the router.
enum ServerPath: String, CaseIterable, Sendable {
    case router, live

    var setup: TestingSetup { self == .router ? .router : .live }

    /// How many requests of `route` the server answered from memory, from its `/metrics`.
    static func answeredFromMemory(_ client: some TestClientProtocol, route: String) async throws -> Int {
        let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        let prefix = "gatehouse_answered_from_memory_total{route=\"\(route)\"} "
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return 0 }
        return Int(line.dropFirst(prefix.count)) ?? 0
    }
}

/// What a test reads from a response (immutable, so safe to pass between tasks).
struct APIResult: @unchecked Sendable {
    let status: Int
    let json: [String: Any]
    let headers: HTTPFields
    let text: String

    var code: String? { json["code"] as? String }
    var message: String? { json["message"] as? String }
    var results: [[String: Any]] { json["results"] as? [[String: Any]] ?? [] }

    /// What a test reads from `response`; a body that is not a JSON object reads as `[:]`.
    init(_ response: TestResponse) {
        let text = String(buffer: response.body)
        self.status = Int(response.status.code)
        self.json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        self.headers = response.headers
        self.text = text
    }
}

extension TestClientProtocol {
    /// Sends an API request with the usual headers (override or drop them with `headers`).
    func call(
        _ method: HTTPRequest.Method,
        _ path: String,
        token: String?,
        version: String? = "2022-06-28",
        body: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> APIResult {
        var headers = extra
        if let token { headers.append(HTTPField(name: .authorization, value: "Bearer \(token)")) }
        if let version { headers.append(HTTPField(name: HTTPField.Name("Notion-Version")!, value: version)) }
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        {
            APIResult($0)
        }
    }
}

/// Collects log lines in memory, for the test that proves no secret reaches a log.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func logger(level: Logger.Level = .trace) -> Logger {
        Logger(label: "gatehouse") { label in
            RedactingLogHandler(label: label, level: level) { line in self.lines.withLock { $0.append(line) } }
        }
    }
}
