/// The base62 alphabet (`0-9A-Za-z`) that token bodies and checksums are written in.
public enum Base62 {
    /// The 62 characters, in value order.
    public static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// Whether `byte` is one of the 62 characters.
    @inlinable
    public static func isDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// `value` written with exactly `width` base62 digits, most significant first, zero-padded.
    public static func encode(_ value: UInt64, width: Int) -> [UInt8] {
        var digits = [UInt8](repeating: alphabet[0], count: width)
        var rest = value
        for index in stride(from: width - 1, through: 0, by: -1) {
            digits[index] = alphabet[Int(rest % 62)]
            rest /= 62
        }
        return digits
    }

    /// The value of a run of base62 digits; `nil` if one is not a digit or the value overflows.
    public static func decode(_ digits: some Sequence<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for byte in digits {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x5A: digit = byte - 0x41 + 10
            case 0x61...0x7A: digit = byte - 0x61 + 36
            default: return nil
            }
            let (scaled, overflow) = value.multipliedReportingOverflow(by: 62)
            guard !overflow else { return nil }
            value = scaled + UInt64(digit)
        }
        return value
    }

    /// `count` characters drawn uniformly from the alphabet with `generator`.
    ///
    /// Each 64-bit number from the generator gives ten 6-bit values; a value of 62 or 63 is
    /// discarded, so every kept one is uniform over the 62 characters. About four numbers per
    /// 40-character token, where drawing each character alone took one number (and, with the
    /// system's generator, one system call) per character.
    public static func random(count: Int, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        var characters: [UInt8] = []
        characters.reserveCapacity(count)
        while characters.count < count {
            var bits = generator.next()
            for _ in 0..<10 where characters.count < count {
                let value = Int(bits & 0x3F)
                bits >>= 6
                if value < 62 { characters.append(alphabet[value]) }
            }
        }
        return characters
    }
}
