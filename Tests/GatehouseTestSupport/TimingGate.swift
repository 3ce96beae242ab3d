#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the tests that measure a delay one at a time, across every test target of the run, and
/// only once the machine is quiet.
///
/// Swift Testing runs suites in parallel; on a 2-core machine two delay measurements at once
/// (each with servers, store handles and pollers) starve each other and report the machine's
/// load instead of the delay. An exclusive `flock` on a file in the temporary directory is shared
/// by every module of the test process (and by other test processes on the machine). The rest of
/// the suite starves them the same way — dozens of servers, bcrypt, spawned CLIs on two cores
/// made a revocation that takes 20–80 ms alone take over a second — so, holding the lock, a
/// measurement also waits until less than half of the machine's CPU time is busy, and measures
/// anyway after ``quietWaitLimit``, so that a failure still shows.
///
/// A suite that uses it waits for the others' measurements and then for a quiet machine: its time
/// limit must cover both (the four such suites allow five minutes).
public enum TimingGate {
    static let path = "/tmp/gatehouse-timing-tests.lock"
    /// The longest a measurement waits for the machine to quieten.
    static let quietWaitLimit: Duration = .seconds(120)

    public static func exclusive<Value>(_ body: () async throws -> Value) async throws -> Value {
        let descriptor = open(path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else { return try await body() }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        defer { flock(descriptor, LOCK_UN) }
        try await waitForQuietMachine()
        return try await body()
    }

    /// Returns once less than half of the CPU time over a quarter of a second was busy, or after
    /// ``quietWaitLimit``. Where `/proc/stat` cannot be read (not Linux), returns at once.
    static func waitForQuietMachine() async throws {
        let start = ContinuousClock.now
        guard var before = cpuTimes() else { return }
        while ContinuousClock.now - start < quietWaitLimit {
            try await Task.sleep(for: .milliseconds(250))
            guard let after = cpuTimes() else { return }
            let total = after.total - before.total
            if total > 0, Double(after.busy - before.busy) / Double(total) < 0.5 { return }
            before = after
        }
    }

    /// The machine's busy and total CPU time so far, in clock ticks, from the `cpu` line of
    /// `/proc/stat` (user nice system idle iowait irq softirq steal …; idle and iowait are not busy).
    static func cpuTimes() -> (busy: UInt64, total: UInt64)? {
        guard let file = fopen("/proc/stat", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        let fields = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: " ")
        guard fields.first == "cpu", fields.count >= 9 else { return nil }
        let ticks = fields.dropFirst().prefix(8).compactMap { UInt64($0) }
        guard ticks.count == 8 else { return nil }
        let total = ticks.reduce(0, +)
        return (busy: total - ticks[3] - ticks[4], total: total)
    }
}
