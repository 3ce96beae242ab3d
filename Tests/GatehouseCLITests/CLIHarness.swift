import Foundation
import GatehouseTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the real `gatehouse` binary (built by `swift test` beside the test bundle) as a child process.
enum CLI {
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["GATEHOUSE_BINARY"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "gatehouse"
        )
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String

        /// The standard output parsed as a JSON object.
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
        }
    }

    /// Runs `gatehouse <arguments>` to completion, feeding `input` on standard input.
    static func run(
        _ arguments: [String],
        input: String? = nil,
        environment: [String: String] = [:],
        directory: URL? = nil
    ) async throws -> Result {
        let outcome = try await ChildProcess.run(
            binary.path,
            arguments,
            input: input,
            environment: environment,
            directory: directory?.path
        )
        return Result(status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
    }

    /// A new SQLite database URL in a temporary directory.
    static func temporaryDatabaseURL() -> String { "sqlite:" + Scratch.path(".sqlite") }
}

/// A `gatehouse serve` child process whose output is collected as it arrives.
final class ServerProcess: Sendable {
    private let process: RunningProcess

    private init(process: RunningProcess) { self.process = process }

    /// Starts `gatehouse serve --port 0 <arguments>`.
    static func start(arguments: [String]) async throws -> ServerProcess {
        ServerProcess(process: try await RunningProcess.start(CLI.binary.path, ["serve", "--port", "0"] + arguments))
    }

    var stdout: String { process.stdout }
    var stderr: String { process.stderr }

    /// Waits until standard output contains `text`, or fails after `timeout`.
    func waitForOutput(containing text: String, timeout: Duration = .seconds(30)) async throws {
        let start = ContinuousClock.now
        while !stdout.contains(text) {
            guard process.isRunning, ContinuousClock.now - start < timeout else {
                throw ServerProcessError(message: "no '\(text)' in output; stdout: \(stdout) stderr: \(stderr)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The base URL printed in the banner (`Gatehouse listening on http://…`).
    var baseURL: String? {
        stdout.split(separator: "\n").first { $0.hasPrefix("Gatehouse listening on ") }
            .flatMap { $0.split(separator: " ").dropFirst(3).first.map(String.init) }
    }

    /// Sends SIGTERM and waits for the exit (SIGKILL after ten seconds); returns the exit status.
    func terminate() async -> Int32 {
        process.send(SIGTERM)
        let start = ContinuousClock.now
        while process.isRunning, ContinuousClock.now - start < .seconds(10) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        process.send(SIGKILL)
        return (try? await process.waitForExit()) ?? -1
    }
}

struct ServerProcessError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Real HTTP on loopback, from the test process.
enum HTTP {
    struct Response {
        let status: Int
        let body: [String: Any]
    }

    /// Asks `url` with `token` until the server answers 401 (a change made by another process
    /// reaches it through the feed), or `timeout` passes; returns the last answer. A 429 on the
    /// way (the plan's burst) is not the answer waited for.
    static func waitForRefusal(_ url: String, token: String, timeout: Duration = .seconds(3)) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await get(url, token: token)
        while response.status != 401, ContinuousClock.now - start < timeout {
            try await Task.sleep(for: .milliseconds(10))
            response = try await get(url, token: token)
        }
        return response
    }

    /// One GET through URLSession, in this process: polling with it costs no process spawns.
    static func get(_ url: String, token: String, version: String = "2022-06-28") async throws -> Response {
        var request = URLRequest(url: URL(string: url)!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(version, forHTTPHeaderField: "Notion-Version")
        request.cachePolicy = .reloadIgnoringLocalCacheData
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return Response(status: status, body: (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }
}
