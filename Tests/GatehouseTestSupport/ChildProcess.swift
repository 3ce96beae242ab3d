import Foundation
import Synchronization

/// Starts child processes one at a time. Foundation's `Process.run()` on Linux has crashed (a bad
/// pointer in `memmove`, inside `run()`) while tests running in parallel started processes at the
/// same moment; launches are serialized here so that no two run at once. Only the launch is: the
/// processes themselves run side by side.
public enum ChildProcess {
    private static let launching = Mutex(())

    /// Runs `process.run()` while no other test is launching a process.
    public static func launch(_ process: Process) throws {
        try launching.withLock { _ in try process.run() }
    }
}
