import Foundation
import Testing

@testable import GatehouseClient

@Suite struct PacingTests {
    @Test func thePacerAllowsTheBurstThenSpacesRequestsAtTheRate() {
        let pacer = Pacer(Pacing(requestsPerSecond: 2, burst: 2))
        let start = ContinuousClock.now
        let waits = (0..<5).map { _ in pacer.reserve(now: start) }
        #expect(waits == [.zero, .zero, .milliseconds(500), .milliseconds(1000), .milliseconds(1500)])
        // After a quiet second the burst is back.
        #expect(pacer.reserve(now: start + .seconds(4)) == .zero)
        #expect(Pacing.free.requestsPerSecond < 0.2 && Pacing.free.burst == 2)
    }
}
