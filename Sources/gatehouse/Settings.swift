import Foundation
import GatehouseClient

/// Settings from the process environment and an optional `.env` file in the working directory.
/// The environment wins over `.env`; flags win over both (the commands apply that).
struct Settings {
    private let values: [String: String]

    init(environment: [String: String] = ProcessInfo.processInfo.environment, dotEnvPath: String = ".env") {
        // Read as the SDK reads it, so the CLI and a client configured from the same `.env` agree.
        var values =
            (try? String(contentsOfFile: dotEnvPath, encoding: .utf8)).map(ClientConfiguration.parseDotEnv) ?? [:]
        // An empty environment variable counts as unset, so it does not hide a `.env` value.
        values.merge(environment.filter { !$0.value.isEmpty }) { _, fromEnvironment in fromEnvironment }
        self.values = values
    }

    subscript(key: String) -> String? {
        values[key].flatMap { $0.isEmpty ? nil : $0 }
    }
}
