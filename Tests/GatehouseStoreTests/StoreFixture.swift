import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseTestSupport
import Logging
import Testing

@testable import GatehouseStore

/// The engines every store test runs on: SQLite always, PostgreSQL when
/// `GATEHOUSE_TEST_POSTGRES_URL` names a server (CI sets it).
enum StoreEngine: String, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    static var available: [StoreEngine] {
        ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_URL"] == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    var testDescription: String { rawValue }

    /// A store on a SQLite file (a new one unless `path` names one), or on the shared test
    /// PostgreSQL database.
    func open(sqlitePath path: String = StoreEngine.temporarySQLitePath()) async throws -> SQLStore {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        switch self {
        case .sqlite:
            return try await SQLStore.open(.sqlite(path: path), logger: logger)
        case .postgres:
            let url = ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_URL"]!
            return try await SQLStore.open(try DatabaseURL(parsing: url), logger: logger)
        }
    }

    static func temporarySQLitePath() -> String { Scratch.path(".sqlite") }
}

/// Records made with fresh ids, so tests can share a PostgreSQL database without colliding.
enum Fixtures {
    static let now = Date(epochMilliseconds: Date().epochMilliseconds)

    static func id() -> String { UUID().uuidString.lowercased() }

    static func workspace(plan: Plan = .free) -> Workspace {
        Workspace(id: id(), name: "Acme \(id().prefix(6))", plan: plan, createdAt: now)
    }

    static func integration(in workspace: Workspace, capabilities: Capabilities = .all) -> Integration {
        Integration(
            id: id(),
            workspaceID: workspace.id,
            name: "Bot",
            kind: .internal,
            capabilities: capabilities,
            botID: id(),
            createdAt: now
        )
    }

    static func token(for integration: Integration) -> (String, TokenRecord) {
        let token = TokenFormat.generate(.internalKey)
        return (
            token,
            TokenRecord(
                id: id(),
                integrationID: integration.id,
                kind: .internalKey,
                digest: TokenDigest(of: token),
                displayHint: TokenFormat.displayHint(token),
                createdAt: now
            )
        )
    }

    static func person(in workspace: Workspace) -> Person {
        Person(
            id: id(),
            workspaceID: workspace.id,
            name: "Ada",
            email: "\(id())@example.com",
            role: .owner,
            passwordHash: "$2b$04$not-a-real-hash",
            createdAt: now
        )
    }

    /// A top-level database "Tasks" in `workspace`, created and last edited by `author`.
    static func database(in workspace: Workspace, author: String? = nil) -> DatabaseRecord {
        DatabaseRecord(
            id: id(),
            workspaceID: workspace.id,
            title: "Tasks",
            createdAt: now,
            lastEditedAt: now,
            createdBy: author,
            lastEditedBy: author
        )
    }

    /// A page of `workspaceID` under `parent` with `values`, written by "bot" now (not stored).
    static func storedPage(
        in workspaceID: String,
        under parent: PageParent,
        title: String = "Page",
        values: [String: PropertyValue] = [:]
    ) -> StoredPage {
        let record = PageRecord(
            id: id(),
            workspaceID: workspaceID,
            title: title,
            parent: parent,
            createdBy: "bot",
            lastEditedBy: "bot",
            createdAt: now,
            lastEditedAt: now
        )
        let metadata = PageMetadata(
            createdTime: now.epochMilliseconds,
            lastEditedTime: now.epochMilliseconds,
            createdBy: "bot",
            lastEditedBy: "bot"
        )
        return StoredPage(record: record, properties: PageProperties(values: values, metadata: metadata))
    }

    /// A new workspace with one internal integration and its token, written to `store`.
    static func seed(
        _ store: SQLStore,
        plan: Plan = .free,
        capabilities: Capabilities = .all
    ) async throws -> (workspace: Workspace, integration: Integration, secret: String, token: TokenRecord) {
        let workspace = Fixtures.workspace(plan: plan)
        try await store.createWorkspace(workspace)
        let integration = Fixtures.integration(in: workspace, capabilities: capabilities)
        let (secret, token) = Fixtures.token(for: integration)
        try await store.createIntegration(integration, token: token)
        return (workspace, integration, secret, token)
    }
}

extension Fixtures {
    /// A public integration and a person of another workspace who authorizes it.
    static func seedApp(_ store: SQLStore) async throws -> (app: Integration, person: Person) {
        let developer = Fixtures.workspace()
        try await store.createWorkspace(developer)
        var app = Fixtures.integration(in: developer)
        app.kind = .public
        app.oauthClient = OAuthClientSettings(
            clientID: Fixtures.id(),
            redirectURIs: ["https://a.example/cb", "https://a.example/two"],
            expiringTokens: true,
            confidential: true
        )
        try await store.createIntegration(app, token: nil)
        let home = Fixtures.workspace()
        try await store.createWorkspace(home)
        let person = Fixtures.person(in: home)
        try await store.createPerson(person)
        return (app, person)
    }

    /// An authorization code for `app` and `person` (its plaintext, and the record to store).
    static func authorizationCode(for app: Integration, person: Person, expiresAt: Date) -> (String, AuthorizationCode)
    {
        let code = TokenFormat.generate(.authorizationCode)
        return (
            code,
            AuthorizationCode(
                id: Fixtures.id(),
                digest: TokenDigest(of: code),
                appID: app.id,
                userID: person.id,
                workspaceID: person.workspaceID,
                owner: .user,
                redirectURI: "https://a.example/cb",
                codeChallenge: nil,
                resources: [SharedResource(type: "database", id: Fixtures.id())],
                createdAt: Fixtures.now,
                expiresAt: expiresAt
            )
        )
    }
}
