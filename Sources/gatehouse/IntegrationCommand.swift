import ArgumentParser
import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore

/// `gatehouse integration create|list|show|delete`
struct IntegrationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "integration",
        abstract: "Manage integrations.",
        subcommands: [Create.self, List.self, Show.self, Delete.self, SetScopes.self, SetRateLimit.self]
    )

    static func json(_ integration: Integration) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [
            ("id", .string(integration.id)), ("workspace_id", .string(integration.workspaceID)),
            ("name", .string(integration.name)), ("kind", .string(integration.kind.rawValue)),
            ("bot_id", .string(integration.botID)),
            ("capabilities", .array(integration.capabilities.names.map(JSONValue.string))),
            ("scopes", .array(integration.scopes.names.map(JSONValue.string))),
            ("rate_limit", integration.rateLimitOverride.map { .string($0.compactDescription) } ?? .null),
            ("created_at", Output.time(integration.createdAt)),
        ]
        if let client = integration.oauthClient {
            members += [
                ("client_id", .string(client.clientID)),
                ("redirect_uris", .array(client.redirectURIs.map(JSONValue.string))),
                ("expiring_tokens", .bool(client.expiringTokens)),
                ("client_secret_required", .bool(client.confidential)),
                // Where a client that registered itself (RFC 7591) did so from; null if an
                // operator made it.
                ("registered_from", client.registeredFrom.map(JSONValue.string) ?? .null),
            ]
        }
        if let installation = integration.installation {
            members += [
                ("installed_from", .string(installation.appID)),
                ("owner_type", .string(installation.owner.rawValue)),
                ("owner_user_id", .string(installation.ownerUserID)),
            ]
        }
        return members
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Create an integration: an internal one prints its API key once; a public one (--public) its OAuth client_id and client_secret."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The workspace id.") var workspace: String
        @Option(help: "The integration's name.") var name: String
        @Option(help: "Comma-separated: \(Capabilities.allNames.joined(separator: ",")). Default: all, with email.")
        var capabilities: String?
        @Flag(name: .customLong("public"), help: "A public integration, installed by users through OAuth.")
        var isPublic = false
        @Option(name: .customLong("redirect-uri"), help: "A redirect URI of the public integration (repeatable).")
        var redirectURIs: [String] = []
        @Flag(help: "Issue expiring nap_ access tokens with nrt_ refresh tokens instead of bot_ tokens.")
        var expiring = false
        @Flag(
            name: .customLong("no-client-secret"),
            help: "Register a client without a secret (a native or browser app); PKCE is then required."
        )
        var noClientSecret = false
        @Option(
            help:
                "Your deployment's own scopes it holds, comma-separated (forward authentication; see `integration set-scopes`)."
        )
        var scopes: String?
        @Option(
            name: .customLong("expires-in"),
            help: "The API key stops working after this long: 90s, 15m, 24h, 30d (default: never)."
        )
        var expiresIn: String?
        @Option(
            name: .customLong("max-uses"),
            help: "The API key is refused after this many requests (default: no limit)."
        )
        var maxUses: Int?
        @Option(
            name: .customLong("rate-limit"),
            help:
                "The integration's own limit instead of its plan's: requests per second/burst/daily quota, e.g. 10/20/5000 (- for no daily quota)."
        )
        var rateLimit: String?

        func run() async throws {
            let parsed: Capabilities
            let parsedScopes: Scopes?
            let limit: RatePlan?
            let lifetime: Duration?
            do {
                parsed =
                    try capabilities.map { try Capabilities(names: $0.split(separator: ",").map(String.init)) } ?? .all
                parsedScopes = try scopes.map { try Scopes(parsing: $0) }
                limit = try rateLimit.map { text in
                    guard let limit = RatePlan(compact: text) else {
                        throw CLIError("--rate-limit takes requests per second/burst/daily quota, e.g. 10/20/5000")
                    }
                    return limit
                }
                lifetime = try expiresIn.map(AdminOperations.parseDuration)
            } catch {
                throw CLIError(String(describing: error))
            }
            if let maxUses, maxUses < 1 { throw CLIError("--max-uses must be at least 1") }
            guard !isPublic || (expiresIn == nil && maxUses == nil) else {
                throw CLIError("--expires-in and --max-uses apply to an internal integration's API key, not --public")
            }
            guard isPublic || (redirectURIs.isEmpty && !expiring && !noClientSecret) else {
                throw CLIError("--redirect-uri, --expiring and --no-client-secret need --public")
            }
            if isPublic {
                try await createPublic(parsed, scopes: parsedScopes, limit: limit)
                return
            }
            let (integration, token) = try await global.withAdmin { admin in
                let (created, token) = try await admin.createInternalIntegration(
                    workspaceID: workspace,
                    name: name,
                    capabilities: parsed
                )
                var integration = created
                if let parsedScopes { integration = try await admin.setScopes(parsedScopes, integrationID: created.id) }
                if let limit { integration = try await admin.setRateLimit(limit, integrationID: created.id) }
                if lifetime != nil || maxUses != nil, let key = try await admin.tokens(integrationID: created.id).first
                {
                    _ = try await admin.setKeyLimits(
                        tokenID: key.id,
                        expiresAt: lifetime.map {
                            admin.clock.now().addingTimeInterval(TimeInterval($0.components.seconds))
                        },
                        maxUses: maxUses
                    )
                }
                return (integration, token)
            }
            var json: [String: JSONValue] = [
                "id": .string(integration.id), "bot_id": .string(integration.botID), "token": .string(token),
            ]
            if let expiresIn { json["expires_in"] = .string(expiresIn) }
            if let maxUses { json["max_uses"] = .number(Double(maxUses)) }
            if let limit { json["rate_limit"] = .string(limit.compactDescription) }
            Output.emit(
                .object(json.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }),
                text: """
                    Created integration \(integration.name): \(integration.id)
                    bot id: \(integration.botID)
                    capabilities: \(integration.capabilities.names(joinedBy: ", "))
                    scopes: \(integration.scopes.isEmpty ? "none" : integration.scopes.spaceSeparated)
                    API key (shown once, stored only as a hash): \(token)
                    """,
                asJSON: global.json
            )
        }

        private func createPublic(_ capabilities: Capabilities, scopes: Scopes?, limit: RatePlan?) async throws {
            let (integration, secret) = try await global.withAdmin { admin in
                let (created, secret) = try await admin.createPublicIntegration(
                    workspaceID: workspace,
                    name: name,
                    capabilities: capabilities,
                    redirectURIs: redirectURIs,
                    expiringTokens: expiring,
                    withSecret: !noClientSecret
                )
                var integration = created
                if let scopes { integration = try await admin.setScopes(scopes, integrationID: created.id) }
                if let limit { integration = try await admin.setRateLimit(limit, integrationID: created.id) }
                return (integration, secret)
            }
            let clientID = integration.oauthClient?.clientID ?? ""
            Output.emit(
                [
                    "id": .string(integration.id), "bot_id": .string(integration.botID),
                    "client_id": .string(clientID), "client_secret": secret.map(JSONValue.string) ?? .null,
                ],
                text: """
                    Created public integration \(integration.name): \(integration.id)
                    client_id: \(clientID)
                    client_secret (shown once, stored only as a hash): \(secret ?? "none: this client must use PKCE")
                    redirect URIs: \(redirectURIs.joined(separator: ", "))
                    tokens: \(expiring ? "expiring (nap_ access + nrt_ refresh)" : "bot_ tokens that do not expire")
                    """,
                asJSON: global.json
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's integrations.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The workspace id.") var workspace: String

        func run() async throws {
            let integrations = try await global.withAdmin { admin in
                try await admin.store.integrations(workspaceID: try await admin.workspace(workspace).id)
            }
            Output.emit(
                .array(integrations.map { .object(IntegrationCommand.json($0)) }),
                text: integrations.isEmpty
                    ? "No integrations."
                    : integrations.map { "\($0.id)  \($0.kind.rawValue)  \($0.name)" }.joined(separator: "\n"),
                asJSON: global.json
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an integration, its tokens and its shares.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The integration id.") var integration: String

        func run() async throws {
            let (record, tokens, shares) = try await global.withAdmin { admin in
                let record = try await admin.integration(integration)
                return (
                    record, try await admin.store.tokens(integrationID: record.id),
                    try await admin.store.shares(integrationID: record.id)
                )
            }
            var json = IntegrationCommand.json(record)
            let now = global.clock.now()
            json.append(("tokens", .array(tokens.map { TokenCommand.json($0, at: now) })))
            json.append(("shared_resource_ids", .array(shares.sorted().map(JSONValue.string))))
            let text = """
                \(record.name) (\(record.kind.rawValue)): \(record.id)
                workspace: \(record.workspaceID)
                bot id: \(record.botID)
                capabilities: \(record.capabilities.names(joinedBy: ", "))
                tokens: \(tokens.map { "\($0.displayHint) [\(TokenCommand.status($0, at: now))]" }.joined(separator: ", "))
                shared: \(shares.isEmpty ? "nothing" : shares.sorted().joined(separator: ", "))
                """
            Output.emit(.object(json), text: text, asJSON: global.json)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete an integration: all its calls fail at once, and it cannot be recovered."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The integration id.") var integration: String

        func run() async throws {
            try await global.withAdmin { try await $0.deleteIntegration(integration) }
            Output.emit(
                ["id": .string(integration), "deleted": true],
                text: "Deleted integration \(integration); its tokens no longer work.",
                asJSON: global.json
            )
        }
    }
}

/// `gatehouse token revoke|list`
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage API tokens.",
        subcommands: [Rotate.self, Revoke.self, List.self]
    )

    static func status(_ token: TokenRecord, at now: Date) -> String { CredentialJSON.status(token, at: now) }

    static func json(_ token: TokenRecord, at now: Date) -> JSONValue { CredentialJSON.token(token, at: now) }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Issue a new API key (or, for a public integration, client secret). The old one keeps working until revoked, or until the grace period ends."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The integration id.") var integration: String
        @Option(help: "How long the old key keeps working: 90s, 15m, 24h, 7d (default: until revoked).")
        var grace: String?

        func run() async throws {
            let rotation = try await global.withAdmin { admin in
                try await admin.rotateToken(
                    integrationID: integration,
                    grace: try grace.map(AdminOperations.parseDuration)
                )
            }
            let ends =
                rotation.oldTokensExpireAt.map { "stops working at \($0.formatted(.iso8601))" } ?? "works until revoked"
            let what = rotation.record.kind == .clientSecret ? "client secret" : "API key"
            var json: [(String, JSONValue)] = [
                ("token", .string(rotation.token)), ("token_id", .string(rotation.record.id)),
                ("old_token_expires_at", Output.time(rotation.oldTokensExpireAt)),
            ]
            // A public integration's rotation is of its client secret: name it so as well.
            if rotation.record.kind == .clientSecret { json.append(("client_secret", .string(rotation.token))) }
            Output.emit(
                .object(json),
                text: """
                    New \(what) (shown once, stored only as a hash): \(rotation.token)
                    The previous \(what) (\(rotation.previous.map(\.displayHint).joined(separator: ", "))) \(ends).
                    """,
                asJSON: global.json
            )
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke tokens: every live token of an integration, one by id, or one read from standard input."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "Revoke every live token of this integration.") var integration: String?
        @Option(name: .customLong("token-id"), help: "Revoke the token with this id.") var tokenID: String?
        @Flag(name: .customLong("token-stdin"), help: "Read the token itself from standard input.") var tokenStdin =
            false

        func validate() throws {
            let given = [integration != nil, tokenID != nil, tokenStdin].filter { $0 }.count
            guard given == 1 else {
                throw ValidationError("give exactly one of --integration, --token-id and --token-stdin")
            }
        }

        func run() async throws {
            var secret: String?
            if tokenStdin {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                    throw CLIError("no token on standard input")
                }
                secret = line
            }
            let revoked = try await global.withAdmin { admin in
                if let integration { return try await admin.revokeTokens(integrationID: integration) }
                if let tokenID { return try await admin.revokeToken(id: tokenID) }
                return try await admin.revokeToken(secret: secret!)
            }
            Output.emit(
                ["revoked": .array(revoked.map { .string($0.id) })],
                text: revoked.isEmpty
                    ? "No live token to revoke."
                    : "Revoked \(revoked.map(\.displayHint).joined(separator: ", ")); calls with it now fail.",
                asJSON: global.json
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an integration's tokens (hints only).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The integration id.") var integration: String

        func run() async throws {
            let tokens = try await global.withAdmin { try await $0.tokens(integrationID: integration) }
            let now = global.clock.now()
            Output.emit(
                .array(tokens.map { TokenCommand.json($0, at: now) }),
                text: tokens.map {
                    "\($0.id)  \($0.displayHint)  \(TokenCommand.status($0, at: now))  created \($0.createdAt.formatted(.iso8601))  used \($0.useCount)×, last \($0.lastUsedAt.map { "\($0.formatted(.iso8601))" } ?? "never")"
                }
                .joined(separator: "\n"),
                asJSON: global.json
            )
        }
    }
}

extension IntegrationCommand {
    struct SetScopes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-scopes",
            abstract:
                "Replace the deployment scopes an integration holds (for a public integration, its installations too); takes effect at once on every node."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The integration id.") var integration: String
        @Option(help: "Comma- or space-separated scope names; empty for none.") var scopes: String

        func run() async throws {
            let parsed: Scopes
            do {
                parsed = try Scopes(parsing: scopes)
            } catch {
                throw CLIError(error.description)
            }
            let changed = try await global.withAdmin { try await $0.setScopes(parsed, integrationID: integration) }
            Output.emit(
                ["id": .string(changed.id), "scopes": .array(changed.scopes.names.map(JSONValue.string))],
                text: "Scopes of \(changed.name): \(changed.scopes.isEmpty ? "none" : changed.scopes.spaceSeparated)",
                asJSON: global.json
            )
        }
    }

    struct SetRateLimit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-rate-limit",
            abstract:
                "Give an integration its own rate limit instead of its workspace plan's (or --plan to go back); takes effect at once on every node."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The integration id.") var integration: String
        @Option(help: "Requests per second/burst/daily quota, e.g. 10/20/5000 (- for no daily quota).") var limit:
            String?
        @Flag(help: "Use the workspace plan's limits again.") var plan = false

        func run() async throws {
            guard (limit == nil) != !plan else { throw CLIError("give either --limit or --plan") }
            let parsed = try limit.map { text in
                guard let parsed = RatePlan(compact: text) else {
                    throw CLIError("--limit takes requests per second/burst/daily quota, e.g. 10/20/5000")
                }
                return parsed
            }
            let changed = try await global.withAdmin { try await $0.setRateLimit(parsed, integrationID: integration) }
            Output.emit(
                [
                    "id": .string(changed.id),
                    "rate_limit": changed.rateLimitOverride.map { .string($0.compactDescription) } ?? .null,
                ],
                text: "Rate limit of \(changed.name): \(changed.rateLimitOverride?.compactDescription ?? "its plan's")",
                asJSON: global.json
            )
        }
    }
}
