import Crypto
import Foundation
import GatehouseTestSupport
import Testing

@testable import GatehouseCore

@Suite struct TokenFormatTests {
    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func base62RoundTrips() {
        for value: UInt64 in [0, 1, 61, 62, 3_843, 4_294_967_295] {
            let encoded = Base62.encode(value, width: 6)
            #expect(encoded.count == 6)
            #expect(Base62.decode(encoded) == value)
        }
        #expect(Base62.decode(Array("ab-".utf8)) == nil)
    }

    /// Plays back the numbers it is given.
    struct ScriptedGenerator: RandomNumberGenerator {
        var numbers: [UInt64]
        mutating func next() -> UInt64 { numbers.removeFirst() }
    }

    @Test func randomCharactersTakeSixBitsEachAndDiscard62And63() {
        // Six-bit values, lowest first: 0, 61, 62 (discarded), 63 (discarded), 10, then 36 five times.
        let values: [UInt64] = [0, 61, 62, 63, 10, 36, 36, 36, 36, 36]
        let number = values.enumerated().reduce(UInt64(0)) { $0 | ($1.element << (6 * UInt64($1.offset))) }
        var generator = ScriptedGenerator(numbers: [number, 1])
        #expect(String(decoding: Base62.random(count: 9, using: &generator), as: UTF8.self) == "0zAaaaaa1")
        #expect(generator.numbers.isEmpty)
    }

    @Test func randomCharactersAreUniformOverTheAlphabet() {
        var generator = SystemRandomNumberGenerator()
        var counts = [UInt8: Int]()
        for byte in Base62.random(count: 620_000, using: &generator) { counts[byte, default: 0] += 1 }
        #expect(Set(counts.keys) == Set(Base62.alphabet))
        // 10,000 expected of each, standard deviation about 100: a skew of 62 or 63 would show.
        for count in counts.values { #expect((9_500...10_500).contains(count)) }
    }

    @Test(arguments: TokenKind.allCases)
    func generatedTokensValidateAsTheirKind(kind: TokenKind) {
        let token = TokenFormat.generate(kind)
        #expect(token.hasPrefix(kind.prefix))
        #expect(token.count == kind.prefix.count + TokenFormat.bodyLength + TokenFormat.checksumLength)
        #expect(TokenFormat.validate(token) == kind)
        #expect(token.utf8.count <= TokenFormat.maxLength)
    }

    @Test func everySingleCharacterChangeIsRejected() {
        var generator = SeededGenerator(seed: 42)
        let token = Array(TokenFormat.generate(.internalKey, using: &generator))
        for index in token.indices {
            var changed = token
            changed[index] = changed[index] == "a" ? "b" : "a"
            #expect(TokenFormat.validate(String(changed)) == nil, "changed position \(index)")
        }
    }

    @Test func lookAlikesAreRejected() {
        let token = TokenFormat.generate(.internalKey)
        #expect(TokenFormat.validate(token.dropLast()) == nil)
        #expect(TokenFormat.validate(token + "0") == nil)
        #expect(TokenFormat.validate("ntn_" + token.dropFirst(7)) == nil)
        #expect(TokenFormat.validate("secret_abc123def456ghi789") == nil)
        #expect(TokenFormat.validate("") == nil)
        #expect(TokenFormat.validate("secret_" + String(repeating: "é", count: 46)) == nil)
    }

    @Test func generationIsRandom() {
        let tokens = Set((0..<200).map { _ in TokenFormat.generate(.internalKey) })
        #expect(tokens.count == 200)
    }

    @Test func displayHintShowsPrefixAndLastFour() {
        var generator = SeededGenerator(seed: 7)
        let token = TokenFormat.generate(.oauthBot, using: &generator)
        #expect(TokenFormat.displayHint(token) == "bot_…" + token.suffix(4))
    }

    @Test func digestMatchesSHA256AndRoundTripsThroughHex() {
        let token = TokenFormat.generate(.internalKey)
        let digest = TokenDigest(of: token)
        let expected = SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(digest.hex == expected)
        #expect(TokenDigest(hex: digest.hex) == digest)
        #expect(TokenDigest(hex: "zz") == nil)
        // Words with leading zeros keep their sixteen digits.
        let padded = "000000000000000f" + "0123456789abcdef" + String(repeating: "0", count: 31) + "1"
        #expect(TokenDigest(hex: padded)?.hex == padded)
        #expect(TokenDigest(of: token + "x") != digest)
    }

    @Test func aSliceHashesAsTheStringItHolds() {
        let token = TokenFormat.generate(.internalKey)
        let header = "Bearer " + token + " "
        let slice = header.dropFirst(7).dropLast()
        #expect(TokenDigest(of: slice) == TokenDigest(of: token))
        #expect(TokenFormat.validate(slice) == .internalKey)
        #expect(TokenFormat.validate(header.dropFirst(7)) == nil)
        #expect(TokenDigest(of: header.dropFirst(8).dropLast()) != TokenDigest(of: token))
        // SHA-256 of the empty string (FIPS 180-4 test vector).
        #expect(TokenDigest(of: "").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(TokenDigest(of: header.dropFirst(header.count)) == TokenDigest(of: ""))
    }
}
