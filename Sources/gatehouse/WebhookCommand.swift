import ArgumentParser
import Foundation
import GatehouseAdmin
import GatehouseContent
import GatehouseCore

/// `gatehouse webhook create|list|show|verify|resend|pause|resume|delete`: an integration's
/// webhook subscriptions, as Notion's integration settings manage them.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Manage webhook subscriptions: where an integration is told about changes to what it can see.",
        subcommands: [
            Create.self, List.self, Show.self, Verify.self, Resend.self, Pause.self, Resume.self, Delete.self,
        ]
    )

    static func json(_ subscription: WebhookSubscription) -> JSONValue {
        [
            "id": .string(subscription.id),
            "integration_id": .string(subscription.integrationID),
            "url": .string(subscription.url),
            "status": .string(subscription.status.rawValue),
            "event_types": .array(subscription.eventTypes.map { .string($0.rawValue) }),
            "api_version": .string(subscription.apiVersion),
            "created_at": Output.time(subscription.createdAt),
            "verified_at": Output.time(subscription.verifiedAt),
        ]
    }

    static func json(_ delivery: WebhookDelivery) -> JSONValue {
        [
            "id": .string(delivery.id),
            "event_id": .string(delivery.eventID),
            "type": .string(delivery.eventType),
            "status": .string(delivery.status.rawValue),
            "attempts": .number(Double(delivery.attempts)),
            "last_outcome": .optional(delivery.lastOutcome),
            "next_attempt_at": delivery.status == .pending ? Output.time(delivery.nextAttemptAt) : .null,
            "created_at": Output.time(delivery.createdAt),
            "finished_at": Output.time(delivery.finishedAt),
        ]
    }

    static func line(_ subscription: WebhookSubscription) -> String {
        let events =
            subscription.eventTypes.isEmpty
            ? "all events" : subscription.eventTypes.map(\.rawValue).joined(separator: ",")
        return
            "\(subscription.id)  \(subscription.status.rawValue)  \(subscription.url)  \(events)  \(subscription.apiVersion)"
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Subscribe an integration's URL to its events. The server then posts the URL a verification_token; give it back with `webhook verify`."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The integration (internal, or public: then every installation's events).") var integration:
            String
        @Option(help: "The URL to post events to: https, or http to localhost.") var url: String
        @Option(help: "Comma-separated event types (page.created, comment.created, …). Default: all.") var events:
            String?
        @Option(
            name: .customLong("api-version"),
            help:
                "The API version whose event names and shapes are sent: \(WebhookSubscription.apiVersions.joined(separator: ", ")) (default the newest)."
        )
        var apiVersion: String?

        func run() async throws {
            let types: [WebhookEventType]
            do {
                types = try WebhookEventType.list(parsing: events ?? "")
            } catch {
                throw CLIError(error.description)
            }
            let subscription = try await global.withAdmin {
                try await $0.createWebhookSubscription(
                    integrationID: integration,
                    url: url,
                    eventTypes: types,
                    apiVersion: apiVersion
                )
            }
            Output.emit(
                WebhookCommand.json(subscription),
                text: """
                    Created webhook subscription \(subscription.id) (pending verification)
                    The server posts a verification_token to \(subscription.url) within seconds; then run:
                      gatehouse webhook verify --subscription \(subscription.id) --token-stdin   (and paste it)
                    """,
                asJSON: global.json
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List webhook subscriptions.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this integration's.") var integration: String?

        func run() async throws {
            let subscriptions = try await global.withAdmin {
                try await $0.webhookSubscriptions(integrationID: integration)
            }
            Output.emit(
                .array(subscriptions.map(WebhookCommand.json)),
                text: subscriptions.isEmpty
                    ? "No webhook subscriptions." : subscriptions.map(WebhookCommand.line).joined(separator: "\n"),
                asJSON: global.json
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a subscription and its latest deliveries.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The subscription id.") var subscription: String
        @Option(help: "How many deliveries, newest first.") var limit = 20

        func run() async throws {
            let (record, deliveries) = try await global.withAdmin { admin in
                (
                    try await admin.webhookSubscription(subscription),
                    try await admin.webhookDeliveries(subscriptionID: subscription, limit: max(1, min(limit, 500)))
                )
            }
            guard case .object(var members) = WebhookCommand.json(record) else { return }
            members.append(("deliveries", .array(deliveries.map(WebhookCommand.json))))
            let lines = deliveries.map { delivery in
                "  \(delivery.eventType)  \(delivery.status.rawValue)  attempts \(delivery.attempts)  \(delivery.lastOutcome ?? "-")"
            }
            Output.emit(
                .object(members),
                text: ([WebhookCommand.line(record), "deliveries (newest first):"]
                    + (lines.isEmpty ? ["  none"] : lines))
                    .joined(separator: "\n"),
                asJSON: global.json
            )
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Activate a subscription with the verification_token the server posted to its URL."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The subscription id.") var subscription: String
        @Flag(name: .customLong("token-stdin"), help: "Read the verification_token from standard input (required).")
        var tokenStdin = false

        func run() async throws {
            guard tokenStdin else {
                throw CLIError(
                    "give --token-stdin and pipe the verification_token in; tokens are never taken as arguments"
                )
            }
            guard let token = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespacesAndNewlines),
                !token.isEmpty
            else { throw CLIError("no verification_token on standard input") }
            let verified = try await global.withAdmin {
                try await $0.verifyWebhookSubscription(subscription, token: token)
            }
            Output.emit(
                WebhookCommand.json(verified),
                text: "Verified webhook subscription \(verified.id): events are delivered to \(verified.url)",
                asJSON: global.json
            )
        }
    }

    struct Resend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Post a new verification_token to the subscription's URL (the old one stops signing); it is pending until verified again."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The subscription id.") var subscription: String

        func run() async throws {
            let pending = try await global.withAdmin { try await $0.resendWebhookVerification(subscription) }
            Output.emit(
                WebhookCommand.json(pending),
                text:
                    "A new verification_token is on its way to \(pending.url); verify the subscription again with it.",
                asJSON: global.json
            )
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop delivering a subscription's events.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The subscription id.") var subscription: String

        func run() async throws {
            let paused = try await global.withAdmin { try await $0.pauseWebhookSubscription(subscription) }
            Output.emit(
                WebhookCommand.json(paused),
                text: "Paused webhook subscription \(paused.id)",
                asJSON: global.json
            )
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver a paused subscription's events again.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The subscription id.") var subscription: String

        func run() async throws {
            let resumed = try await global.withAdmin { try await $0.resumeWebhookSubscription(subscription) }
            Output.emit(
                WebhookCommand.json(resumed),
                text: "Resumed webhook subscription \(resumed.id)",
                asJSON: global.json
            )
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a subscription and its deliveries.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The subscription id.") var subscription: String

        func run() async throws {
            try await global.withAdmin { try await $0.deleteWebhookSubscription(subscription) }
            Output.emit(
                ["deleted": .string(subscription)],
                text: "Deleted webhook subscription \(subscription)",
                asJSON: global.json
            )
        }
    }
}
