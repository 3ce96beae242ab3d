import ArgumentParser
import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer

/// `gatehouse verifier create`: keys for services that call `POST /verify`.
struct VerifierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verifier",
        abstract: "Manage verifier keys (gvk_…), the credentials services present to POST /verify.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Create a verifier key for an integration (the service that verifies); shown once. Revoke it with `token revoke --token-id`."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The integration the verifying service acts as.") var integration: String

        func run() async throws {
            let (key, record) = try await global.withAdmin {
                try await $0.createVerifierKey(integrationID: integration)
            }
            Output.emit(
                ["token_id": .string(record.id), "integration_id": .string(record.integrationID), "key": .string(key)],
                text: """
                    Created verifier key \(record.id) for integration \(record.integrationID)
                    key (shown once, stored only as a hash): \(key)
                    """,
                asJSON: global.json
            )
        }
    }
}
