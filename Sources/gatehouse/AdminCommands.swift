import ArgumentParser
import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore

extension Plan: ExpressibleByArgument {}
extension Role: ExpressibleByArgument {}

/// `gatehouse workspace create --name N [--plan P]`
struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Manage workspaces.",
        subcommands: [Create.self, SetPlan.self, Export.self, Import.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The workspace's name.") var name: String
        @Option(help: "free, pro, team or enterprise.") var plan: Plan = .free

        func run() async throws {
            let workspace = try await global.withAdmin { try await $0.createWorkspace(name: name, plan: plan) }
            Output.emit(
                [
                    "id": .string(workspace.id), "name": .string(workspace.name),
                    "plan": .string(workspace.plan.rawValue),
                ],
                text: "Created workspace \(workspace.name) (\(workspace.plan.rawValue)): \(workspace.id)",
                asJSON: global.json
            )
        }
    }
}

extension WorkspaceCommand {
    /// `gatehouse workspace set-plan --workspace W --plan P`
    struct SetPlan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-plan",
            abstract: "Change a workspace's plan, and so the rate limits of its integrations (at once, on every node)."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The workspace id.") var workspace: String
        @Option(help: "free, pro, team or enterprise.") var plan: Plan

        func run() async throws {
            let updated = try await global.withAdmin { try await $0.setPlan(plan, workspaceID: workspace) }
            Output.emit(
                ["id": .string(updated.id), "plan": .string(updated.plan.rawValue)],
                text: "Workspace \(updated.name) is now on the \(updated.plan.rawValue) plan.",
                asJSON: global.json
            )
        }
    }
}

/// `gatehouse user create --workspace W --email E --name N [--role R] --password-stdin`,
/// `gatehouse user set-password --email E --password-stdin`
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage people.",
        subcommands: [Create.self, SetPassword.self, ResetTOTP.self]
    )

    struct ResetTOTP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-totp",
            abstract:
                "Turn off a person's two-step sign-in (a lost authenticator) and end every session of theirs; they set it up again after signing in."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The person's sign-in email.") var email: String

        func run() async throws {
            let (person, hadOne) = try await global.withAdmin { try await $0.resetSecondFactor(email: email) }
            Output.emit(
                ["id": .string(person.id), "email": .string(person.email), "had_totp": .bool(hadOne)],
                text: hadOne
                    ? "Turned off two-step sign-in for \(person.email); every session of theirs has ended."
                    : "\(person.email) had no two-step sign-in; every session of theirs has ended.",
                asJSON: global.json
            )
        }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password",
            abstract:
                "Set a person's password (read from standard input) and end every session of theirs."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The person's sign-in email.") var email: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (required).")
        var passwordStdin = false

        func validate() throws {
            guard passwordStdin else {
                throw ValidationError(
                    "give --password-stdin and pipe the password in; passwords are never taken as arguments"
                )
            }
        }

        func run() async throws {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CLIError("no password on standard input")
            }
            let person = try await global.withAdmin { try await $0.setPassword(email: email, password: line) }
            Output.emit(
                ["id": .string(person.id), "email": .string(person.email), "sessions_ended": .bool(true)],
                text: "Set the password of \(person.email); every session of theirs has ended.",
                asJSON: global.json
            )
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a person. The password is read from standard input, never from arguments."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The workspace id.") var workspace: String
        @Option(help: "The sign-in email (unique).") var email: String
        @Option(help: "The person's name.") var name: String
        @Option(help: "owner or member.") var role: Role = .member
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (required).")
        var passwordStdin = false

        func validate() throws {
            guard passwordStdin else {
                throw ValidationError(
                    "give --password-stdin and pipe the password in; passwords are never taken as arguments"
                )
            }
        }

        func run() async throws {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CLIError("no password on standard input")
            }
            let person = try await global.withAdmin {
                try await $0.createUser(workspaceID: workspace, email: email, name: name, role: role, password: line)
            }
            Output.emit(
                ["id": .string(person.id), "email": .string(person.email), "role": .string(person.role.rawValue)],
                text: "Created \(person.role.rawValue) \(person.email): \(person.id)",
                asJSON: global.json
            )
        }
    }
}

/// `gatehouse database create --workspace W --title T`
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "database",
        abstract: "Manage databases (API resources).",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a database.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The workspace id.") var workspace: String
        @Option(help: "The database's title.") var title: String

        func run() async throws {
            let database = try await global.withAdmin {
                try await $0.createDatabase(workspaceID: workspace, title: title)
            }
            Output.emit(
                ["id": .string(database.id), "title": .string(database.title)],
                text: "Created database \(database.title): \(database.id)",
                asJSON: global.json
            )
        }
    }
}

/// `gatehouse page create --workspace W --title T [--database D]`
struct PageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "page",
        abstract: "Manage pages (API resources).",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a page, at the top level or in a database.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The workspace id.") var workspace: String
        @Option(help: "The page's title.") var title: String
        @Option(help: "The id of the database the page belongs to.") var database: String?

        func run() async throws {
            let page = try await global.withAdmin {
                try await $0.createPage(workspaceID: workspace, title: title, databaseID: database)
            }
            Output.emit(
                ["id": .string(page.id), "title": .string(page.title)],
                text: "Created page \(page.title): \(page.id)",
                asJSON: global.json
            )
        }
    }
}

/// `gatehouse share --integration I (--database D | --page P) [--remove]`
struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Share a database or page with an integration, or remove the share."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "The integration id.") var integration: String
    @Option(help: "A database id.") var database: String?
    @Option(help: "A page id.") var page: String?
    @Flag(help: "Withdraw the share instead.") var remove = false

    func validate() throws {
        guard (database == nil) != (page == nil) else {
            throw ValidationError("give exactly one of --database and --page")
        }
    }

    func run() async throws {
        let target: AdminOperations.ShareTarget = database.map { .database($0) } ?? .page(page!)
        let (type, id) = try await global.withAdmin {
            try await $0.share(integrationID: integration, target: target, remove: remove)
        }
        Output.emit(
            [
                "integration_id": .string(integration), "resource_type": .string(type), "resource_id": .string(id),
                "shared": .bool(!remove),
            ],
            text: remove
                ? "Removed the share of \(type) \(id)" : "Shared \(type) \(id) with integration \(integration)",
            asJSON: global.json
        )
    }
}
