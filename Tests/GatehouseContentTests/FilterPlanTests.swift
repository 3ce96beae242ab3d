import GatehouseContent
import GatehouseCore
import GatehouseTestSupport
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
        var random = SeededGenerator(seed: 2024)
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
