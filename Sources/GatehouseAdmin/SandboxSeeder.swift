import Foundation
import GatehouseCore
import GatehouseStore

/// Fills a new, empty store with a sandbox to try the API on: a workspace, its owner, a demo
/// internal integration with two shared databases (with pages) and one unshared database.
public struct SandboxSeeder: Sendable {
    public let admin: AdminOperations

    public init(admin: AdminOperations) {
        self.admin = admin
    }

    /// What seeding made; the key and password exist only here and are shown once.
    public struct Sandbox: Sendable {
        public let workspace: Workspace
        public let ownerEmail: String
        public let ownerPassword: String
        public let integration: Integration
        public let demoKey: String
        public let sharedDatabases: [DatabaseRecord]
        public let unsharedDatabase: DatabaseRecord
    }

    /// Seeds if the store has no workspace yet; returns `nil` when it already has one.
    public func seedIfEmpty() async throws -> Sandbox? {
        guard try await admin.store.workspaces().isEmpty else { return nil }
        let workspace = try await admin.createWorkspace(name: "Sandbox", plan: .pro)
        let password = TokenFormat.generate(.internalKey).dropFirst("secret_".count).prefix(20)
        let owner = try await admin.createUser(
            workspaceID: workspace.id,
            email: "owner@sandbox.test",
            name: "Sandbox Owner",
            role: .owner,
            password: String(password)
        )
        let (integration, key) = try await admin.createInternalIntegration(
            workspaceID: workspace.id,
            name: "Demo integration",
            capabilities: .all
        )
        var shared: [DatabaseRecord] = []
        for (title, pages) in [
            ("Tasks", ["Write the launch plan", "Review API keys"]), ("Notes", ["Meeting notes", "Ideas"]),
        ] {
            let database = try await admin.createDatabase(workspaceID: workspace.id, title: title)
            for page in pages {
                _ = try await admin.createPage(
                    workspaceID: workspace.id,
                    title: page,
                    databaseID: database.id,
                    createdBy: owner.id
                )
            }
            _ = try await admin.share(integrationID: integration.id, target: .database(database.id), remove: false)
            shared.append(database)
        }
        let unshared = try await admin.createDatabase(workspaceID: workspace.id, title: "Private")
        _ = try await admin.createPage(
            workspaceID: workspace.id,
            title: "Salaries",
            databaseID: unshared.id,
            createdBy: owner.id
        )
        return Sandbox(
            workspace: workspace,
            ownerEmail: owner.email,
            ownerPassword: String(password),
            integration: integration,
            demoKey: key,
            sharedDatabases: shared,
            unsharedDatabase: unshared
        )
    }
}
