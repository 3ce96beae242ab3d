import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import GatehouseServer

@Suite struct UsageRecorderTests {
    @Test func aFlushWritesEachTokensUseAndTheDailyCountsPerStatusClass() async throws {
        let world = try await TestWorld.make()
        let (other, _) = try await world.otherIntegration(capabilities: .all)
        let mine = try #require(try await world.store.tokens(integrationID: world.integration.id).first)
        let theirs = try #require(try await world.store.tokens(integrationID: other.id).first)
        let address = try SocketAddress(ipAddress: "10.1.2.3", port: 443)
        let today = Date(timeIntervalSince1970: 20_000 * 86_400 + 3_600)
        let yesterday = today.addingTimeInterval(-86_400)
        let recorder = UsageRecorder()
        recorder.record(
            tokenID: mine.id,
            integrationID: world.integration.id,
            status: 200,
            at: yesterday,
            address: nil,
            userAgent: "old"
        )
        for status in [200, 201, 404, 429, 429, 503] {
            recorder.record(
                tokenID: mine.id,
                integrationID: world.integration.id,
                status: status,
                at: today,
                address: address,
                userAgent: "probe/1"
            )
        }
        recorder.record(
            tokenID: theirs.id,
            integrationID: other.id,
            status: 304,
            at: today,
            address: nil,
            userAgent: nil
        )
        try await recorder.flush(to: world.store)

        let days = try await world.store.dailyUsage(integrationIDs: [world.integration.id, other.id], sinceDay: 0)
        let counts = Dictionary(
            uniqueKeysWithValues: days.map {
                ("\($0.integrationID == other.id ? "other" : "mine") \($0.day) \($0.status)", $0.count)
            }
        )
        #expect(
            counts == [
                "mine 20000 2xx": 2, "mine 20000 4xx": 1, "mine 20000 429": 2, "mine 20000 5xx": 1,
                "mine 19999 2xx": 1, "other 20000 3xx": 1,
            ]
        )
        let record = try #require(try await world.store.token(id: mine.id))
        #expect(record.useCount == 7)
        #expect(record.lastUsedAgent == "probe/1")
        #expect(record.lastUsedIP == "10.1.2.3")
        #expect(try await world.store.token(id: theirs.id)?.useCount == 1)

        // A second flush writes only what came after the first.
        try await recorder.flush(to: world.store)
        #expect(try await world.store.token(id: mine.id)?.useCount == 7)
        await world.store.shutdown()
    }
}
