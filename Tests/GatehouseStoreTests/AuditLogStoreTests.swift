import Foundation
import GatehouseCore
import Logging
import SQLKit
import Testing

@testable import GatehouseStore

@Suite(.timeLimit(.minutes(1))) struct AuditLogStoreTests {
    /// Appends from two handles at once (as two nodes) still form one unbroken chain; editing
    /// or deleting a stored event is then found.
    @Test(arguments: StoreEngine.available)
    func concurrentAppendsChainAndTamperingIsFound(engine: StoreEngine) async throws {
        let path = StoreEngine.temporarySQLitePath()
        let first = try await engine.open(sqlitePath: path)
        let second = try await engine.open(sqlitePath: path)
        let start = Date(epochMilliseconds: Date().epochMilliseconds)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await (index.isMultiple(of: 2) ? first : second).appendEvent(
                        AuditEvent(time: start, actor: "test", action: "test.appended", target: "\(index)")
                    )
                }
            }
            try await group.waitForAll()
        }
        let all = try await first.events(since: nil, limit: 1_000_000)
        #expect(AuditChain.verify(all) == .intact(events: all.count))
        let mine = try await first.events(since: start, limit: 1_000_000).filter { $0.action == "test.appended" }
        #expect(mine.count >= 20)

        if engine == .sqlite {
            let victim = try #require(mine.dropFirst(3).first)
            try await first.read { database in
                try await database.raw(
                    "UPDATE audit_events SET details = '{\"forged\":\"1\"}' WHERE seq = \(bind: victim.sequence)"
                ).run()
            }
            let edited = AuditChain.verify(try await first.events(since: nil, limit: 1_000_000))
            #expect(
                edited == .broken(sequence: victim.sequence, reason: "this event was edited (its hash does not match)")
            )
        }
        await first.shutdown()
        await second.shutdown()
    }
}
