import GatehouseCore

/// Date conditions resolved to intervals of epoch milliseconds, relative ones against a `now`
/// passed in. Days are UTC days; weeks start on Sunday (Notion's default).
enum FilterDates {
    static let relativeValues = [
        "today", "tomorrow", "yesterday", "one_week_ago", "one_week_from_now", "one_month_ago", "one_month_from_now",
    ]
    static let operandOperators = ["equals", "before", "after", "on_or_before", "on_or_after"]
    static let rangeOperators = [
        "this_week", "past_week", "past_month", "past_year", "next_week", "next_month", "next_year",
    ]

    /// The interval of `operatorName` applied to `operand` (for the operand operators) at `now`.
    static func interval(_ operatorName: String, operand: JSONValue, at path: String, now: Int64) throws -> DateInterval
    {
        let today = ISODate.floorDivide(now, ISODate.millisecondsPerDay)
        let day = ISODate.millisecondsPerDay
        if rangeOperators.contains(operatorName) {
            _ = try PropertyJSONReader.object(operand, at: path)
            switch operatorName {
            case "this_week":
                let weekday = (today + 4) % 7  // 1970-01-01 was a Thursday; 0 is Sunday.
                let start = (today - (weekday < 0 ? weekday + 7 : weekday)) * day
                return DateInterval(lower: start, upper: start + 7 * day)
            case "past_week": return DateInterval(lower: (today - 7) * day, upper: (today + 1) * day)
            case "past_month":
                return DateInterval(lower: ISODate.adding(months: -1, to: today) * day, upper: (today + 1) * day)
            case "past_year":
                return DateInterval(lower: ISODate.adding(months: -12, to: today) * day, upper: (today + 1) * day)
            case "next_week": return DateInterval(lower: today * day, upper: (today + 8) * day)
            case "next_month":
                return DateInterval(lower: today * day, upper: (ISODate.adding(months: 1, to: today) + 1) * day)
            default: return DateInterval(lower: today * day, upper: (ISODate.adding(months: 12, to: today) + 1) * day)
            }
        }
        let (lower, upper) = try operandInterval(operand, at: path, today: today)
        switch operatorName {
        case "equals": return DateInterval(lower: lower, upper: upper)
        case "before": return DateInterval(lower: nil, upper: lower)
        case "after": return DateInterval(lower: upper, upper: nil)
        case "on_or_before": return DateInterval(lower: nil, upper: upper)
        default: return DateInterval(lower: lower, upper: nil)
        }
    }

    /// The instant or day an operand names: `[t, t+1ms)` for a date-time, the whole UTC day for a date.
    static func operandInterval(_ operand: JSONValue, at path: String, today: Int64) throws -> (Int64, Int64) {
        let text = try PropertyJSONReader.string(operand, at: path)
        let day = ISODate.millisecondsPerDay
        let relativeDay: Int64? =
            switch text {
            case "today": today
            case "tomorrow": today + 1
            case "yesterday": today - 1
            case "one_week_ago": today - 7
            case "one_week_from_now": today + 7
            case "one_month_ago": ISODate.adding(months: -1, to: today)
            case "one_month_from_now": ISODate.adding(months: 1, to: today)
            default: nil
            }
        if let relativeDay { return (relativeDay * day, (relativeDay + 1) * day) }
        guard let parsed = ISODate.parse(text) else {
            throw ContentValidationError.expected(
                "an ISO 8601 date or one of " + relativeValues.map { "`\($0)`" }.joined(separator: ", "),
                at: path,
                got: operand
            )
        }
        return (parsed.milliseconds, parsed.milliseconds + (parsed.isDateOnly ? day : 1))
    }
}
