import ArgumentParser
import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import Hummingbird
import Logging

/// `gatehouse serve`: runs the HTTP server; on a new store, seeds a sandbox and prints its demo key once.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server. On a new store, seed a sandbox workspace and print its demo key once."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Address to listen on (env GATEHOUSE_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on, 0 for any free one (env GATEHOUSE_PORT; default 8080).") var port: Int?
    @Option(
        name: .customLong("unshared-status"),
        help:
            "Status for an unshared resource of the integration's own workspace: 403 (the seed's) or 404 (Notion's). Env GATEHOUSE_UNSHARED_STATUS."
    )
    var unsharedStatus: String?
    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error (env GATEHOUSE_LOG_LEVEL; default info)."
    )
    var logLevel: String?
    @Flag(name: .customLong("no-seed"), help: "Do not seed a sandbox into a new store.") var noSeed = false
    @Flag(
        name: .customLong("seed"),
        help:
            "Seed a sandbox into a new store even on PostgreSQL or a non-loopback address (by default only a SQLite store served on loopback is seeded)."
    )
    var seed = false
    @Option(
        name: .customLong("plans-file"),
        help:
            "JSON file overriding plan limits, e.g. {\"free\": {\"requests_per_second\": 0.5, \"burst\": 5, \"daily_quota\": 2000}} (env GATEHOUSE_PLANS_FILE)."
    )
    var plansFile: String?
    @Option(
        name: .customLong("public-url"),
        help:
            "The URL clients reach this server at, e.g. https://auth.example.com: the OAuth issuer (iss); https adds HSTS to every page (env GATEHOUSE_PUBLIC_URL; default http://<host>:<port>)."
    )
    var publicURL: String?
    @Option(
        name: .customLong("trusted-proxies"),
        help:
            "Reverse proxies whose Forwarded / X-Forwarded-For headers name the client, as addresses or networks, comma-separated, e.g. 127.0.0.1,10.0.0.0/8 (env GATEHOUSE_TRUSTED_PROXIES; default none: the peer is the client)."
    )
    var trustedProxies: String?
    @Option(
        name: .customLong("unix-socket"),
        help:
            "Also serve on this Unix socket, for a proxy on the same machine (forward auth without TCP); made mode 0660, and its peers count as trusted proxies; a live socket at the path is refused, a stale one replaced (env GATEHOUSE_UNIX_SOCKET; default none)."
    )
    var unixSocket: String?
    @Option(
        name: .customLong("policy-file"),
        help:
            "Route policy for /forward-auth (YAML or JSON): your scopes, and the scopes each method and path requires; re-read when it changes (env GATEHOUSE_POLICY_FILE; default: any valid token passes)."
    )
    var policyFile: String?
    @Option(
        name: .customLong("refresh-grace"),
        help:
            "Seconds a used refresh token still returns its successor to a retry from the same client address, 0 to 60 (env GATEHOUSE_REFRESH_GRACE; default 2)."
    )
    var refreshGrace: String?
    @Option(
        name: .customLong("refresh-max-age"),
        help:
            "Days an OAuth grant can be refreshed before the user must authorize again (env GATEHOUSE_REFRESH_MAX_AGE_DAYS; default 180)."
    )
    var refreshMaxAge: String?
    @Option(
        name: .customLong("idle-timeout"),
        help:
            "Seconds a connection may go without sending a complete request head (idle keep-alive, or a head sent slowly) before it is closed (env GATEHOUSE_IDLE_TIMEOUT; default 60)."
    )
    var idleTimeout: String?
    @Option(
        name: .customLong("read-timeout"),
        help:
            "Seconds a request's body may take to arrive after its head before the connection is closed (env GATEHOUSE_READ_TIMEOUT; default 30)."
    )
    var readTimeout: String?
    @Option(
        name: .customLong("max-connections"),
        help:
            "Most connections open at once on each listener (TCP, and the Unix socket if any); more wait in the listen backlog until one closes (env GATEHOUSE_MAX_CONNECTIONS; default 4096)."
    )
    var maxConnections: String?
    @Option(
        name: .customLong("session-idle-timeout"),
        help: "A console session unused this long ends, e.g. 30m (env GATEHOUSE_SESSION_IDLE_TIMEOUT; default 30m)."
    )
    var sessionIdleTimeout: String?
    @Option(
        name: .customLong("session-lifetime"),
        help:
            "A console session ends this long after sign-in however active, e.g. 12h (env GATEHOUSE_SESSION_LIFETIME; default 12h)."
    )
    var sessionLifetime: String?
    @Flag(
        name: .customLong("require-owner-totp"),
        help:
            "Owners must set up two-step sign-in (TOTP) before using the console or consent pages (env GATEHOUSE_REQUIRE_OWNER_TOTP=1). Seal the secrets with GATEHOUSE_SECRETS_KEY (32+ characters, from the environment or .env)."
    )
    var requireOwnerTOTP = false
    @Option(
        name: .customLong("audit-retention-days"),
        help:
            "Days audit events are kept; the janitor purges older ones and re-anchors the chain; 0 keeps them forever (env GATEHOUSE_AUDIT_RETENTION_DAYS; default 365)."
    )
    var auditRetentionDays: Int?
    @Option(
        name: .customLong("webhook-allow-network"),
        help:
            "Networks webhook URLs may reach although they are not public, comma-separated, e.g. 127.0.0.0/8 for a receiver on this machine (env GATEHOUSE_WEBHOOK_ALLOW_NETWORKS; default none: public addresses only)."
    )
    var webhookAllowNetwork: String?
    @Option(
        name: .customLong("webhook-aggregation-window"),
        help:
            "How long webhook events that Notion aggregates (all but comments) wait for more of their kind before they are sent, e.g. 1s or 1m (env GATEHOUSE_WEBHOOK_AGGREGATION_WINDOW; default 2s)."
    )
    var webhookAggregationWindow: String?
    @Option(
        name: .customLong("client-registration"),
        help:
            "The workspace (id) that owns OAuth clients registering themselves at /v1/oauth/register (RFC 7591), as MCP clients do, or 'off' (env GATEHOUSE_CLIENT_REGISTRATION; default: the sandbox workspace where a sandbox is seeded, otherwise off)."
    )
    var clientRegistration: String?

    func run() async throws {
        let settings = Settings()
        var configuration = try serverConfiguration(settings)
        let level = try resolvedLogLevel(settings)
        LoggingSystem.bootstrap { RedactingLogHandler(label: $0, level: level) }
        let logger = Logger(label: "gatehouse")

        let databaseURL = try global.resolvedDatabaseURL(settings)
        let seeding = try Self.seeding(
            explicit: seed,
            refused: noSeed,
            databaseURL: databaseURL,
            host: configuration.host
        )
        let store = try await global.openStore(settings, logger: logger)
        if store.auditKey == nil {
            // Audit helper: say when the chain cannot resist someone who can write the store.
            logger.warning(
                "the audit log's chain is unkeyed: set GATEHOUSE_AUDIT_KEY or --audit-key-file so that edits by a store writer are detectable"
            )
        }
        let authenticator = Authenticator(store: store)
        let admin = AdminOperations(store: store, actor: "server", onRevocation: { authenticator.apply($0) })
        let sandbox: SandboxSeeder.Sandbox?
        do {
            sandbox = seeding ? try await SandboxSeeder(admin: admin).seedIfEmpty() : nil
            if !seeding, !noSeed, try await store.workspaces().isEmpty {
                logger.notice(
                    "the store is empty and no sandbox was seeded (only a SQLite store served on loopback is seeded by default): create a workspace with `gatehouse workspace create`, or pass --seed"
                )
            }
        } catch {
            await store.shutdown()
            throw CLIError("cannot seed the sandbox: \(error)")
        }
        do {
            configuration.clientRegistrationWorkspace = try await Self.registrationWorkspace(
                clientRegistration ?? settings["GATEHOUSE_CLIENT_REGISTRATION"],
                sandboxMode: seeding,
                admin: admin
            )
        } catch {
            await store.shutdown()
            throw error
        }
        let host = configuration.host
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(
                configuration: configuration,
                store: store,
                authenticator: authenticator,
                logger: logger,
                onServerRunning: {
                    [socket = configuration.unixSocketPath, registration = configuration.clientRegistrationWorkspace]
                    port in
                    Output.write(
                        Self.banner(
                            host: host,
                            port: port,
                            socket: socket,
                            databaseURL: databaseURL,
                            sandbox: sandbox,
                            registrationOpen: registration != nil
                        )
                    )
                }
            )
        } catch {
            await store.shutdown()
            throw CLIError("cannot start the server: \(error)")
        }
        do {
            try await app.runService()
        } catch {
            await store.shutdown()
            throw CLIError("the server stopped: \(error)")
        }
        await store.shutdown()
    }

    /// The workspace that owns self-registered OAuth clients: the one named (which must exist),
    /// none for `off`, and by default the seeded sandbox's where this run would seed one (a
    /// workspace called "Sandbox" whose owner is the seeded one), so that an MCP client connects to
    /// a sandbox with its URL alone.
    static func registrationWorkspace(
        _ option: String?,
        sandboxMode: Bool,
        admin: AdminOperations
    ) async throws
        -> String?
    {
        switch option {
        case "off"?:
            return nil
        case let id?:
            do {
                return try await admin.workspace(id).id
            } catch {
                throw CLIError("--client-registration: no workspace has the id '\(id.prefix(60))' (or use 'off')")
            }
        case nil:
            guard sandboxMode else { return nil }
            return try await SandboxSeeder.seededWorkspace(in: admin.store)
        }
    }

    /// Whether to seed a sandbox into a new store: always with `--seed`, never with `--no-seed`,
    /// and otherwise only for a SQLite store served on a loopback address, so that a fresh
    /// production database never gets a well-known owner and an all-capability key.
    static func seeding(explicit: Bool, refused: Bool, databaseURL: DatabaseURL, host: String) throws -> Bool {
        if explicit, refused { throw CLIError("--seed and --no-seed contradict each other: choose one") }
        if explicit { return true }
        if refused { return false }
        guard case .sqlite = databaseURL else { return false }
        return IPAddress.isLoopbackHost(host)
    }

    private func serverConfiguration(_ settings: Settings) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = host ?? settings["GATEHOUSE_HOST"] ?? configuration.host
        if let port {
            configuration.port = port
        } else if let text = settings["GATEHOUSE_PORT"] {
            guard let value = Int(text) else {
                throw CLIError("GATEHOUSE_PORT must be a port number, not '\(text.prefix(20))'")
            }
            configuration.port = value
        }
        guard (0...65535).contains(configuration.port) else {
            throw CLIError("the port must be between 0 and 65535, not \(configuration.port)")
        }
        if let path = unixSocket ?? settings["GATEHOUSE_UNIX_SOCKET"] {
            do {
                try UnixSocketListener.checkPath(path)
            } catch {
                throw CLIError(error.description)
            }
            configuration.unixSocketPath = path
        }
        if let path = plansFile ?? settings["GATEHOUSE_PLANS_FILE"] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CLIError("cannot read the plans file '\(path)'")
            }
            do {
                configuration.ratePlans = try RatePlans(json: data)
            } catch {
                throw CLIError("bad plans file '\(path)': \(error.description)")
            }
        }
        if let text = publicURL ?? settings["GATEHOUSE_PUBLIC_URL"] {
            let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
            guard let components = URLComponents(string: trimmed), ["http", "https"].contains(components.scheme ?? ""),
                components.host?.isEmpty == false, components.query == nil, components.fragment == nil
            else {
                throw CLIError("the public URL must be an http or https URL such as https://auth.example.com")
            }
            configuration.publicURL = trimmed
        }
        if let text = sessionLifetime ?? settings["GATEHOUSE_SESSION_LIFETIME"] {
            configuration.oauthLifetimes.session = try Self.interval(text, "session lifetime")
        }
        if let text = sessionIdleTimeout ?? settings["GATEHOUSE_SESSION_IDLE_TIMEOUT"] {
            configuration.sessionIdleTimeout = try Self.interval(text, "session idle timeout")
        }
        guard configuration.sessionIdleTimeout <= configuration.oauthLifetimes.session else {
            throw CLIError("the session idle timeout must not be longer than the session lifetime")
        }
        configuration.requireOwnerSecondFactor =
            requireOwnerTOTP
            || ["1", "true", "yes"].contains(settings["GATEHOUSE_REQUIRE_OWNER_TOTP"]?.lowercased() ?? "")
        if let key = settings["GATEHOUSE_SECRETS_KEY"] {
            guard key.utf8.count >= 32 else {
                throw CLIError("GATEHOUSE_SECRETS_KEY must be at least 32 characters (e.g. `openssl rand -base64 32`)")
            }
            configuration.secretsKey = Data(key.utf8)
        }
        if let text = settings["GATEHOUSE_ROTATION_DAYS"] {
            guard let days = Int(text), days > 0 else {
                throw CLIError("GATEHOUSE_ROTATION_DAYS must be a number of days, not '\(text.prefix(20))'")
            }
            configuration.rotationPolicyDays = days
        }
        if let path = policyFile ?? settings["GATEHOUSE_POLICY_FILE"] {
            do {
                configuration.routePolicy = try RoutePolicySource(path: path)
            } catch {
                throw CLIError(error.description)
            }
        }
        if let text = trustedProxies ?? settings["GATEHOUSE_TRUSTED_PROXIES"] {
            do {
                configuration.trustedProxies = try TrustedProxies(parsing: text)
            } catch {
                throw CLIError("bad trusted proxies: \(error.description)")
            }
        }
        if let text = webhookAllowNetwork ?? settings["GATEHOUSE_WEBHOOK_ALLOW_NETWORKS"] {
            do {
                configuration.webhooks.allowedNetworks = try TrustedProxies(parsing: text).networks
            } catch {
                throw CLIError("bad webhook networks: \(error.description)")
            }
        }
        if let text = webhookAggregationWindow ?? settings["GATEHOUSE_WEBHOOK_AGGREGATION_WINDOW"] {
            configuration.webhooks.aggregationWindow = try Self.interval(text, "webhook aggregation window")
        }
        if let text = refreshGrace ?? settings["GATEHOUSE_REFRESH_GRACE"] {
            guard let seconds = Int(text), (0...60).contains(seconds) else {
                throw CLIError("the refresh grace must be a number of seconds from 0 to 60, not '\(text.prefix(20))'")
            }
            configuration.oauthLifetimes.refreshGrace = TimeInterval(seconds)
        }
        if let text = refreshMaxAge ?? settings["GATEHOUSE_REFRESH_MAX_AGE_DAYS"] {
            guard let days = Int(text), (1...3650).contains(days) else {
                throw CLIError("the refresh max age must be a number of days from 1 to 3650, not '\(text.prefix(20))'")
            }
            configuration.oauthLifetimes.refreshGrantMaxAge = TimeInterval(days) * 86_400
        }
        if let seconds = try Self.seconds(idleTimeout ?? settings["GATEHOUSE_IDLE_TIMEOUT"], "idle timeout") {
            configuration.idleTimeout = seconds
        }
        if let seconds = try Self.seconds(readTimeout ?? settings["GATEHOUSE_READ_TIMEOUT"], "read timeout") {
            configuration.readTimeout = seconds
        }
        if let text = maxConnections ?? settings["GATEHOUSE_MAX_CONNECTIONS"] {
            guard let value = Int(text), (1...1_000_000).contains(value) else {
                throw CLIError(
                    "the maximum number of connections must be between 1 and 1000000, not '\(text.prefix(20))'"
                )
            }
            configuration.maxConnections = value
        }
        if let text = unsharedStatus ?? settings["GATEHOUSE_UNSHARED_STATUS"] {
            guard let value = UnsharedResourceResponse(rawValue: text) else {
                throw CLIError("the unshared status must be 403 or 404, not '\(text.prefix(20))'")
            }
            configuration.unsharedResponse = value
        }
        // Audit log retention and the checkpoint anchor exported off the store.
        let retentionText = auditRetentionDays.map(String.init) ?? settings["GATEHOUSE_AUDIT_RETENTION_DAYS"]
        if let retentionText {
            guard let days = Int(retentionText), days >= 0, days <= 36_500 else {
                throw CLIError(
                    "the audit retention must be a number of days (0 keeps events forever), not '\(retentionText.prefix(20))'"
                )
            }
            configuration.auditRetention = days == 0 ? nil : Double(days) * 86_400
        }
        configuration.auditAnchorFile = global.resolvedAuditAnchorFile(
            settings,
            url: try global.resolvedDatabaseURL(settings)
        )
        return configuration
    }

    /// A timeout given in seconds (fractions allowed, e.g. 0.5), between 0.1 s and one day.
    static func seconds(_ text: String?, _ what: String) throws -> Duration? {
        guard let text else { return nil }
        guard let value = Double(text), value.isFinite, (0.1...86_400).contains(value) else {
            throw CLIError("the \(what) must be a number of seconds between 0.1 and 86400, not '\(text.prefix(20))'")
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// A positive duration such as 90s, 30m or 12h, in seconds.
    private static func interval(_ text: String, _ what: String) throws -> TimeInterval {
        guard let duration = try? AdminOperations.parseDuration(text), duration > .zero else {
            throw CLIError("the \(what) must be a duration such as 90s, 30m or 12h, not '\(text.prefix(20))'")
        }
        return TimeInterval(duration.components.seconds)
    }

    private func resolvedLogLevel(_ settings: Settings) throws -> Logger.Level {
        let text = logLevel ?? settings["GATEHOUSE_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: text) else {
            throw CLIError(
                "the log level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text.prefix(20))'"
            )
        }
        return level
    }

    static func banner(
        host: String,
        port: Int,
        socket: String?,
        databaseURL: DatabaseURL,
        sandbox: SandboxSeeder.Sandbox?,
        registrationOpen: Bool
    ) -> String {
        let shownHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        let base = "http://\(shownHost):\(port)"
        var lines = ["Gatehouse listening on \(base) (store: \(databaseURL.redacted))"]
        if let socket { lines.append("Gatehouse listening on unix:\(socket) as well (mode 0660)") }
        lines.append(
            "MCP endpoint: \(base)/mcp"
                + (registrationOpen
                    ? " (MCP clients register themselves, then sign in and consent)"
                    : " (client registration off: create a public integration for each client)")
        )
        if let sandbox {
            lines += [
                "",
                "Seeded a sandbox workspace \"\(sandbox.workspace.name)\" (\(sandbox.workspace.id)).",
                "  owner sign-in:  \(sandbox.ownerEmail) / \(sandbox.ownerPassword)",
                "  integration:    \(sandbox.integration.name) (\(sandbox.integration.id))",
                "  shared:         \((sandbox.sharedDatabases.map(\.title) + sandbox.sharedPages.map(\.title)).joined(separator: ", ")); not shared: \(sandbox.unsharedDatabase.title)",
                "  demo key:       \(sandbox.demoKey)",
                "The key and password are shown only now; the store keeps hashes. Try:",
                "",
                "  curl -H \"Authorization: Bearer \(sandbox.demoKey)\" -H \"Notion-Version: 2022-06-28\" \(base)/v1/users/me",
                "",
            ]
        }
        return lines.joined(separator: "\n")
    }
}
