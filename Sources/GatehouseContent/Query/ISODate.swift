import GatehouseCore

/// ISO 8601 dates and date-times as the API accepts them, converted to and from epoch milliseconds
/// in UTC, without Foundation's formatters (pure and fast).
public enum ISODate {
    public static let millisecondsPerDay: Int64 = 86_400_000

    /// `text` as milliseconds since 1970, and whether it had no time part (`2024-05-01`).
    /// Accepts `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z`, `±HH:MM` or no zone (UTC).
    public static func parse(_ text: String) -> (milliseconds: Int64, isDateOnly: Bool)? {
        let bytes = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = digits(0, 4), bytes.count >= 10, bytes[4] == 45, let month = digits(5, 2), bytes[7] == 45,
            let day = digits(8, 2), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        let dayStart = days(year: year, month: month, day: day) * millisecondsPerDay
        if bytes.count == 10 { return (dayStart, true) }
        guard bytes[10] == 84 || bytes[10] == 32, let hour = digits(11, 2), hour < 24, bytes.count >= 16,
            bytes[13] == 58,
            let minute = digits(14, 2), minute < 60
        else { return nil }
        var index = 16
        var milliseconds = Int64(hour * 3_600_000 + minute * 60_000)
        if index < bytes.count, bytes[index] == 58 {
            guard let second = digits(index + 1, 2), second < 60 else { return nil }
            milliseconds += Int64(second * 1000)
            index += 3
            if index < bytes.count, bytes[index] == 46 {
                index += 1
                var scale = 100
                let fractionStart = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    milliseconds += Int64(Int(bytes[index] - 48) * scale)
                    scale /= 10
                    index += 1
                }
                guard index > fractionStart else { return nil }
            }
        }
        if index == bytes.count { return (dayStart + milliseconds, false) }
        if bytes[index] == 90, index + 1 == bytes.count { return (dayStart + milliseconds, false) }
        guard bytes[index] == 43 || bytes[index] == 45, let offsetHours = digits(index + 1, 2), offsetHours < 24,
            index + 6 == bytes.count, bytes[index + 3] == 58, let offsetMinutes = digits(index + 4, 2),
            offsetMinutes < 60
        else { return nil }
        let offset = Int64(offsetHours * 3_600_000 + offsetMinutes * 60_000)
        return (dayStart + milliseconds - (bytes[index] == 43 ? offset : -offset), false)
    }

    /// `milliseconds` as `YYYY-MM-DDTHH:MM:SS.fffZ`, the API's timestamp form.
    ///
    /// Written digit by digit into the string's 24 bytes for years 0 to 9999 (every page renders
    /// two of these, a query of 100 pages 200 or more).
    public static func format(milliseconds: Int64) -> String {
        let day = floorDivide(milliseconds, millisecondsPerDay)
        let rest = milliseconds - day * millisecondsPerDay
        let (year, month, dayOfMonth) = civil(days: day)
        guard (0...9999).contains(year) else {
            return formatAnyYear(year: year, month: month, day: dayOfMonth, rest: rest)
        }
        return String(unsafeUninitializedCapacity: 24) { bytes in
            func put(_ value: Int, width: Int, at start: Int, then separator: UInt8) {
                var value = value
                for index in stride(from: start + width - 1, through: start, by: -1) {
                    bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                bytes[start + width] = separator
            }
            let time = Int(rest)
            put(year, width: 4, at: 0, then: UInt8(ascii: "-"))
            put(month, width: 2, at: 5, then: UInt8(ascii: "-"))
            put(dayOfMonth, width: 2, at: 8, then: UInt8(ascii: "T"))
            put(time / 3_600_000, width: 2, at: 11, then: UInt8(ascii: ":"))
            put(time / 60_000 % 60, width: 2, at: 14, then: UInt8(ascii: ":"))
            put(time / 1000 % 60, width: 2, at: 17, then: UInt8(ascii: "."))
            put(time % 1000, width: 3, at: 20, then: UInt8(ascii: "Z"))
            return 24
        }
    }

    /// ``format(milliseconds:)`` for a year outside 0 to 9999.
    static func formatAnyYear(year: Int, month: Int, day dayOfMonth: Int, rest: Int64) -> String {
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(Int64(year), 4))-\(pad(Int64(month), 2))-\(pad(Int64(dayOfMonth), 2))T"
            + "\(pad(rest / 3_600_000, 2)):\(pad(rest / 60_000 % 60, 2)):\(pad(rest / 1000 % 60, 2)).\(pad(rest % 1000, 3))Z"
    }

    /// Days since 1970-01-01 of a civil date (proleptic Gregorian).
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let shiftedYear = Int64(month <= 2 ? year - 1 : year)
        let era = floorDivide(shiftedYear, 400)
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = Int64((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day number since 1970-01-01.
    public static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        return (Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0), month, day)
    }

    /// The day `months` calendar months after `day` (clamped to the month's last day).
    public static func adding(months: Int, to day: Int64) -> Int64 {
        let (year, month, dayOfMonth) = civil(days: day)
        let total = year * 12 + (month - 1) + months
        let newYear = Int(floorDivide(Int64(total), 12))
        let newMonth = total - newYear * 12 + 1
        return days(year: newYear, month: newMonth, day: min(dayOfMonth, daysIn(month: newMonth, year: newYear)))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}
