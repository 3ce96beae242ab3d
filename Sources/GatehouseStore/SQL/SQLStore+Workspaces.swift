import Foundation
import GatehouseCore
import SQLKit

/// ``WorkspaceStore``: workspaces, plans and people.
extension SQLStore {
    public func createWorkspace(_ workspace: Workspace) async throws {
        try await mapUnique("workspace \(workspace.id)") {
            try await write { database in
                try await database.raw(
                    """
                    INSERT INTO workspaces (id, name, icon, plan, created_at)
                    VALUES (\(bind: workspace.id), \(bind: workspace.name), \(bind: workspace.icon), \(bind: workspace.plan.rawValue), \(bind: workspace.createdAt.epochMilliseconds))
                    """
                ).run()
            }
        }
    }

    public func workspace(id: String) async throws -> Workspace? {
        try await read { database in
            try await database.raw("SELECT * FROM workspaces WHERE id = \(bind: id)").first().map(Self.workspace)
        }
    }

    public func workspaces() async throws -> [Workspace] {
        try await read { database in
            try await database.raw("SELECT * FROM workspaces ORDER BY created_at, id").all().map(Self.workspace)
        }
    }

    public func setPlan(_ plan: Plan, workspaceID: String, at time: Date) async throws -> Bool {
        try await transaction { database in
            let updated = try await database.raw(
                "UPDATE workspaces SET plan = \(bind: plan.rawValue) WHERE id = \(bind: workspaceID) RETURNING id"
            ).first()
            guard updated != nil else { return false }
            try await self.recordChange(
                database,
                .workspaceChanged,
                workspaceID: workspaceID,
                integrationID: nil,
                at: time
            )
            return true
        }
    }

    public func createPerson(_ person: Person) async throws {
        try await mapUnique("a user with email \(person.email)") {
            try await write { database in
                try await database.raw(
                    """
                    INSERT INTO users (id, workspace_id, name, email, role, password_hash, created_at)
                    VALUES (\(bind: person.id), \(bind: person.workspaceID), \(bind: person.name), \(bind: person.email), \(bind: person.role.rawValue), \(bind: person.passwordHash), \(bind: person.createdAt.epochMilliseconds))
                    """
                ).run()
            }
        }
    }

    public func person(id: String) async throws -> Person? {
        try await read { database in
            try await database.raw("SELECT * FROM users WHERE id = \(bind: id)").first().map(Self.person)
        }
    }

    public func person(email: String) async throws -> Person? {
        try await read { database in
            try await database.raw("SELECT * FROM users WHERE email = \(bind: email)").first().map(Self.person)
        }
    }

    public func people(workspaceID: String) async throws -> [Person] {
        try await read { database in
            try await database.raw(
                "SELECT * FROM users WHERE workspace_id = \(bind: workspaceID) ORDER BY created_at, id"
            )
            .all().map(Self.person)
        }
    }

    static func workspace(_ row: any SQLRow) throws -> Workspace {
        Workspace(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            icon: try row.decode(column: "icon", as: String?.self),
            plan: try enumValue(row, "plan"),
            createdAt: try date(row, "created_at")
        )
    }

    static func person(_ row: any SQLRow) throws -> Person {
        Person(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            email: try row.decode(column: "email", as: String.self),
            role: try enumValue(row, "role"),
            passwordHash: try row.decode(column: "password_hash", as: String.self),
            createdAt: try date(row, "created_at")
        )
    }
}
