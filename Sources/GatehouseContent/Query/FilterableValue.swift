import GatehouseCore

/// A page's value for one filter target, reduced to what conditions compare: the one reading both
/// the evaluator and the index use.
public enum FilterableValue: Equatable, Sendable {
    /// Title, rich text, url, email, phone number: the plain text (`""` is empty).
    case text(String)
    case number(Double?)
    case flag(Bool)
    /// Select/status/multi-select option ids, user ids, page ids, file names (`[]` is empty).
    case keys([String])
    /// A date's start and end, or a timestamp, in epoch milliseconds.
    case date(start: Int64?, end: Int64?)
    /// Nothing stored or computable (formula and rollup results, which Gatehouse does not evaluate).
    case none

    /// Whether `is_empty` holds.
    public var isEmpty: Bool {
        switch self {
        case .text(let text): text.isEmpty
        case .number(let number): number == nil
        case .flag: false
        case .keys(let keys): keys.isEmpty
        case .date(let start, _): start == nil
        case .none: true
        }
    }

    /// The value `target` reads from `page`: stored values by property id, computed ones from its metadata.
    public static func of(_ target: FilterTarget, in page: PageProperties) -> FilterableValue {
        switch target {
        case .createdTime: return .date(start: page.metadata.createdTime, end: nil)
        case .lastEditedTime: return .date(start: page.metadata.lastEditedTime, end: nil)
        case .property(let id, let type):
            switch type {
            case .createdTime: return .date(start: page.metadata.createdTime, end: nil)
            case .lastEditedTime: return .date(start: page.metadata.lastEditedTime, end: nil)
            case .createdBy: return .keys([page.metadata.createdBy])
            case .lastEditedBy: return .keys([page.metadata.lastEditedBy])
            case .uniqueId: return .number(page.metadata.uniqueNumber.map(Double.init))
            case .formula, .rollup: return .none
            default: return of(page.values[id], type: type)
            }
        }
    }

    /// The filterable reading of a stored value of a property of `type` (absent: that type's empty value).
    public static func of(_ value: PropertyValue?, type: PropertyType) -> FilterableValue {
        switch value {
        case .title, .richText: .text(value?.plainText ?? "")
        case .number(let number): .number(number)
        case .checkbox(let flag): .flag(flag)
        case .select(let id), .status(let id): .keys(id.map { [$0] } ?? [])
        case .multiSelect(let ids), .people(let ids), .relation(let ids): .keys(ids)
        case .files(let files): .keys(files.compactMap { $0["name"]?.stringValue })
        case .date(let date): .date(start: date?.startMilliseconds, end: date?.endMilliseconds)
        case .url(let text), .email(let text), .phoneNumber(let text): .text(text ?? "")
        case nil:
            switch type {
            case .number: .number(nil)
            case .checkbox: .flag(false)
            case .date: .date(start: nil, end: nil)
            case .title, .richText, .url, .email, .phoneNumber: .text("")
            default: .keys([])
            }
        }
    }
}

/// Text as conditions compare it: lowercased, so `contains` and `equals` ignore case as Notion's do.
public func foldedForFilter(_ text: String) -> String { text.lowercased() }
