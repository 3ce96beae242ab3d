import Foundation
import GatehouseContent
import Testing

@testable import GatehouseStore

/// Stored JSON read through the cache decodes exactly as the decoder does, however often a text is
/// read and however many texts pass through a bounded cache.
@Suite struct DecodedJSONCacheTests {
    @Test func aTextReadAgainDecodesToTheSameValueAsTheDecoder() throws {
        let cache = DecodedJSONCache<[String: PropertyValue]>(byteBudget: 4096)
        let values: [String: PropertyValue] = [
            "title": .title(RichText([.text("Launch plan")])),
            "n": .number(42),
            "s": .select(optionId: "a1"),
        ]
        let text = try StoredJSON.text(values)
        #expect(try cache.value(of: text) == values)
        #expect(try cache.value(of: text) == values)
        #expect(try cache.value(of: text) == StoredJSON.decode([String: PropertyValue].self, from: text))
    }

    @Test func aFullCacheStartsAgainAndKeepsAnsweringEveryText() throws {
        // Room for about three of these texts, and a text too long to be held at all.
        let cache = DecodedJSONCache<[String: PropertyValue]>(byteBudget: 100, largestText: 40)
        var texts = try (0..<10).map { try StoredJSON.text(["n": PropertyValue.number(Double($0))]) }
        texts.append(
            try StoredJSON.text(["n": PropertyValue.number(10), "u": .url(String(repeating: "x", count: 40))])
        )
        for _ in 0..<2 {
            for (number, text) in texts.enumerated() {
                #expect(try cache.value(of: text)["n"] == .number(Double(number)))
            }
        }
    }

    @Test func aTextThatIsNotTheValueThrowsAndIsNotKept() throws {
        let cache = DecodedJSONCache<[String: PropertyValue]>(byteBudget: 4096)
        #expect(throws: (any Error).self) { try cache.value(of: "{\"n\": {\"nope\": 1}}") }
        #expect(throws: (any Error).self) { try cache.value(of: "{\"n\": {\"nope\": 1}}") }
    }
}
