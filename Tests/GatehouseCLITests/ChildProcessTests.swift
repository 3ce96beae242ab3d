import Foundation
import GatehouseTestSupport
import Testing

/// The harness that starts every child process of the tests (`ChildProcess`).
@Suite struct ChildProcessTests {
    /// The parallel tests hold up to 2,300 descriptors at their peak, the range in which
    /// Foundation's `Process.run()` read past its directory buffer. A child started then runs, and
    /// inherits none of them: only its standard streams (and the descriptor `ls` reads with).
    @Test func aChildStartedWhileThousandsOfDescriptorsAreOpenInheritsNoneOfThem() async throws {
        let held = (0..<2_000).map { _ in open("/dev/null", O_RDONLY) }  // inheritable: no O_CLOEXEC
        defer { for descriptor in held { close(descriptor) } }
        #expect(held.allSatisfy { $0 >= 0 })
        let listed = try await ChildProcess.run("/bin/sh", ["-c", "ls /proc/$$/fd | wc -l"])
        #expect(listed.status == 0)
        let count = try #require(Int(listed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(count <= 4, "the child holds \(count) descriptors")
    }

    /// A status as a shell reports it: the exit code, or 128 + the signal that ended the process.
    @Test func theStatusIsTheExitCodeOr128PlusTheSignal() async throws {
        #expect(try await ChildProcess.run("/bin/sh", ["-c", "exit 3"]).status == 3)
        #expect(try await ChildProcess.run("/bin/sh", ["-c", "kill -TERM $$"]).status == 128 + SIGTERM)
        let running = try await RunningProcess.start("/bin/sleep", ["30"])
        #expect(running.isRunning)
        running.send(SIGKILL)
        #expect(try await running.waitForExit() == 128 + SIGKILL)
        #expect(!running.isRunning)
    }
}
