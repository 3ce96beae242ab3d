import GatehouseContent
import GatehouseCore
import Testing

@Suite struct SortKeyTests {
    let metadata = PageMetadata(createdTime: 10, lastEditedTime: 20, createdBy: "u", lastEditedBy: "u")

    @Test func selectsSortByTheOptionsPositionInTheSchemaNotByName() throws {
        let schema = try tasksSchema()
        let priority = try #require(schema.property(named: "Priority"))
        let high = try #require(priority.option(named: "High"))
        let low = try #require(priority.option(named: "Low"))
        let target = FilterTarget.property(id: priority.id, type: .select)
        let highPage = PageProperties(values: [priority.id: .select(optionId: high.id)], metadata: metadata)
        let lowPage = PageProperties(values: [priority.id: .select(optionId: low.id)], metadata: metadata)
        #expect(SortKey.of(target, in: highPage, schema: schema) == .number(0))
        #expect(SortKey.of(target, in: lowPage, schema: schema) == .number(1))
        #expect(
            PageComparator.compare(highPage, lowPage, by: [QuerySort(target: target, ascending: true)], schema: schema)
                < 0
        )
    }

    @Test func laterSortsBreakTiesAndAFullTieIsZero() throws {
        let schema = try tasksSchema()
        let done = try #require(schema.property(named: "Done"))
        let doneTarget = FilterTarget.property(id: done.id, type: .checkbox)
        var older = PageProperties(values: [done.id: .checkbox(true)], metadata: metadata)
        var newer = older
        newer.metadata.createdTime = 99
        let sorts = [QuerySort(target: doneTarget, ascending: true), QuerySort(target: .createdTime, ascending: false)]
        #expect(PageComparator.compare(newer, older, by: sorts, schema: schema) < 0)
        older.metadata.createdTime = 99
        #expect(PageComparator.compare(newer, older, by: sorts, schema: schema) == 0)
    }

    @Test func textSortsIgnoreCaseAndEmptyTextHasNoKey() throws {
        let schema = try tasksSchema()
        let target = FilterTarget.property(id: "title", type: .title)
        let page = PageProperties(values: ["title": .title([.text("Zebra")])], metadata: metadata)
        #expect(SortKey.of(target, in: page, schema: schema) == .text("zebra"))
        #expect(SortKey.of(target, in: PageProperties(values: [:], metadata: metadata), schema: schema) == nil)
    }
}
