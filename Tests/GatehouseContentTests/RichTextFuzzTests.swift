import GatehouseContent
import GatehouseCore
import GatehouseTestSupport
import Testing

/// Random JSON in, either a value or a ``ContentValidationError`` out: never a trap.
@Suite struct RichTextFuzzTests {
    @Test func garbageNeverTrapsAndOnlyThrowsValidationErrors() {
        var generator = SeededGenerator(seed: 26)
        for _ in 0..<3_000 {
            let value = RandomJSON.value(depth: 4, using: &generator, vocabulary: RandomJSON.richTextWords)
            do {
                let text = try RichText.parse(value, at: "body.rich_text")
                #expect(text.items.count <= RichTextLimits.itemsPerArray)
                _ = text.rendered(resolving: UnresolvedMentions())
            } catch let error as ContentValidationError {
                #expect(error.path.hasPrefix("body.rich_text"))
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }
}

/// Random JSON values whose keys come from a vocabulary, so they hit the parsers' branches.
enum RandomJSON {
    static let richTextWords = [
        "type", "text", "content", "link", "url", "annotations", "bold", "color", "mention", "user", "page",
        "database", "date", "start", "end", "id", "equation", "expression", "red", "default",
        "b55c9c91-384d-452b-81db-d1ef79372b75", "2026-03-11", "https://a.example",
    ]

    static func value(depth: Int, using generator: inout SeededGenerator, vocabulary: [String]) -> JSONValue {
        let pick = depth <= 0 ? Int.random(in: 0..<4, using: &generator) : Int.random(in: 0..<7, using: &generator)
        switch pick {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .number(Double(Int.random(in: -3...3, using: &generator)))
        case 3: return .string(vocabulary.randomElement(using: &generator)!)
        case 4, 5:
            let count = Int.random(in: 0..<4, using: &generator)
            return .object(
                (0..<count).map { _ in
                    (
                        vocabulary.randomElement(using: &generator)!,
                        value(depth: depth - 1, using: &generator, vocabulary: vocabulary)
                    )
                }
            )
        default:
            let count = Int.random(in: 0..<4, using: &generator)
            return .array((0..<count).map { _ in value(depth: depth - 1, using: &generator, vocabulary: vocabulary) })
        }
    }
}
