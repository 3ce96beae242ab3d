import ArgumentParser
import Foundation
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
    @Option(
        name: .customLong("plans-file"),
        help:
            "JSON file overriding plan limits, e.g. {\"free\": {\"requests_per_second\": 0.5, \"burst\": 5, \"daily_quota\": 2000}} (env GATEHOUSE_PLANS_FILE)."
    )
    var plansFile: String?
    @Option(
        name: .customLong("public-url"),
        help:
            "The URL clients reach this server at, e.g. https://auth.example.com: the OAuth issuer (iss); https makes cookies Secure (env GATEHOUSE_PUBLIC_URL; default http://<host>:<port>)."
    )
    var publicURL: String?
    // Audit log retention (the audit helper's block).
    @Option(
        name: .customLong("audit-retention-days"),
        help:
            "Days audit events are kept; the janitor purges older ones and re-anchors the chain; 0 keeps them forever (env GATEHOUSE_AUDIT_RETENTION_DAYS; default 365)."
    )
    var auditRetentionDays: Int?

    func run() async throws {
        let settings = Settings()
        let configuration = try serverConfiguration(settings)
        let level = try resolvedLogLevel(settings)
        LoggingSystem.bootstrap { RedactingLogHandler(label: $0, level: level) }
        let logger = Logger(label: "gatehouse")

        let databaseURL = try global.resolvedDatabaseURL(settings)
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
            sandbox = noSeed ? nil : try await SandboxSeeder(admin: admin).seedIfEmpty()
        } catch {
            await store.shutdown()
            throw CLIError("cannot seed the sandbox: \(error)")
        }
        let host = configuration.host
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(
                configuration: configuration,
                store: store,
                authenticator: authenticator,
                logger: logger,
                onServerRunning: { port in
                    Output.write(Self.banner(host: host, port: port, databaseURL: databaseURL, sandbox: sandbox))
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
        if let text = settings["GATEHOUSE_ROTATION_DAYS"] {
            guard let days = Int(text), days > 0 else {
                throw CLIError("GATEHOUSE_ROTATION_DAYS must be a number of days, not '\(text.prefix(20))'")
            }
            configuration.rotationPolicyDays = days
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

    private func resolvedLogLevel(_ settings: Settings) throws -> Logger.Level {
        let text = logLevel ?? settings["GATEHOUSE_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: text) else {
            throw CLIError(
                "the log level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text.prefix(20))'"
            )
        }
        return level
    }

    static func banner(host: String, port: Int, databaseURL: DatabaseURL, sandbox: SandboxSeeder.Sandbox?) -> String {
        let shownHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        let base = "http://\(shownHost):\(port)"
        var lines = ["Gatehouse listening on \(base) (store: \(databaseURL.redacted))"]
        if let sandbox {
            lines += [
                "",
                "Seeded a sandbox workspace \"\(sandbox.workspace.name)\" (\(sandbox.workspace.id)).",
                "  owner sign-in:  \(sandbox.ownerEmail) / \(sandbox.ownerPassword)",
                "  integration:    \(sandbox.integration.name) (\(sandbox.integration.id))",
                "  shared:         \(sandbox.sharedDatabases.map(\.title).joined(separator: ", ")); not shared: \(sandbox.unsharedDatabase.title)",
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
