import GatehouseContent
import Testing

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
