import ArgumentParser
import Foundation
import GatehouseAdmin
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
                        start = global.clock.now().addingTimeInterval(
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
            abstract:
                "Check the audit chain (with the audit key and the anchor file when there are); report the first edited, inserted or deleted event (exit 1) and what this configuration can detect."
        )
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let settings = Settings()
            let url = try global.resolvedDatabaseURL(settings)
            let anchorPath = global.resolvedAuditAnchorFile(settings, url: url)
            let anchors: [AuditCheckpoint]
            do {
                anchors = try anchorPath.map { try AuditAnchorFile(path: $0).read() } ?? []
            } catch {
                throw CLIError("cannot read the audit anchor file '\(anchorPath ?? "")'")
            }
            let store = try await global.openStore(settings, createKey: false)
            let keyed = store.auditKey != nil
            let verification: AuditVerification
            do {
                verification = try await store.verifyAuditLog(anchors: anchors)
                await store.shutdown()
            } catch {
                await store.shutdown()
                throw error
            }
            let coverage = Self.coverage(keyed: keyed, anchors: anchors.count, unverifiable: verification.unverifiable)
            let coverageJSON: [(String, JSONValue)] = [
                ("keyed", .bool(keyed)), ("anchors", .number(Double(anchors.count))),
                ("detects", .array(coverage.detects.map { .string($0) })),
                ("cannot_detect", .array(coverage.cannot.map { .string($0) })),
            ]
            let detected: String = coverage.detects.isEmpty ? "nothing" : coverage.detects.joined(separator: "; ")
            let undetected: String =
                coverage.cannot.isEmpty ? "nothing listed" : coverage.cannot.joined(separator: "; ")
            let notes: String = "Detects: \(detected).\nCannot detect: \(undetected)."
            switch verification.verdict {
            case .intact(let count):
                Output.emit(
                    .object([("intact", .bool(true)), ("events", .number(Double(count)))] + coverageJSON),
                    text: "The audit log is intact: \(count) events.\n" + notes,
                    asJSON: global.json
                )
            case .broken(let sequence, let reason):
                Output.emit(
                    .object(
                        [
                            ("intact", .bool(false)), ("sequence", .number(Double(sequence))),
                            ("reason", .string(reason)),
                        ] + coverageJSON
                    ),
                    text: "The audit log is broken at event \(sequence): \(reason).\n" + notes,
                    asJSON: global.json
                )
                throw ExitCode(1)
            }
        }

        /// What a check can and cannot find, given a key and anchors exported off the store.
        static func coverage(keyed: Bool, anchors: Int, unverifiable: Int) -> (detects: [String], cannot: [String]) {
            var detects: [String] = []
            var cannot: [String] = []
            if keyed {
                detects += [
                    "an edited event", "an inserted event", "a deleted event (other than the newest)",
                    "a rewrite of the chain by someone without the audit key",
                ]
            } else {
                detects += ["an edited or deleted event, unless the chain was recomputed after it"]
                cannot += [
                    "edits, insertions and deletions by someone who recomputes the unkeyed chain (no audit key: set GATEHOUSE_AUDIT_KEY or --audit-key-file)"
                ]
            }
            if unverifiable > 0 {
                cannot.append("changes to the \(unverifiable) keyed events (their MACs need the audit key)")
            }
            if anchors > 0 {
                detects.append("deletion of the newest events up to the last exported anchor")
                cannot.append("deletion of events written after the last anchor (the janitor exports one every run)")
            } else {
                cannot.append(
                    "deletion of the newest events (truncation): no anchor file (--audit-anchor-file) to compare with"
                )
            }
            return (detects, cannot)
        }
    }

    static func json(_ event: AuditEvent) -> JSONValue { AuditEventJSON.json(event) }
}
