import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseTestSupport
import Testing

@testable import GatehouseStore

/// The store's SQL for a query (``SQLStore/sql(_:)`` over the page index, the sort-key joins)
/// must agree with the pure rules: `FilterEvaluator` for which pages match and `PageComparator`
/// (ties by creation order) for their order, on random pages and filters, on both engines.
@Suite struct PageQueryAgreementTests {
    @Test(arguments: StoreEngine.available)
    func theSQLFilterAgreesWithTheEvaluatorOnRandomPagesAndFilters(engine: StoreEngine) async throws {
        let (store, dataSource, pages) = try await Self.seed(engine: engine, seed: 26)
        defer { Task { await store.shutdown() } }
        var random = SeededGenerator(seed: 2026)
        let generator = RandomQueryData(schema: dataSource.schema)
        var matchedSomeButNotAll = 0
        for _ in 0..<150 {
            let filter = generator.filter(&random, depth: 0)
            let expected = Set(pages.filter { FilterEvaluator.matches(filter, page: $0.properties) }.map(\.record.id))
            let found = try await store.queryPages(
                dataSource: dataSource,
                plan: FilterPlan.compile(filter),
                sorts: [],
                offset: 0,
                limit: 1000
            )
            #expect(Set(found.map(\.record.id)) == expected, "\(filter)")
            if !expected.isEmpty && expected.count < pages.count { matchedSomeButNotAll += 1 }
        }
        #expect(matchedSomeButNotAll > 30)
    }

    @Test(arguments: StoreEngine.available)
    func theSQLOrderAgreesWithThePageComparatorAndPagesResumeFromAnOffset(engine: StoreEngine) async throws {
        let (store, dataSource, pages) = try await Self.seed(engine: engine, seed: 27)
        defer { Task { await store.shutdown() } }
        let schema = dataSource.schema
        func sort(_ name: String, ascending: Bool) throws -> QuerySort {
            let property = try #require(schema.property(named: name))
            return QuerySort(target: .property(id: property.id, type: property.type), ascending: ascending)
        }
        var orders: [[QuerySort]] = []
        for name in ["Estimate", "Name", "Priority", "Done", "Due", "Assignee"] {
            for ascending in [true, false] { orders.append([try sort(name, ascending: ascending)]) }
        }
        // A property then another, and a timestamp then a property.
        orders.append([try sort("Priority", ascending: true), try sort("Estimate", ascending: false)])
        orders.append([QuerySort(target: .createdTime, ascending: false), try sort("Name", ascending: true)])
        for sorts in orders {
            let expected = pages.sorted { lhs, rhs in
                let order = PageComparator.compare(lhs.properties, rhs.properties, by: sorts, schema: schema)
                if order != 0 { return order < 0 }
                return (lhs.record.createdAt, lhs.record.id) < (rhs.record.createdAt, rhs.record.id)
            }.map(\.record.id)
            var found: [String] = []
            while found.count < pages.count {
                let page = try await store.queryPages(
                    dataSource: dataSource,
                    plan: .constant(true),
                    sorts: sorts,
                    offset: found.count,
                    limit: 7
                )
                #expect(!page.isEmpty)
                if page.isEmpty { break }
                found += page.map(\.record.id)
            }
            #expect(found == expected, "\(sorts)")
            // From every offset, so that some start exactly where the pages with a value end.
            guard sorts.count == 1 else { continue }
            for offset in stride(from: 0, through: pages.count, by: 1) {
                let page = try await store.queryPages(
                    dataSource: dataSource,
                    plan: .constant(true),
                    sorts: sorts,
                    offset: offset,
                    limit: 3
                )
                #expect(page.map(\.record.id) == Array(expected.dropFirst(offset).prefix(3)), "\(sorts) from \(offset)")
            }
        }
    }

    @Test(arguments: StoreEngine.available)
    func anUnsortedQueryAnswersNewestFirstPageByPage(engine: StoreEngine) async throws {
        let (store, dataSource, pages) = try await Self.seed(engine: engine, seed: 28)
        defer { Task { await store.shutdown() } }
        let expected = pages.sorted { ($0.record.createdAt, $0.record.id) > ($1.record.createdAt, $1.record.id) }
            .map(\.record.id)
        var found: [String] = []
        while found.count < pages.count {
            let page = try await store.queryPages(
                dataSource: dataSource,
                plan: .constant(true),
                sorts: [],
                offset: found.count,
                limit: 7
            )
            #expect(!page.isEmpty)
            if page.isEmpty { break }
            found += page.map(\.record.id)
        }
        #expect(found == expected)
    }

    @Test(arguments: StoreEngine.available)
    func theTrashIsQueriedApartFromTheLivePages(engine: StoreEngine) async throws {
        let (store, dataSource, pages) = try await Self.seed(engine: engine, seed: 29)
        defer { Task { await store.shutdown() } }
        var trashed = Set<String>()
        for var page in pages.enumerated().filter({ $0.offset % 3 == 0 }).map(\.element) {
            page.record.archived = true
            try await store.writePage(page, create: false, dataSource: dataSource)
            trashed.insert(page.record.id)
        }
        let estimate = try #require(dataSource.schema.property(named: "Estimate"))
        let orders: [[QuerySort]] = [
            [], [QuerySort(target: .property(id: estimate.id, type: estimate.type), ascending: false)],
        ]
        for sorts in orders {
            for inTrash in [true, false] {
                let found = try await store.queryPages(
                    dataSource: dataSource,
                    plan: .constant(true),
                    sorts: sorts,
                    scope: PageQueryScope(inTrash: inTrash),
                    offset: 0,
                    limit: 1000
                )
                let expected = Set(pages.map(\.record.id)).filter { trashed.contains($0) == inTrash }
                #expect(Set(found.map(\.record.id)) == expected, "\(sorts), in the trash: \(inTrash)")
                #expect(found.count == expected.count)
            }
        }
    }

    @Test(arguments: StoreEngine.available)
    func aScopeWithATimeReadsOnlyThePagesCreatedByThen(engine: StoreEngine) async throws {
        let (store, dataSource, pages) = try await Self.seed(engine: engine, seed: 30)
        defer { Task { await store.shutdown() } }
        let times = pages.map(\.record.createdAt.epochMilliseconds).sorted()
        let cut = times[times.count / 2]
        let estimate = try #require(dataSource.schema.property(named: "Estimate"))
        for sorts in [[], [QuerySort(target: .property(id: estimate.id, type: estimate.type), ascending: true)]] {
            let found = try await store.queryPages(
                dataSource: dataSource,
                plan: .constant(true),
                sorts: sorts,
                scope: PageQueryScope(createdUpTo: cut),
                offset: 0,
                limit: 1000
            )
            let expected = Set(pages.filter { $0.record.createdAt.epochMilliseconds <= cut }.map(\.record.id))
            #expect(Set(found.map(\.record.id)) == expected, "\(sorts)")
            #expect(found.count == expected.count && expected.count < pages.count && !expected.isEmpty)
        }
    }

    /// A store with one data source of the tasks schema holding 60 random pages.
    static func seed(engine: StoreEngine, seed: UInt64) async throws -> (SQLStore, DataSourceRecord, [StoredPage]) {
        let store = try await engine.open()
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let database = DatabaseRecord(
            id: Fixtures.id(),
            workspaceID: workspace.id,
            title: "Tasks",
            createdAt: Fixtures.now,
            lastEditedAt: Fixtures.now
        )
        let schema = try queryTestSchema()
        try await store.createDatabase(database, schema: schema)
        let dataSource = try #require(try await store.dataSource(id: database.id))
        #expect(dataSource.schema == schema)
        var random = SeededGenerator(seed: seed)
        let generator = RandomQueryData(schema: schema)
        var pages: [StoredPage] = []
        for index in 0..<60 {
            var properties = generator.page(&random)
            properties.metadata.createdTime += Int64(index % 5)
            let record = PageRecord(
                id: Fixtures.id(),
                workspaceID: workspace.id,
                title: properties.values["title"]?.plainText ?? "",
                parent: .database(dataSource.id),
                createdBy: properties.metadata.createdBy,
                lastEditedBy: properties.metadata.lastEditedBy,
                createdAt: Date(epochMilliseconds: properties.metadata.createdTime),
                lastEditedAt: Date(epochMilliseconds: properties.metadata.lastEditedTime)
            )
            let page = StoredPage(record: record, properties: properties)
            try await store.writePage(page, create: true, dataSource: dataSource)
            pages.append(page)
        }
        let stored = try await store.storedPage(id: pages[0].record.id, titleID: "title")
        #expect(stored == pages[0])
        return (store, dataSource, pages)
    }
}

/// The tasks schema of GatehouseContentTests' `tasksSchema()` (one property of each type).
func queryTestSchema() throws -> DataSourceSchema {
    var ids = SeededShortIds(seed: 7)
    let json = #"""
        {"Name": {"title": {}}, "Notes": {"rich_text": {}}, "Estimate": {"number": {"format": "number"}},
         "Tags": {"multi_select": {"options": [{"name": "bug", "color": "red"}, {"name": "ui"}, {"name": "api"}]}},
         "Priority": {"select": {"options": [{"name": "High", "color": "red"}, {"name": "Low"}]}},
         "Status": {"status": {}}, "Due": {"date": {}}, "Assignee": {"people": {}}, "Done": {"checkbox": {}},
         "Link": {"url": {}}, "Contact": {"email": {}}, "Phone": {"phone_number": {}},
         "Blocked by": {"relation": {"data_source_id": "1c2b3a4d-0000-4000-8000-000000000001", "single_property": {}}},
         "Attachments": {"files": {}}, "Created": {"created_time": {}}, "Edited": {"last_edited_time": {}},
         "Creator": {"created_by": {}}, "Editor": {"last_edited_by": {}}, "Task ID": {"unique_id": {"prefix": "T"}}}
        """#
    let properties = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
    return try SchemaParser.create(properties, ids: &ids)
}
