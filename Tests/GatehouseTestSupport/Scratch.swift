import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the tests put the files they make (SQLite stores, plans files, `.env` files, folders to
/// scan): one folder per test process, `gatehouse-tests/<pid>` in the system's temporary folder.
///
/// A test process cannot clean up after itself reliably (Swift Testing has no end-of-run hook,
/// and a crashed or killed run leaves its files), so the first use in a process removes
/// everything in `gatehouse-tests` but the folders of test processes still running. The files of
/// one run stay until the next, for anyone who wants to look at them.
public enum Scratch {
    /// This process's folder, made (and the folders of ended runs removed) on first use.
    public static let directory: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-tests", isDirectory: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] {
            if let pid = pid_t(name), pid == getpid() || isRunning(pid) { continue }
            try? FileManager.default.removeItem(at: root.appendingPathComponent(name, isDirectory: true))
        }
        let own = root.appendingPathComponent(String(getpid()), isDirectory: true)
        try? FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
        return own
    }()

    /// A new path in ``directory`` ending in `suffix` (".sqlite", ".json"); nothing is created.
    public static func path(_ suffix: String) -> String {
        directory.appendingPathComponent(UUID().uuidString + suffix).path
    }

    /// A new, empty folder in ``directory``.
    public static func newDirectory() throws -> URL {
        let url = directory.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Whether a process with this id exists (`EPERM`: it exists, and is someone else's).
    static func isRunning(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
