/// ISO 8601 dates as the API accepts them: `2026-03-11`, `2026-03-11T09:30`,
/// `2026-03-11T09:30:00.000Z`, `2026-03-11T09:30:00+02:00`.
enum ISO8601Text {
    static func isDateOrDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, isDate(bytes[0..<10]) else { return false }
        if bytes.count == 10 { return true }
        guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " ") else { return false }
        return isTime(bytes[11...])
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    private static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        let base = bytes.startIndex
        guard bytes[base + 4] == UInt8(ascii: "-"), bytes[base + 7] == UInt8(ascii: "-"),
            digits(bytes[base..<base + 4]) != nil,
            let month = digits(bytes[base + 5..<base + 7]), (1...12).contains(month),
            let day = digits(bytes[base + 8..<base + 10]), (1...31).contains(day)
        else { return false }
        return true
    }

    /// `HH:MM[:SS[.fraction]][Z|±HH:MM]`.
    private static func isTime(_ bytes: ArraySlice<UInt8>) -> Bool {
        var rest = bytes
        guard let hour = clock(&rest), hour < 24, take(":", from: &rest),
            let minute = clock(&rest), minute < 60
        else { return false }
        if take(":", from: &rest) {
            guard let second = clock(&rest), second < 61 else { return false }
            if take(".", from: &rest) {
                let fraction = rest.prefix { $0 >= 0x30 && $0 <= 0x39 }
                guard !fraction.isEmpty else { return false }
                rest.removeFirst(fraction.count)
            }
        }
        if rest.isEmpty || (rest.count == 1 && rest.first == UInt8(ascii: "Z")) { return true }
        guard take("+", from: &rest) || take("-", from: &rest),
            let offsetHours = clock(&rest), offsetHours < 24
        else { return false }
        if rest.isEmpty { return true }
        guard take(":", from: &rest), let offsetMinutes = clock(&rest) else { return false }
        return offsetMinutes < 60 && rest.isEmpty
    }

    /// Removes `character` from the front of `bytes` if it is there.
    private static func take(_ character: Unicode.Scalar, from bytes: inout ArraySlice<UInt8>) -> Bool {
        guard bytes.first == UInt8(ascii: character) else { return false }
        bytes.removeFirst()
        return true
    }

    /// Two digits taken off the front of `bytes`.
    private static func clock(_ bytes: inout ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= 2, let value = digits(bytes.prefix(2)) else { return nil }
        bytes.removeFirst(2)
        return value
    }
}

/// URLs as the API accepts them in links and media: absolute `http(s)` URLs.
enum URLText {
    static func isWebURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else { return false }
        let host = lowered.drop { $0 != "/" }.dropFirst(2).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !text.contains(where: { $0 == " " || $0 == "\n" })
    }
}
