import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseStore

/// `gatehouse events [--since TIME] [--json]` and `gatehouse events verify`.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "The audit log.",
        subcommands: [List.self, Verify.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List audit events, oldest first; --json exports them as JSON lines."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only events at or after this time: an ISO 8601 time or a duration ago (90s, 15m, 24h, 7d).")
        var since: String?

        func run() async throws {
            var start: Date?
            if let since {
                if let time = try? Date(since, strategy: .iso8601) {
                    start = time
                } else {
                    do {
                        start = Date().addingTimeInterval(
                            -Double(try AdminOperations.parseDuration(since).components.seconds)
                        )
                    } catch {
                        throw CLIError(
                            "--since takes an ISO 8601 time or a duration such as 24h, not '\(since.prefix(40))'"
                        )
                    }
                }
            }
            let events = try await global.withAdmin { try await $0.store.events(since: start, limit: 1_000_000) }
            for event in events {
                if global.json {
                    Output.write(String(decoding: EventsCommand.json(event).serialized(), as: UTF8.self))
                } else {
                    let details = event.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                        separator: " "
                    )
                    Output.write(
                        "\(event.sequence)  \(event.time.formatted(.iso8601))  \(event.actor)  \(event.action)  \(event.outcome)  \(event.target ?? "-")  \(details)"
                    )
                }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chain; report the first edited or deleted event (exit 1)."
        )
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let events = try await global.withAdmin { try await $0.store.events(since: nil, limit: Int.max) }
            switch AuditChain.verify(events) {
            case .intact(let count):
                Output.emit(
                    ["intact": true, "events": .number(Double(count))],
                    text: "The audit log is intact: \(count) events.",
                    asJSON: global.json
                )
            case .broken(let sequence, let reason):
                Output.emit(
                    ["intact": false, "sequence": .number(Double(sequence)), "reason": .string(reason)],
                    text: "The audit log is broken at event \(sequence): \(reason).",
                    asJSON: global.json
                )
                throw ExitCode(1)
            }
        }
    }

    static func json(_ event: AuditEvent) -> JSONValue { AuditEventJSON.json(event) }
}
