import Foundation
import GatehouseContent
import GatehouseCore
import Testing

@testable import GatehouseServer

/// Times in responses are written by arithmetic (``NotionObjects/timestamp(_:)``): the date and
/// time to the second as Foundation's ISO 8601 format writes them, and the stored milliseconds
/// exactly (Foundation's formatter, working from a `Double`, writes some a millisecond low).
@Suite struct TimestampTests {
    @Test func timesReadAsFoundationsISO8601AndKeepTheirMilliseconds() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // From 1970 to 2200, whole milliseconds as the store keeps them.
            let milliseconds = Int64.random(in: 0..<7_258_118_400_000, using: &generator)
            let date = Date(epochMilliseconds: milliseconds)
            let text = try #require(NotionObjects.timestamp(date).stringValue)
            let second = Date(epochMilliseconds: milliseconds - milliseconds % 1000).formatted(.iso8601)
            #expect(text.prefix(19) == second.prefix(19))
            #expect(text.hasSuffix("Z") && text.count == 24)
            #expect(ISODate.parse(text)?.milliseconds == milliseconds)
        }
        #expect(NotionObjects.timestamp(Date(epochMilliseconds: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(NotionObjects.timestamp(Date(epochMilliseconds: 951_782_400_123)) == "2000-02-29T00:00:00.123Z")
    }
}
