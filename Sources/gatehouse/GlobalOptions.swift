import ArgumentParser
import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import GatehouseStore
import Logging

/// Options every command takes: where the store is, and whether to print JSON.
struct GlobalOptions: ParsableArguments {
    /// The time every command reads: the system clock (the server takes its clock from here too).
    var clock: any WallClock { SystemClock() }

    @Option(
        name: .customLong("database-url"),
        help:
            "sqlite:PATH or postgres://user:pass@host:port/db (env GATEHOUSE_DATABASE_URL; default sqlite:gatehouse.sqlite)"
    )
    var databaseURL: String?

    @Flag(name: .customLong("json"), help: "Print machine-readable JSON.")
    var json = false

    @Option(
        name: .customLong("audit-key-file"),
        help:
            "File with the audit chain's HMAC key, at least 32 bytes (env GATEHOUSE_AUDIT_KEY_FILE, or the key itself in GATEHOUSE_AUDIT_KEY; default for SQLite: <store>.audit-key, created with mode 0600 when missing)"
    )
    var auditKeyFile: String?

    @Option(
        name: .customLong("audit-anchor-file"),
        help:
            "File the server appends verified audit checkpoints to, kept off the store so truncation is detectable (env GATEHOUSE_AUDIT_ANCHOR_FILE; default for SQLite: <store>.audit-anchors)"
    )
    var auditAnchorFile: String?

    /// The database URL from the flag, the environment, `.env`, or the default.
    func resolvedDatabaseURL(_ settings: Settings) throws -> DatabaseURL {
        let text = databaseURL ?? settings["GATEHOUSE_DATABASE_URL"] ?? DatabaseURL.defaultValue
        do {
            return try DatabaseURL(parsing: text)
        } catch {
            throw CLIError(error.description)
        }
    }

    /// Opens the store with its audit key, turning any failure into a one-line error. With
    /// `createKey`, a SQLite store without a configured key gets a new one in `<store>.audit-key`.
    func openStore(
        _ settings: Settings,
        logger: Logger = Logger(label: "gatehouse.cli", factory: { _ in SwiftLogNoOpLogHandler() }),
        createKey: Bool = true
    ) async throws -> any Store {
        let url = try resolvedDatabaseURL(settings)
        let key = try resolvedAuditKey(settings, url: url, create: createKey)
        do {
            return try await SQLStore.open(url, logger: logger, auditKey: key)
        } catch let error as StoreError {
            throw CLIError(error.message)
        }
    }

    /// The audit key: `GATEHOUSE_AUDIT_KEY` itself, else the key file (flag, environment, or the
    /// default next to a SQLite store, generated with mode 0600 when `create` and missing); `nil`
    /// when there is none (the chain is then unkeyed and says so).
    func resolvedAuditKey(_ settings: Settings, url: DatabaseURL, create: Bool) throws -> AuditKey? {
        if let material = settings["GATEHOUSE_AUDIT_KEY"] {
            do {
                return try AuditKey(material: Data(material.utf8))
            } catch {
                throw CLIError("GATEHOUSE_AUDIT_KEY: \(error.description)")
            }
        }
        let explicit = auditKeyFile ?? settings["GATEHOUSE_AUDIT_KEY_FILE"]
        guard let path = explicit ?? Self.besideStore(url, suffix: ".audit-key") else { return nil }
        if let data = FileManager.default.contents(atPath: path) {
            let trimmed = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            do {
                return try AuditKey(material: Data(trimmed.utf8))
            } catch {
                throw CLIError("audit key file '\(path)': \(error.description)")
            }
        }
        if explicit != nil { throw CLIError("cannot read the audit key file '\(path)'") }
        // No key where the store cannot be either: opening it reports the problem.
        let directory = (path as NSString).deletingLastPathComponent
        guard create, FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory) else { return nil }
        let material = AuditKey.generateMaterial()
        guard
            FileManager.default.createFile(
                atPath: path,
                contents: Data((material + "\n").utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else { throw CLIError("cannot create the audit key file '\(path)'") }
        FileHandle.standardError.write(
            Data(
                "Generated an audit key in \(path) (mode 0600): the audit log's chain is keyed with it. Keep it, and a copy apart from the store's backups.\n"
                    .utf8
            )
        )
        return try AuditKey(material: Data(material.utf8))
    }

    /// The anchor file: flag, environment, or the default next to a SQLite store.
    func resolvedAuditAnchorFile(_ settings: Settings, url: DatabaseURL) -> String? {
        auditAnchorFile ?? settings["GATEHOUSE_AUDIT_ANCHOR_FILE"] ?? Self.besideStore(url, suffix: ".audit-anchors")
    }

    static func besideStore(_ url: DatabaseURL, suffix: String) -> String? {
        guard case .sqlite(let path) = url, path != ":memory:", !path.isEmpty else { return nil }
        return path + suffix
    }

    /// Runs `body` with admin operations over the store, closing the store afterwards.
    func withAdmin<Result>(_ body: (AdminOperations) async throws -> Result) async throws -> Result {
        let store = try await openStore(Settings())
        do {
            let result = try await body(AdminOperations(store: store))
            await store.shutdown()
            return result
        } catch let error as AdminError {
            await store.shutdown()
            throw CLIError(error.message)
        } catch {
            await store.shutdown()
            throw error
        }
    }
}

/// A failed command: ArgumentParser prints `Error: <message>` on stderr and exits non-zero.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { self.description = message }
}

/// Prints a result as JSON (with `--json`) or as aligned text.
enum Output {
    static func emit(_ json: JSONValue, text: String, asJSON: Bool) {
        if asJSON {
            write(String(decoding: json.serialized(), as: UTF8.self))
        } else {
            write(text)
        }
    }

    static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func time(_ date: Date?) -> JSONValue { CredentialJSON.time(date) }
}
