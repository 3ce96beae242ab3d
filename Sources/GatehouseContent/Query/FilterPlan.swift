import GatehouseCore

/// A filter compiled for the store: and/or/not over "a page has an index row of this property
/// satisfying this predicate", which SQL answers with `EXISTS (SELECT 1 FROM index WHERE
/// page = p.id AND property_id = ? AND <predicate>)`.
public indirect enum FilterPlan: Equatable, Sendable {
    case and([FilterPlan])
    case or([FilterPlan])
    case not(FilterPlan)
    /// Some row of `propertyId` satisfies `predicate`.
    case exists(propertyId: String, IndexPredicate)
    /// Every page (`true`) or none (`false`).
    case constant(Bool)

    /// The plan of `filter` (`nil`: every page).
    public static func compile(_ filter: QueryFilter?) -> FilterPlan {
        switch filter {
        case nil: .constant(true)
        case .and(let parts)?: .and(parts.map(compile))
        case .or(let parts)?: .or(parts.map(compile))
        case .condition(let target, let condition)?: compile(condition, on: PageIndexer.key(of: target))
        }
    }

    static func compile(_ condition: FilterCondition, on key: String) -> FilterPlan {
        switch condition {
        case .isEmpty(let empty):
            let present = FilterPlan.exists(propertyId: key, .present)
            return empty ? .not(present) : present
        case .text(let textOperator, let operand):
            let positive = FilterPlan.exists(propertyId: key, .text(textOperator.positive, foldedForFilter(operand)))
            return textOperator.isNegative ? .not(positive) : positive
        case .number(.doesNotEqual, let operand):
            return .not(.exists(propertyId: key, .number(.equals, operand)))
        case .number(let numberOperator, let operand):
            return .exists(propertyId: key, .number(numberOperator, operand))
        case .checkbox(let flag):
            return .exists(propertyId: key, .flag(flag))
        case .hasAny(let keys, let negated):
            let positive: FilterPlan = keys.isEmpty ? .constant(false) : .exists(propertyId: key, .keyIn(keys))
            return negated ? .not(positive) : positive
        case .date(let interval):
            return .exists(propertyId: key, .dateStart(interval))
        case .rollup(let quantifier, let inner):
            switch quantifier {
            case .any?: return .constant(false)
            case .every?, .none?: return .constant(true)
            case nil: return compile(inner, on: key)
            }
        }
    }

    /// Whether a page with index `rows` matches: the plan interpreted in Swift, as SQL would.
    public func matches(_ rows: [IndexedValue]) -> Bool {
        switch self {
        case .and(let parts): parts.allSatisfy { $0.matches(rows) }
        case .or(let parts): parts.contains { $0.matches(rows) }
        case .not(let part): !part.matches(rows)
        case .exists(let propertyId, let predicate):
            rows.contains { $0.propertyId == propertyId && predicate.holds(for: $0) }
        case .constant(let value): value
        }
    }
}

/// A test on one index row, each a simple SQL expression over one column.
public enum IndexPredicate: Equatable, Sendable {
    /// Any row (`TRUE`).
    case present
    /// On the lowercased `text` column: `equals` is `text = ?`, `contains` `instr(text, ?) > 0`,
    /// `starts_with` `substr(text, 1, length(?)) = ?`, `ends_with` likewise from the end (operand
    /// already lowercased; only positive operators appear).
    case text(TextOperator, String)
    /// `key IN (…)`.
    case keyIn([String])
    /// `number <op> ?` (`does_not_equal` never appears: it is compiled to `NOT EXISTS … = ?`).
    case number(NumberOperator, Double)
    /// `flag = ?`.
    case flag(Bool)
    /// `date_start >= lower AND date_start < upper` (open bounds omitted).
    case dateStart(DateInterval)

    /// Whether `row` satisfies the predicate.
    public func holds(for row: IndexedValue) -> Bool {
        switch self {
        case .present: true
        case .text(let textOperator, let operand):
            row.text.map { FilterEvaluator.textMatches(textOperator, $0, operand) } ?? false
        case .keyIn(let keys): row.key.map(keys.contains) ?? false
        case .number(let numberOperator, let operand):
            row.number.map { FilterEvaluator.numberMatches(numberOperator, $0, operand) } ?? false
        case .flag(let flag): row.flag == flag
        case .dateStart(let interval): row.dateStart.map(interval.contains) ?? false
        }
    }
}
