#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the tests that measure a delay one at a time, across every test target of the run.
///
/// Swift Testing runs suites in parallel; on a 2-core machine two delay measurements at once
/// (each with servers, store handles and pollers) starve each other and report the machine's
/// load instead of the delay. An exclusive `flock` on a file in the temporary directory is shared
/// by every module of the test process (and by other test processes on the machine).
public enum TimingGate {
    static let path = "/tmp/gatehouse-timing-tests.lock"

    public static func exclusive<Value>(_ body: () async throws -> Value) async throws -> Value {
        let descriptor = open(path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else { return try await body() }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        defer { flock(descriptor, LOCK_UN) }
        return try await body()
    }
}
