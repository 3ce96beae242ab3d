import GatehouseContent
import GatehouseCore
import Testing

@Suite struct FilterPlanTests {
    static let now: Int64 = 1_715_774_400_000

    @Test func emptyValuesHaveNoIndexRowsAndCheckboxesAlwaysOne() throws {
        let schema = try tasksSchema()
        let page = PageProperties(
            values: [:],
            metadata: PageMetadata(createdTime: 1, lastEditedTime: 2, createdBy: "u1", lastEditedBy: "u2")
        )
        let rows = PageIndexer.rows(for: page, schema: schema)
        let done = try #require(schema.property(named: "Done"))
        #expect(rows.filter { $0.propertyId == done.id } == [IndexedValue(propertyId: done.id, flag: false)])
        #expect(rows.contains(IndexedValue(propertyId: IndexedValue.createdTimeKey, dateStart: 1)))
        let notes = try #require(schema.property(named: "Notes"))
        #expect(!rows.contains { $0.propertyId == notes.id })
    }

    @Test func negativeConditionsCompileToNotExists() throws {
        let target = FilterTarget.property(id: "abcd", type: .richText)
        #expect(
            FilterPlan.compile(.condition(target, .text(.doesNotContain, "AB")))
                == .not(.exists(propertyId: "abcd", .text(.contains, "ab")))
        )
        #expect(FilterPlan.compile(.condition(target, .isEmpty(true))) == .not(.exists(propertyId: "abcd", .present)))
        #expect(FilterPlan.compile(nil) == .constant(true))
    }

    @Test func textConditionsIgnoreCase() {
        #expect(FilterEvaluator.holds(.text(.equals, "urgent FIX"), for: .text("Urgent fix")))
        #expect(FilterEvaluator.holds(.text(.doesNotEqual, "x"), for: .text("")))
        #expect(!FilterEvaluator.holds(.text(.startsWith, "fix"), for: .text("Urgent fix")))
    }

    @Test func sortsPutEmptyValuesLastInBothDirections() throws {
        let schema = try tasksSchema()
        let estimate = try #require(schema.property(named: "Estimate"))
        let metadata = PageMetadata(createdTime: 0, lastEditedTime: 0, createdBy: "u", lastEditedBy: "u")
        let three = PageProperties(values: [estimate.id: .number(3)], metadata: metadata)
        let five = PageProperties(values: [estimate.id: .number(5)], metadata: metadata)
        let empty = PageProperties(values: [:], metadata: metadata)
        let target = FilterTarget.property(id: estimate.id, type: .number)
        for ascending in [true, false] {
            let sorts = [QuerySort(target: target, ascending: ascending)]
            let ordered = [empty, five, three].sorted { PageComparator.compare($0, $1, by: sorts, schema: schema) < 0 }
            #expect(ordered.last == empty)
            #expect(ordered.first == (ascending ? three : five))
        }
    }

    /// The store's SQL runs the plan over the index rows; here the plan, interpreted in Swift, must
    /// agree with the evaluator on random pages and random filters.
    @Test func thePlanOverIndexRowsAgreesWithTheEvaluatorOnRandomPagesAndFilters() throws {
        let schema = try tasksSchema()
        var random = PropsRandom(state: 2024)
        let generator = RandomQueryData(schema: schema)
        var matched = 0
        for _ in 0..<400 {
            let filter = generator.filter(&random, depth: 0)
            let plan = FilterPlan.compile(filter)
            for _ in 0..<10 {
                let page = generator.page(&random)
                let expected = FilterEvaluator.matches(filter, page: page)
                #expect(plan.matches(PageIndexer.rows(for: page, schema: schema)) == expected, "\(filter) on \(page)")
                if expected { matched += 1 }
            }
        }
        #expect(matched > 200 && matched < 3800)
    }
}

/// Random pages and filters over a schema, drawn from small pools so conditions often hit.
struct RandomQueryData {
    let schema: DataSourceSchema
    let words = ["", "Fix", "fix login", "Login", "ÉTÉ", "été ok", "a", "report.pdf"]
    let users = ["u1", "u2", "u3"]
    let pages = ["p1", "p2", "p3"]
    let days = (0..<6).map { ISODate.days(year: 2024, month: 5, day: 12 + $0) * ISODate.millisecondsPerDay }

    func page(_ random: inout PropsRandom) -> PageProperties {
        var values: [String: PropertyValue] = [:]
        for property in schema.properties where Bool.random(using: &random) || property.type == .title {
            let word = words.randomElement(using: &random) ?? ""
            let someIds = { (pool: [String], random: inout PropsRandom) in
                pool.filter { _ in Bool.random(using: &random) }
            }
            let value: PropertyValue? =
                switch property.type {
                case .title: .title([.text(word)])
                case .richText: .richText(word.isEmpty ? [] : [.text(word), .text(" x")])
                case .number:
                    .number(Bool.random(using: &random) ? nil : Double(Int.random(in: -2...3, using: &random)))
                case .select, .status: .select(optionId: property.options.randomElement(using: &random)?.id)
                case .multiSelect: .multiSelect(optionIds: someIds(property.options.map(\.id), &random))
                case .people: .people(userIds: someIds(users, &random))
                case .relation: .relation(pageIds: someIds(pages, &random))
                case .checkbox: .checkbox(Bool.random(using: &random))
                case .url, .email, .phoneNumber: .url(word.isEmpty ? nil : word)
                case .files: .files(word.isEmpty ? [] : [["name": .string(word), "type": "external"]])
                case .date:
                    .date(
                        DateValue(
                            start: ISODate.format(
                                milliseconds: (days.randomElement(using: &random) ?? 0) + Int64.random(
                                    in: 0..<3,
                                    using: &random
                                ) * 43_200_000
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

    func filter(_ random: inout PropsRandom, depth: Int) -> QueryFilter {
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

    func dateCondition(_ random: inout PropsRandom) -> FilterCondition {
        let lower = Bool.random(using: &random) ? days.randomElement(using: &random) : nil
        let upper = Bool.random(using: &random) ? days.randomElement(using: &random).map { $0 + 43_200_000 } : nil
        return .date(DateInterval(lower: lower, upper: upper))
    }
}
