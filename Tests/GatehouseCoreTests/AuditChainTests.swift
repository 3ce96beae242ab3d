import Foundation
import Testing

@testable import GatehouseCore

@Suite struct AuditChainTests {
    func chain(_ count: Int) -> [AuditEvent] {
        var events: [AuditEvent] = []
        var previous = AuditChain.genesis
        for index in 0..<count {
            var event = AuditEvent(
                sequence: Int64(index + 1),
                time: Date(epochMilliseconds: 1_800_000_000_000 + Int64(index)),
                actor: "cli",
                action: "token.revoked",
                target: "t\(index)",
                details: ["hint": "secret_…ab\(index)"],
                previousHash: previous
            )
            event.hash = AuditChain.hash(of: event)
            previous = event.hash
            events.append(event)
        }
        return events
    }

    @Test func anUntouchedChainIsIntact() {
        #expect(AuditChain.verify(chain(5)) == .intact(events: 5))
        #expect(AuditChain.verify([]) == .intact(events: 0))
    }

    @Test func anEditedEventIsFound() {
        var events = chain(5)
        events[2].details["hint"] = "secret_…zzzz"
        guard case .broken(let sequence, let reason) = AuditChain.verify(events) else {
            Issue.record("not detected")
            return
        }
        #expect(sequence == 3)
        #expect(reason.contains("edited"))
    }

    @Test func aDeletedEventIsFoundAtItsSuccessor() {
        var events = chain(5)
        events.remove(at: 1)
        guard case .broken(let sequence, let reason) = AuditChain.verify(events) else {
            Issue.record("not detected")
            return
        }
        #expect(sequence == 3)
        #expect(reason.contains("deleted"))
    }

    @Test func secretsNeverEnterAnEvent() {
        let token = TokenFormat.generate(.internalKey)
        let event = AuditEvent(
            time: Date(),
            actor: "cli",
            action: "x",
            details: ["note": "leaked \(token)", "password": "hunter2hunter2"]
        )
        #expect(!event.detailsJSON.contains(token.dropFirst(7).prefix(12)))
        #expect(!event.detailsJSON.contains("hunter2"))
    }
}
