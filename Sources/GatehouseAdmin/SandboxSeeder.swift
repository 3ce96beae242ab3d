import Foundation
import GatehouseCore
import GatehouseStore

/// Fills a new, empty store with a sandbox to try the API on: a workspace, its owner, a demo
/// internal integration, and the content of ``SandboxContent`` — Projects and Tasks databases and a
/// "Getting started" page shared with the integration, and a Private database that is not.
public struct SandboxSeeder: Sendable {
    public let admin: AdminOperations
    /// The seeded workspace's name.
    public static let workspaceName = "Sandbox"
    /// The seeded owner's sign-in.
    public static let ownerEmail = "owner@sandbox.test"

    /// The id of the sandbox this store was seeded with, if it has one: the workspace named
    /// ``workspaceName`` whose member is the seeded owner (email addresses are unique).
    public static func seededWorkspace(in store: any Store) async throws -> String? {
        guard let owner = try await store.person(email: ownerEmail),
            try await store.workspace(id: owner.workspaceID)?.name == workspaceName
        else { return nil }
        return owner.workspaceID
    }

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
        public let sharedPages: [PageRecord]
        public let unsharedDatabase: DatabaseRecord
    }

    /// Seeds if the store has no workspace yet; returns `nil` when it already has one.
    public func seedIfEmpty() async throws -> Sandbox? {
        guard try await admin.store.workspaces().isEmpty else { return nil }
        let workspace = try await admin.createWorkspace(name: Self.workspaceName, plan: .pro)
        let password = TokenFormat.generate(.internalKey).dropFirst("secret_".count).prefix(20)
        let owner = try await admin.createUser(
            workspaceID: workspace.id,
            email: Self.ownerEmail,
            name: "Sandbox Owner",
            role: .owner,
            password: String(password)
        )
        let (integration, key) = try await admin.createInternalIntegration(
            workspaceID: workspace.id,
            name: "Demo integration",
            capabilities: .all
        )
        let seeding = admin.clock.now()
        let botID = integration.botID
        let written = try await admin.store.atomically { store in
            let writer = ContentWriter(store: store, workspaceID: workspace.id, author: owner.id, time: seeding)
            let written = try await SandboxContent(writer: writer, owner: owner, botID: botID).write()
            // The audit log tells of the seeded content as the admin operations tell of theirs.
            for database in [written.projects, written.tasks, written.unshared] {
                try await store.appendEvent(
                    admin.event(
                        "database.created",
                        target: database.id,
                        workspaceID: workspace.id,
                        details: ["title": database.title]
                    )
                )
            }
            try await store.appendEvent(
                admin.event(
                    "page.created",
                    target: written.gettingStarted.id,
                    workspaceID: workspace.id,
                    details: ["title": written.gettingStarted.title]
                )
            )
            return written
        }
        for database in [written.projects, written.tasks] {
            _ = try await admin.share(integrationID: integration.id, target: .database(database.id), remove: false)
        }
        _ = try await admin.share(
            integrationID: integration.id,
            target: .page(written.gettingStarted.id),
            remove: false
        )
        return Sandbox(
            workspace: workspace,
            ownerEmail: owner.email,
            ownerPassword: String(password),
            integration: integration,
            demoKey: key,
            sharedDatabases: [written.projects, written.tasks],
            sharedPages: [written.gettingStarted],
            unsharedDatabase: written.unshared
        )
    }
}
