import Testing

@testable import GatehouseContent

@Suite struct FilterDateTests {
    @Test func isoDatesParseToUTCMillisecondsAndFormatBack() throws {
        let midnight = try #require(ISODate.parse("2024-02-29"))
        #expect(midnight.isDateOnly)
        #expect(midnight.milliseconds == 1_709_164_800_000)
        let halfPast: Int64 = 1_709_164_800_000 + 1_800_000 + 250
        #expect(ISODate.parse("2024-02-29T01:30:00.250+01:00")?.milliseconds == halfPast)
        #expect(ISODate.format(milliseconds: 1_709_164_800_000) == "2024-02-29T00:00:00.000Z")
        #expect(ISODate.parse("1969-12-31T23:59:59Z")?.milliseconds == -1000)
        #expect(ISODate.format(milliseconds: -1000) == "1969-12-31T23:59:59.000Z")
    }

    /// The digit-by-digit form agrees with the general one over years 0 to 9999, and a formatted
    /// time parses back to itself.
    @Test func formattedTimesMatchTheGeneralFormAndParseBack() throws {
        var generator = SystemRandomNumberGenerator()
        let earliest: Int64 = -62_167_219_200_000  // 0000-01-01T00:00:00.000Z
        let latest: Int64 = 253_402_300_799_999  // 9999-12-31T23:59:59.999Z
        for milliseconds in [earliest, latest, 0, -1]
            + (0..<2000).map({ _ in
                Int64.random(in: earliest...latest, using: &generator)
            })
        {
            let day = milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds - 86_399_999) / 86_400_000
            let (year, month, dayOfMonth) = ISODate.civil(days: day)
            let general = ISODate.formatAnyYear(
                year: year,
                month: month,
                day: dayOfMonth,
                rest: milliseconds - day * 86_400_000
            )
            let formatted = ISODate.format(milliseconds: milliseconds)
            #expect(formatted == general)
            #expect(ISODate.parse(formatted)?.milliseconds == milliseconds, "\(formatted)")
        }
        #expect(ISODate.format(milliseconds: earliest) == "0000-01-01T00:00:00.000Z")
        #expect(ISODate.format(milliseconds: latest) == "9999-12-31T23:59:59.999Z")
    }

    @Test func malformedDatesAreRefused() {
        for text in [
            "", "2024-13-01", "2023-02-29", "2024-01-01T25:00", "2024-01-01T10:00+0200", "2024-01-01Tx", "20240101",
        ] {
            #expect(ISODate.parse(text) == nil, "\(text)")
        }
    }

    @Test func addingMonthsClampsToTheMonthsLastDay() {
        let january31 = ISODate.days(year: 2024, month: 1, day: 31)
        #expect(ISODate.civil(days: ISODate.adding(months: 1, to: january31)) == (2024, 2, 29))
        #expect(ISODate.civil(days: ISODate.adding(months: -12, to: january31)) == (2023, 1, 31))
    }
}
