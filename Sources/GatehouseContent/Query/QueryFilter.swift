import GatehouseCore

/// A parsed query `filter`: compound groups over single conditions, with property names resolved to
/// ids and select names to option ids against the data source's schema.
public indirect enum QueryFilter: Equatable, Sendable {
    case and([QueryFilter])
    case or([QueryFilter])
    case condition(FilterTarget, FilterCondition)
}

/// What a condition reads: a property (by id, with its type), or one of the page's timestamps.
public enum FilterTarget: Equatable, Sendable {
    case property(id: String, type: PropertyType)
    /// `{"timestamp": "created_time", …}`.
    case createdTime
    /// `{"timestamp": "last_edited_time", …}`.
    case lastEditedTime
}

/// A text condition's operator (`TextPropertyFilter` in notion-sdk-js).
public enum TextOperator: String, CaseIterable, Equatable, Sendable {
    case equals
    case doesNotEqual = "does_not_equal"
    case contains
    case doesNotContain = "does_not_contain"
    case startsWith = "starts_with"
    case endsWith = "ends_with"
}

/// A number condition's operator (`NumberPropertyFilter` in notion-sdk-js).
public enum NumberOperator: String, CaseIterable, Equatable, Sendable {
    case equals
    case doesNotEqual = "does_not_equal"
    case greaterThan = "greater_than"
    case lessThan = "less_than"
    case greaterThanOrEqualTo = "greater_than_or_equal_to"
    case lessThanOrEqualTo = "less_than_or_equal_to"
}

/// How a rollup filter quantifies over the rollup's elements.
public enum RollupQuantifier: String, Equatable, Sendable {
    case any, every, none
}

/// One condition, on the value a ``FilterTarget`` reads.
///
/// Positive conditions need a non-empty value; each negative one (`does_not_…`) is exactly the
/// negation of its positive, so it also matches empty values.
public indirect enum FilterCondition: Equatable, Sendable {
    /// Text compared case-insensitively (title, rich_text, url, email, phone_number, string formulas).
    case text(TextOperator, String)
    case number(NumberOperator, Double)
    /// Checkbox `equals` (`does_not_equal: b` is parsed as `equals: !b`).
    case checkbox(Bool)
    /// The value holds one of `keys` (select/status option ids, multi-select option ids, user ids,
    /// page ids); `negated` for `does_not_equal` / `does_not_contain`.
    case hasAny([String], negated: Bool)
    /// The value's start (or the timestamp) lies in `[lower, upper)`, epoch milliseconds.
    case date(DateInterval)
    /// `is_empty: true` (`true`) or `is_not_empty: true` (`false`).
    case isEmpty(Bool)
    /// A rollup filter: the quantifier over the rollup's elements, or `nil` for its single
    /// number/date result.
    case rollup(RollupQuantifier?, FilterCondition)
}

/// A half-open interval of epoch milliseconds; `nil` bounds are open.
public struct DateInterval: Equatable, Sendable {
    public var lower: Int64?
    public var upper: Int64?

    public init(lower: Int64?, upper: Int64?) {
        self.lower = lower
        self.upper = upper
    }

    public func contains(_ milliseconds: Int64) -> Bool {
        (lower.map { milliseconds >= $0 } ?? true) && (upper.map { milliseconds < $0 } ?? true)
    }
}
