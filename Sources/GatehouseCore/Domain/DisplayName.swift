import Foundation

/// The rule for names people read: workspace, user and integration names, page and database
/// titles. They end up on the consent screen and in the console, so a name must not carry
/// characters that change how the text around it is read: controls, bidirectional overrides, or a
/// combining mark that fuses with the character before it (a leading one, or one on ASCII
/// punctuation or a space — `"` followed by U+0301 is one grapheme cluster, which escapers that
/// work per `Character` miss).
public enum DisplayName {
    /// `value` in Unicode normalization form C, or the first problem found in it. An empty string
    /// is valid here (untitled pages exist); callers that need a name check emptiness themselves.
    public static func validate(_ value: String) throws(DisplayNameProblem) -> String {
        let normalized = value.precomposedStringWithCanonicalMapping
        if let problem = problem(normalized) { throw problem }
        return normalized
    }

    /// The first problem in `value`, or `nil` when it may be shown as a name as it is.
    public static func problem(_ value: String) -> DisplayNameProblem? {
        for scalar in value.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                return DisplayNameProblem(.controlCharacter, scalar)
            }
            if bidiControls.contains(scalar.value) { return DisplayNameProblem(.bidiControl, scalar) }
            if scalar.value == 0x2028 || scalar.value == 0x2029 { return DisplayNameProblem(.lineSeparator, scalar) }
        }
        if let first = value.unicodeScalars.first, isCombining(first) {
            return DisplayNameProblem(.leadingCombiningMark, first)
        }
        for character in value {
            let scalars = character.unicodeScalars
            guard let base = scalars.first, base.isASCII, scalars.count > 1, !isAlphanumeric(base),
                !isKeycap(character)
            else { continue }
            return DisplayNameProblem(.markAfterPunctuation, scalars.dropFirst().first ?? base)
        }
        return nil
    }

    /// U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069: marks, embeddings, overrides and isolates.
    static let bidiControls: Set<UInt32> = [
        0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
    ]

    static func isCombining(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: scalar.properties.isGraphemeExtend
        }
    }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    /// The emoji keycaps `#️⃣` and `*️⃣` (the digits are alphanumeric already): the only
    /// legitimate clusters that start with ASCII punctuation.
    static func isKeycap(_ character: Character) -> Bool {
        let scalars = Array(character.unicodeScalars.map(\.value))
        guard scalars.first == 0x23 || scalars.first == 0x2A else { return false }
        return scalars.dropFirst() == [0xFE0F, 0x20E3] || scalars.dropFirst() == [0x20E3]
    }
}

/// Why a string cannot be a name; `description` completes a sentence that starts with the name's
/// role ("the page title …").
public struct DisplayNameProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        let text: String
        public static let controlCharacter = Code(text: "contains a control character")
        public static let bidiControl = Code(text: "contains a bidirectional control character")
        public static let lineSeparator = Code(text: "contains a line or paragraph separator")
        public static let leadingCombiningMark = Code(text: "starts with a combining mark")
        public static let markAfterPunctuation = Code(
            text: "contains a combining mark on ASCII punctuation or a space"
        )
    }

    public let code: Code
    /// The offending character.
    public let scalar: Unicode.Scalar

    init(_ code: Code, _ scalar: Unicode.Scalar) {
        self.code = code
        self.scalar = scalar
    }

    public var description: String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "\(code.text) (U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex))"
    }
}
