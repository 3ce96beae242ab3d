import ArgumentParser
import Foundation
import GatehouseServer
import GatehouseStore
import Logging

/// Options every command takes: where the store is, and whether to print JSON.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help:
            "sqlite:PATH or postgres://user:pass@host:port/db (env GATEHOUSE_DATABASE_URL; default sqlite:gatehouse.sqlite)"
    )
    var databaseURL: String?

    @Flag(name: .customLong("json"), help: "Print machine-readable JSON.")
    var json = false

    /// The database URL from the flag, the environment, `.env`, or the default.
    func resolvedDatabaseURL(_ settings: Settings) throws -> DatabaseURL {
        let text = databaseURL ?? settings["GATEHOUSE_DATABASE_URL"] ?? DatabaseURL.defaultValue
        do {
            return try DatabaseURL(parsing: text)
        } catch {
            throw CLIError(error.description)
        }
    }

    /// Opens the store, turning any failure into a one-line error.
    func openStore(
        _ settings: Settings,
        logger: Logger = Logger(label: "gatehouse.cli", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> any Store {
        let url = try resolvedDatabaseURL(settings)
        do {
            return try await SQLStore.open(url, logger: logger)
        } catch let error as StoreError {
            throw CLIError(error.message)
        }
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
