import Foundation

/// Settings from the process environment and an optional `.env` file in the working directory.
/// The environment wins over `.env`; flags win over both (the commands apply that).
struct Settings {
    private let values: [String: String]

    init(environment: [String: String] = ProcessInfo.processInfo.environment, dotEnvPath: String = ".env") {
        var values = Self.parseDotEnv(at: dotEnvPath)
        // An empty environment variable counts as unset, so it does not hide a `.env` value.
        values.merge(environment.filter { !$0.value.isEmpty }) { _, fromEnvironment in fromEnvironment }
        self.values = values
    }

    subscript(key: String) -> String? {
        values[key].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `KEY=VALUE` lines; `export ` prefixes, blank lines and `#` comments ignored; one level of
    /// matching single or double quotes removed.
    static func parseDotEnv(at path: String) -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[key] = value
        }
        return values
    }
}
