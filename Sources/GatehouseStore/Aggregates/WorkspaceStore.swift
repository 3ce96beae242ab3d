import Foundation
import GatehouseCore

/// Workspaces, their plans, and the people in them.
public protocol WorkspaceStore: Sendable {
    func createWorkspace(_ workspace: Workspace) async throws
    func workspace(id: String) async throws -> Workspace?
    func workspaces() async throws -> [Workspace]
    /// Changes a workspace's plan (and so its integrations' rate limits); returns whether it exists.
    func setPlan(_ plan: Plan, workspaceID: String, at time: Date) async throws -> Bool
    /// Throws ``StoreError/Code/duplicate`` when the email is taken.
    func createPerson(_ person: Person) async throws
    func person(id: String) async throws -> Person?
    func person(email: String) async throws -> Person?
    func people(workspaceID: String) async throws -> [Person]
}
