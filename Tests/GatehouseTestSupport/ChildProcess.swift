import Foundation
import Subprocess
import Synchronization

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Child processes for tests, started with swift-subprocess.
///
/// Not with Foundation's `Process`: on Linux its `run()` finds the highest open descriptor by
/// copying each `/proc/self/fd` entry's whole 256-byte name out of `readdir`'s 32 KiB buffer.
/// Once the process holds more descriptors than that buffer has entries for (about 1,350), the
/// copy of the last ones reads past the buffer's end, and where nothing is mapped there the whole
/// test run dies of a segfault. The tests running in parallel hold up to 2,300 descriptors at
/// their peak (mostly SQLite files), so CI crashed now and then. Subprocess has the child close
/// its descriptors with `posix_spawn_file_actions_addclosefrom_np` and reads no such list.
public enum ChildProcess {
    /// How a process ended and what it printed.
    public struct Outcome: Sendable {
        /// The exit code, or 128 + the signal's number for a process ended by a signal (as a
        /// shell reports it).
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// The most a test reads of one output stream.
    static let outputLimit = 64 << 20

    /// Runs `executable` with `arguments` to completion, with `input` on its standard input (none:
    /// end of file at once) and the variables of `environment` set over this process's own (an
    /// empty value sets the variable empty; it does not remove it).
    public static func run(
        _ executable: String,
        _ arguments: [String],
        input: String? = nil,
        environment: [String: String] = [:],
        directory: String? = nil
    ) async throws -> Outcome {
        let configuration = configuration(executable, arguments, environment: environment, directory: directory)
        let result =
            if let input {
                try await Subprocess.run(
                    configuration,
                    input: .string(input),
                    output: .string(limit: outputLimit),
                    error: .string(limit: outputLimit)
                )
            } else {
                try await Subprocess.run(
                    configuration,
                    input: .none,
                    output: .string(limit: outputLimit),
                    error: .string(limit: outputLimit)
                )
            }
        return Outcome(
            status: status(of: result.terminationStatus),
            stdout: result.standardOutput,
            stderr: result.standardError
        )
    }

    /// `executable` with `arguments`, this process's environment with `environment` set over it,
    /// in `directory` (`nil`: this process's own).
    static func configuration(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String],
        directory: String? = nil
    ) -> Configuration {
        var overrides: [Environment.Key: String?] = [:]
        for (name, value) in environment {
            guard let key = Environment.Key(rawValue: name) else {
                preconditionFailure("'\(name)' is not an environment variable's name")
            }
            overrides[key] = value
        }
        return Configuration(
            executable: .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: .inherit.updating(overrides),
            workingDirectory: directory.map { FilePath($0) }
        )
    }

    /// The status as ``Outcome/status`` reads it.
    static func status(of termination: TerminationStatus) -> Int32 {
        switch termination {
        case .exited(let code): Int32(truncatingIfNeeded: code)
        case .signaled(let signal): 128 + Int32(truncatingIfNeeded: signal)
        }
    }
}

/// A child process that runs while a test goes on, its standard output and error collected as
/// they arrive. A process still running when this object goes away is killed.
public final class RunningProcess: Sendable {
    /// What the process's task and the test share.
    private final class Shared: Sendable {
        struct State {
            var processID: pid_t?
            var status: Int32?
            var stdout: [UInt8] = []
            var stderr: [UInt8] = []
        }
        let state = Mutex(State())
    }

    private let shared: Shared
    private let exit: Task<Int32, any Error>

    private init(shared: Shared, exit: Task<Int32, any Error>) {
        self.shared = shared
        self.exit = exit
    }

    /// Starts `executable` with `arguments` (standard input at end of file) and returns once it
    /// runs; throws if it cannot be started.
    public static func start(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:]
    ) async throws -> RunningProcess {
        let configuration = ChildProcess.configuration(executable, arguments, environment: environment)
        let shared = Shared()
        let started = AsyncStream<Void>.makeStream()
        let exit = Task<Int32, any Error> {
            defer { started.continuation.finish() }
            let result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .sequence) {
                execution in
                shared.state.withLock { $0.processID = execution.processIdentifier.value }
                started.continuation.finish()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await chunk in execution.standardOutput {
                            chunk.withUnsafeBytes { bytes in shared.state.withLock { $0.stdout += bytes } }
                        }
                    }
                    group.addTask {
                        for try await chunk in execution.standardError {
                            chunk.withUnsafeBytes { bytes in shared.state.withLock { $0.stderr += bytes } }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let status = ChildProcess.status(of: result.terminationStatus)
            shared.state.withLock { $0.status = status }
            return status
        }
        for await _ in started.stream {}
        guard shared.state.withLock({ $0.processID }) != nil else {
            // Not started: the task's error says why.
            _ = try await exit.value
            throw ChildProcessError(message: "\(executable) ended before it started")
        }
        return RunningProcess(shared: shared, exit: exit)
    }

    deinit {
        if let processID = shared.state.withLock({ $0.status == nil ? $0.processID : nil }) {
            kill(processID, SIGKILL)
        }
    }

    /// What the process has written to standard output so far.
    public var stdout: String { shared.state.withLock { String(decoding: $0.stdout, as: UTF8.self) } }
    /// What the process has written to standard error so far.
    public var stderr: String { shared.state.withLock { String(decoding: $0.stderr, as: UTF8.self) } }
    /// False once the process has ended and its output is read.
    public var isRunning: Bool { shared.state.withLock { $0.status == nil } }

    /// Sends `signal` to the process unless it has ended.
    public func send(_ signal: Int32) {
        shared.state.withLock { state in
            if state.status == nil, let processID = state.processID { kill(processID, signal) }
        }
    }

    /// Waits for the process to end; returns its status as `ChildProcess.Outcome` reads it.
    public func waitForExit() async throws -> Int32 { try await exit.value }
}

/// A child process that could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
