import GatehouseCore

/// Whether a page matches a filter: the semantics' one home, and the oracle the store's SQL
/// (through ``FilterPlan``) is tested against.
public enum FilterEvaluator {
    /// Whether `page` matches `filter` (`nil` matches every page).
    public static func matches(_ filter: QueryFilter?, page: PageProperties) -> Bool {
        switch filter {
        case nil: true
        case .and(let parts)?: parts.allSatisfy { matches($0, page: page) }
        case .or(let parts)?: parts.contains { matches($0, page: page) }
        case .condition(let target, let condition)?: holds(condition, for: FilterableValue.of(target, in: page))
        }
    }

    /// Whether `condition` holds for `value`.
    public static func holds(_ condition: FilterCondition, for value: FilterableValue) -> Bool {
        switch condition {
        case .isEmpty(let empty):
            return value.isEmpty == empty
        case .text(let textOperator, let operand):
            guard case .text(let text) = value, !text.isEmpty else { return textOperator.isNegative }
            let positive = textMatches(textOperator.positive, foldedForFilter(text), foldedForFilter(operand))
            return textOperator.isNegative ? !positive : positive
        case .number(let numberOperator, let operand):
            guard case .number(let number?) = value else { return numberOperator == .doesNotEqual }
            return numberMatches(numberOperator, number, operand)
        case .checkbox(let expected):
            guard case .flag(let flag) = value else { return false }
            return flag == expected
        case .hasAny(let keys, let negated):
            guard case .keys(let held) = value else { return negated }
            let positive = held.contains { keys.contains($0) }
            return negated ? !positive : positive
        case .date(let interval):
            guard case .date(let start?, _) = value else { return false }
            return interval.contains(start)
        case .rollup(let quantifier, let inner):
            // Gatehouse does not compute rollups: every rollup has no elements and an empty result.
            switch quantifier {
            case .any?: return false
            case .every?, .none?: return true
            case nil: return holds(inner, for: .none)
            }
        }
    }

    static func textMatches(_ textOperator: TextOperator, _ text: String, _ operand: String) -> Bool {
        let haystack = Array(text.utf8)
        let needle = Array(operand.utf8)
        switch textOperator {
        case .startsWith: return haystack.starts(with: needle)
        case .endsWith: return haystack.reversed().starts(with: needle.reversed())
        case .contains, .doesNotContain: return needle.isEmpty || containsBytes(haystack, needle)
        case .equals, .doesNotEqual: return haystack == needle
        }
    }

    static func containsBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }

    static func numberMatches(_ numberOperator: NumberOperator, _ number: Double, _ operand: Double) -> Bool {
        switch numberOperator {
        case .equals: number == operand
        case .doesNotEqual: number != operand
        case .greaterThan: number > operand
        case .lessThan: number < operand
        case .greaterThanOrEqualTo: number >= operand
        case .lessThanOrEqualTo: number <= operand
        }
    }
}

extension TextOperator {
    /// Whether the operator is the negation of another (`does_not_equal`, `does_not_contain`).
    public var isNegative: Bool { self == .doesNotEqual || self == .doesNotContain }

    /// The positive operator this one negates (itself when positive).
    public var positive: TextOperator {
        switch self {
        case .doesNotEqual: .equals
        case .doesNotContain: .contains
        default: self
        }
    }
}
