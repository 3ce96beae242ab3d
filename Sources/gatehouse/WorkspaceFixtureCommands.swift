import ArgumentParser
import Foundation
import GatehouseAdmin
import GatehouseCore

extension WorkspaceCommand {
    /// `gatehouse workspace export --workspace W > fixture.json`
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Print a workspace as a fixture (JSON, docs/fixtures.md): users, content, integrations and shares; no secrets."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The workspace id.") var workspace: String

        func run() async throws {
            let fixture = try await global.withAdmin { try await $0.exportWorkspace(workspace) }
            Output.write(String(decoding: try fixture.encoded(), as: UTF8.self))
        }
    }

    /// `gatehouse workspace import fixture.json`
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Create a workspace from a fixture, ids preserved, in one transaction (no passwords or keys: mint keys with `integration create` or `token rotate`)."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The fixture file (`-` for standard input).") var file: String

        func run() async throws {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: file) else {
                    throw CLIError("cannot read the fixture file \(file.prefix(200))")
                }
                data = contents
            }
            let imported = try await global.withAdmin { admin in
                try await admin.importWorkspace(try WorkspaceFixture.decode(data))
            }
            func ids(_ list: [String]) -> JSONValue { .array(list.map(JSONValue.string)) }
            Output.emit(
                [
                    "workspace_id": .string(imported.workspaceID), "user_ids": ids(imported.userIDs),
                    "integration_ids": ids(imported.integrationIDs), "database_ids": ids(imported.databaseIDs),
                    "data_source_ids": ids(imported.dataSourceIDs), "page_ids": ids(imported.pageIDs),
                    "block_ids": ids(imported.blockIDs), "comment_ids": ids(imported.commentIDs),
                ],
                text:
                    "Imported workspace \(imported.workspaceID): \(imported.userIDs.count) users, \(imported.integrationIDs.count) integrations, \(imported.databaseIDs.count) databases, \(imported.pageIDs.count) pages, \(imported.blockIDs.count) blocks, \(imported.commentIDs.count) comments.",
                asJSON: global.json
            )
        }
    }
}
