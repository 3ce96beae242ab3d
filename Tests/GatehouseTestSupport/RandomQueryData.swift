import GatehouseContent
import GatehouseCore

/// Random pages and filters over a schema, drawn from small pools so conditions often hit: what
/// the property-based query tests feed the pure rules (`FilterPlanTests`) and the store's SQL
/// (`PageQueryAgreementTests`).
public struct RandomQueryData: Sendable {
    public let schema: DataSourceSchema

    public init(schema: DataSourceSchema) {
        self.schema = schema
    }

    let words = ["", "Fix", "fix login", "Login", "ÉTÉ", "été ok", "a", "50%_off", "report.pdf"]
    let users = ["u1", "u2", "u3"]
    let pages = ["p1", "p2", "p3"]
    let days = (0..<6).map { ISODate.days(year: 2024, month: 5, day: 12 + $0) * ISODate.millisecondsPerDay }

    public func page(_ random: inout SeededGenerator) -> PageProperties {
        var values: [String: PropertyValue] = [:]
        for property in schema.properties where Bool.random(using: &random) || property.type == .title {
            let word = words.randomElement(using: &random) ?? ""
            let someIds = { (pool: [String], random: inout SeededGenerator) in
                pool.filter { _ in Bool.random(using: &random) }
            }
            let value: PropertyValue? =
                switch property.type {
                case .title: .title([.text(word)])
                case .richText: .richText(word.isEmpty ? [] : [.text(word), .text(" x")])
                case .number:
                    .number(Bool.random(using: &random) ? nil : Double(Int.random(in: -2...3, using: &random)))
                case .select: .select(optionId: property.options.randomElement(using: &random)?.id)
                case .status: .status(optionId: property.options.randomElement(using: &random)?.id)
                case .multiSelect: .multiSelect(optionIds: someIds(property.options.map(\.id), &random))
                case .people: .people(userIds: someIds(users, &random))
                case .relation: .relation(pageIds: someIds(pages, &random))
                case .checkbox: .checkbox(Bool.random(using: &random))
                case .url: .url(word.isEmpty ? nil : word)
                case .email: .email(word.isEmpty ? nil : word)
                case .phoneNumber: .phoneNumber(word.isEmpty ? nil : word)
                case .files: .files(word.isEmpty ? [] : [["name": .string(word), "type": "external"]])
                case .date:
                    .date(
                        DateValue(
                            start: ISODate.format(
                                milliseconds: (days.randomElement(using: &random) ?? 0)
                                    + Int64.random(in: 0..<3, using: &random) * 43_200_000
                            )
                        )
                    )
                default: nil
                }
            if let value { values[property.id] = value }
        }
        let created = (days.randomElement(using: &random) ?? 0) + 3_600_000
        return PageProperties(
            values: values,
            metadata: PageMetadata(
                createdTime: created,
                lastEditedTime: created + 86_400_000,
                createdBy: users.randomElement(using: &random) ?? "u1",
                lastEditedBy: "u2",
                uniqueNumber: Int.random(in: 1...5, using: &random)
            )
        )
    }

    public func filter(_ random: inout SeededGenerator, depth: Int) -> QueryFilter {
        if depth < 2, Int.random(in: 0..<4, using: &random) == 0 {
            let parts = (0..<Int.random(in: 0...3, using: &random)).map { _ in filter(&random, depth: depth + 1) }
            return Bool.random(using: &random) ? .and(parts) : .or(parts)
        }
        if Int.random(in: 0..<8, using: &random) == 0 {
            return .condition(Bool.random(using: &random) ? .createdTime : .lastEditedTime, dateCondition(&random))
        }
        let property = schema.properties.randomElement(using: &random) ?? schema.properties[0]
        let target = FilterTarget.property(id: property.id, type: property.type)
        if Int.random(in: 0..<6, using: &random) == 0 {
            return .condition(target, .isEmpty(Bool.random(using: &random)))
        }
        let word = words.randomElement(using: &random) ?? ""
        let condition: FilterCondition =
            switch property.type {
            case .title, .richText, .url, .email, .phoneNumber:
                .text(TextOperator.allCases.randomElement(using: &random) ?? .equals, word)
            case .number, .uniqueId, .formula:
                .number(
                    NumberOperator.allCases.randomElement(using: &random) ?? .equals,
                    Double(Int.random(in: -2...4, using: &random))
                )
            case .checkbox: .checkbox(Bool.random(using: &random))
            case .select, .status, .multiSelect:
                .hasAny(
                    property.options.map(\.id).filter { _ in Bool.random(using: &random) },
                    negated: Bool.random(using: &random)
                )
            case .people, .createdBy, .lastEditedBy:
                .hasAny([users.randomElement(using: &random) ?? ""], negated: Bool.random(using: &random))
            case .relation: .hasAny([pages.randomElement(using: &random) ?? ""], negated: Bool.random(using: &random))
            case .files: .isEmpty(Bool.random(using: &random))
            case .date, .createdTime, .lastEditedTime: dateCondition(&random)
            case .rollup: .rollup(.any, .isEmpty(true))
            }
        return .condition(target, condition)
    }

    public func dateCondition(_ random: inout SeededGenerator) -> FilterCondition {
        let lower = Bool.random(using: &random) ? days.randomElement(using: &random) : nil
        let upper = Bool.random(using: &random) ? days.randomElement(using: &random).map { $0 + 43_200_000 } : nil
        return .date(DateInterval(lower: lower, upper: upper))
    }
}
