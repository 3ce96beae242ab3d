import GatehouseCore

/// Where new property and option ids come from: passed in, so the rules stay pure and tests deterministic.
///
/// Notion's property ids are a few characters, URL-encoded (`"%3AUPp"`, `"BJXS"`); a title property's
/// id is always `"title"`.
public protocol ShortIdSource {
    /// A new id; callers retry on a collision within one schema.
    mutating func nextShortId() -> String
}

/// Short ids drawn from a seeded SplitMix64 sequence, URL-encoded as Notion's property ids are.
public struct SeededShortIds: ShortIdSource, Sendable {
    private var state: UInt64
    /// Printable ASCII characters Notion's ids are made of; the non-alphanumerics are percent-encoded.
    private static let alphabet = Array(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:;<=>?@[]^_`{|}~"
    )

    public init(seed: UInt64) { state = seed }

    public mutating func nextShortId() -> String {
        var id = ""
        for _ in 0..<4 {
            let character = Self.alphabet[Int(next() % UInt64(Self.alphabet.count))]
            if character.isLetter || character.isNumber {
                id.append(character)
            } else {
                let byte = character.asciiValue ?? 0
                id += "%" + String(byte, radix: 16, uppercase: true)
            }
        }
        return id
    }

    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
