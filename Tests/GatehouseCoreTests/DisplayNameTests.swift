import Testing

@testable import GatehouseCore

@Suite struct DisplayNameTests {
    @Test func ordinaryNamesInAnyScriptAreAccepted() throws {
        for name in [
            "Acme", "Roadmap \"Q3\"", "Ada's notes", "Café", "日本語のページ", "Ünïcödé — ✓", "مرحبا", "👩‍💻 Team",
            "#️⃣ Numbers", "1️⃣ First", "क्षत्रिय", "",
        ] {
            #expect(try DisplayName.validate(name) == name, "\(name)")
        }
    }

    @Test func acceptedNamesAreNormalizedToNFC() throws {
        let composed = try DisplayName.validate("Cafe\u{301}")
        #expect(Array(composed.unicodeScalars) == Array("Caf\u{E9}".unicodeScalars))
    }

    @Test func controlCharactersAreRefused() {
        for scalar: Unicode.Scalar in ["\u{0}", "\u{7}", "\u{1B}", "\n", "\r", "\t", "\u{7F}", "\u{85}", "\u{9F}"] {
            #expect(DisplayName.problem("a\(scalar)b")?.code == .controlCharacter, "\(scalar.value)")
        }
    }

    @Test func bidiControlsAndLineSeparatorsAreRefused() {
        for value: UInt32 in [
            0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
        ] {
            let name = "invoice\(Character(Unicode.Scalar(value)!))fdp.exe"
            #expect(DisplayName.problem(name)?.code == .bidiControl, "\(value)")
        }
        #expect(DisplayName.problem("a\u{2028}b")?.code == .lineSeparator)
        #expect(DisplayName.problem("a\u{2029}b")?.code == .lineSeparator)
    }

    @Test func aLeadingCombiningMarkIsRefused() {
        #expect(DisplayName.problem("\u{301}Roadmap")?.code == .leadingCombiningMark)
        #expect(DisplayName.problem("\u{20DD}Roadmap")?.code == .leadingCombiningMark)
        #expect(DisplayName.problem("\u{903}x")?.code == .leadingCombiningMark)
    }

    @Test func aCombiningMarkOnASCIIPunctuationOrASpaceIsRefused() {
        let quote = "Roadmap\"\u{301} formaction=x"
        #expect(DisplayName.problem(quote)?.code == .markAfterPunctuation)
        #expect(DisplayName.problem("a'\u{301}b")?.code == .markAfterPunctuation)
        #expect(DisplayName.problem("a<\u{338}b")?.code == .markAfterPunctuation)
        #expect(DisplayName.problem("a \u{301}b")?.code == .markAfterPunctuation)
        #expect(DisplayName.problem("a\"\u{200D}b")?.code == .markAfterPunctuation)
    }

    @Test func theProblemNamesTheCharacterByCodePoint() {
        #expect(DisplayName.problem("a\u{202E}b")?.description == "contains a bidirectional control character (U+202E)")
        #expect(DisplayName.problem("\u{301}")?.description == "starts with a combining mark (U+0301)")
        #expect(throws: DisplayNameProblem.self) { try DisplayName.validate("x\u{1B}") }
    }
}
