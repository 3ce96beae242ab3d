import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseTestSupport
import SQLKit
import Testing

@testable import GatehouseStore

/// Page writes in a data source against the schema stored when they commit: select options
/// created on first use by racing writes are all kept, and `unique_id` numbers are given once each.
@Suite struct PageWriteReconciliationTests {
    private static func open(
        _ engine: StoreEngine,
        tags: [SelectOption] = [],
        uniqueID: Bool
    ) async throws -> (
        SQLStore, DataSourceRecord
    ) {
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
        var tagProperty = PropertyDefinition(id: "tags", name: "Tags", type: .multiSelect)
        tagProperty.options = tags
        var properties = [PropertyDefinition(id: "title", name: "Name", type: .title), tagProperty]
        if uniqueID { properties.append(PropertyDefinition(id: "num", name: "ID", type: .uniqueId)) }
        try await store.createDatabase(database, schema: DataSourceSchema(properties: properties))
        return (store, try #require(try await store.dataSource(id: database.id)))
    }

    private static func page(
        in dataSource: DataSourceRecord,
        tags: [String] = [],
        number: Int? = nil,
        at offset: Int64 = 0
    )
        -> StoredPage
    {
        let created = Date(epochMilliseconds: Fixtures.now.epochMilliseconds + offset)
        let record = PageRecord(
            id: Fixtures.id(),
            workspaceID: dataSource.workspaceID,
            title: "Task",
            parent: .database(dataSource.id),
            createdBy: "bot",
            lastEditedBy: "bot",
            createdAt: created,
            lastEditedAt: created
        )
        let metadata = PageMetadata(
            createdTime: created.epochMilliseconds,
            lastEditedTime: created.epochMilliseconds,
            createdBy: "bot",
            lastEditedBy: "bot",
            uniqueNumber: number
        )
        return StoredPage(
            record: record,
            properties: PageProperties(values: ["tags": .multiSelect(optionIds: tags)], metadata: metadata)
        )
    }

    /// The `unique_id` numbers the store holds for `pages`, in their order.
    private static func numbers(of pages: [StoredPage], in store: SQLStore) async throws -> [Int?] {
        var numbers: [Int?] = []
        for page in pages {
            numbers.append(
                try await store.storedPage(id: page.record.id, titleID: "title")?.properties.metadata.uniqueNumber
            )
        }
        return numbers
    }

    /// `dataSource` as a write that created `options` would hand it to the store.
    private static func adding(_ options: [SelectOption], to dataSource: DataSourceRecord) -> DataSourceRecord {
        var written = dataSource
        written.schema.properties[1].options += options
        return written
    }

    @Test(arguments: StoreEngine.available)
    func writesThatRacedFromOneSchemaKeepEveryOptionTheyCreated(engine: StoreEngine) async throws {
        let (store, read) = try await Self.open(engine, tags: [SelectOption(id: "a", name: "alpha")], uniqueID: false)
        defer { Task { await store.shutdown() } }
        // Three writes validated against the same schema, each creating an option.
        let beta = Self.page(in: read, tags: ["a", "b1"])
        try await store.writePage(
            beta,
            create: true,
            dataSource: Self.adding([SelectOption(id: "b1", name: "beta")], to: read)
        )
        let gamma = Self.page(in: read, tags: ["g1"])
        try await store.writePage(
            gamma,
            create: true,
            dataSource: Self.adding([SelectOption(id: "g1", name: "gamma", color: "red")], to: read)
        )
        let betaAgain = Self.page(in: read, tags: ["b2"])
        let written = try await store.writePage(
            betaAgain,
            create: true,
            dataSource: Self.adding([SelectOption(id: "b2", name: "beta")], to: read)
        )

        let stored = try #require(try await store.dataSource(id: read.id))
        #expect(
            stored.schema.properties[1].options == [
                SelectOption(id: "a", name: "alpha"), SelectOption(id: "b1", name: "beta"),
                SelectOption(id: "g1", name: "gamma", color: "red"),
            ]
        )
        // The last write's "beta" is the one the first write created.
        #expect(written.page.properties.values["tags"] == .multiSelect(optionIds: ["b1"]))
        #expect(written.dataSource?.schema == stored.schema)
        let storedPage = try await store.storedPage(id: betaAgain.record.id, titleID: "title")
        #expect(storedPage?.properties.values["tags"] == .multiSelect(optionIds: ["b1"]))
        // The index agrees: a filter on "beta" finds both pages that chose it.
        let found = try await store.queryPages(
            dataSource: stored,
            plan: FilterPlan.compile(
                .condition(.property(id: "tags", type: .multiSelect), .hasAny(["b1"], negated: false))
            ),
            sorts: [],
            offset: 0,
            limit: 10
        )
        #expect(Set(found.map(\.record.id)) == [beta.record.id, betaAgain.record.id])
    }

    @Test(arguments: StoreEngine.available)
    func aDataSourceUpdateKeepsTheOptionsPagesAddedSinceItsRead(engine: StoreEngine) async throws {
        let (store, read) = try await Self.open(engine, tags: [SelectOption(id: "a", name: "alpha")], uniqueID: false)
        defer { Task { await store.shutdown() } }
        try await store.writePage(
            Self.page(in: read, tags: ["n"]),
            create: true,
            dataSource: Self.adding([SelectOption(id: "n", name: "new")], to: read)
        )
        var renamed = read
        renamed.name = "Renamed"
        try await store.updateDataSource(renamed, reindex: false)
        let stored = try #require(try await store.dataSource(id: read.id))
        #expect(stored.name == "Renamed")
        #expect(stored.schema.properties[1].options.map(\.name) == ["alpha", "new"])
    }

    @Test(arguments: StoreEngine.available)
    func newPagesTakeTheNextUniqueNumberOnceEachEvenWhenCreatedAtOnce(engine: StoreEngine) async throws {
        let (store, dataSource) = try await Self.open(engine, uniqueID: true)
        defer { Task { await store.shutdown() } }
        var numbers: [Int?] = []
        for offset in 0..<3 {
            numbers.append(
                try await store.writePage(
                    Self.page(in: dataSource, at: Int64(offset)),
                    create: true,
                    dataSource: dataSource
                )
                .page.properties.metadata.uniqueNumber
            )
        }
        #expect(numbers == [1, 2, 3])
        let concurrent = try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await store.writePage(Self.page(in: dataSource), create: true, dataSource: dataSource)
                        .page.properties.metadata.uniqueNumber
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(concurrent.compactMap { $0 }.sorted() == Array(4...15))
        // A page that brings its number (a fixture) moves the counter past it.
        try await store.writePage(Self.page(in: dataSource, number: 40), create: true, dataSource: dataSource)
        let next = try await store.writePage(Self.page(in: dataSource), create: true, dataSource: dataSource)
        #expect(next.page.properties.metadata.uniqueNumber == 41)
        let stored = try await store.storedPage(id: next.page.record.id, titleID: "title")
        #expect(stored?.properties.metadata.uniqueNumber == 41)
    }

    @Test(arguments: StoreEngine.available)
    func addingAUniqueIDPropertyNumbersThePagesInCreationOrder(engine: StoreEngine) async throws {
        let (store, dataSource) = try await Self.open(engine, uniqueID: false)
        defer { Task { await store.shutdown() } }
        let pages = [
            Self.page(in: dataSource, at: 2), Self.page(in: dataSource, at: 0), Self.page(in: dataSource, at: 1),
        ]
        for page in pages {
            let written = try await store.writePage(page, create: true, dataSource: dataSource)
            #expect(written.page.properties.metadata.uniqueNumber == nil)
        }
        var withNumbers = dataSource
        withNumbers.schema.properties.append(PropertyDefinition(id: "num", name: "ID", type: .uniqueId))
        try await store.updateDataSource(withNumbers, reindex: true)
        let numbers = try await Self.numbers(of: pages, in: store)
        #expect(numbers == [3, 1, 2])
        let next = try await store.writePage(Self.page(in: withNumbers), create: true, dataSource: withNumbers)
        #expect(next.page.properties.metadata.uniqueNumber == 4)
        // The sort keys were written after the numbers: sorting by the number reads them back in order.
        let sorted = try await store.queryPages(
            dataSource: withNumbers,
            plan: FilterPlan.compile(nil),
            sorts: [QuerySort(target: .property(id: "num", type: .uniqueId), ascending: false)],
            offset: 0,
            limit: 10
        )
        #expect(
            sorted.map(\.record.id) == [
                next.page.record.id, pages[0].record.id, pages[2].record.id, pages[1].record.id,
            ]
        )
    }

    @Test func migration22NumbersPagesAfterTheNumbersFixturesGave() async throws {
        let (other, numbered) = try await Self.open(.sqlite, uniqueID: true)
        defer { Task { await other.shutdown() } }
        let pages = [Self.page(in: numbered, at: 1), Self.page(in: numbered, at: 0), Self.page(in: numbered, at: 2)]
        for page in pages { try await other.writePage(page, create: true, dataSource: numbered) }
        let fixture = try await other.writePage(
            Self.page(in: numbered, number: 7, at: 3),
            create: true,
            dataSource: numbered
        )
        // The state before migration 22: no numbers but the fixture's, no counter.
        let migration = try #require(Migrations.all.first { $0.version == 22 })
        let statements = migration.statements(other.engine)
        try await other.transaction { database in
            try await database.raw("UPDATE pages SET unique_number = NULL WHERE id <> \(bind: fixture.page.record.id)")
                .run()
            try await database.raw("UPDATE data_sources SET unique_counter = 0").run()
            for statement in statements.dropFirst() { try await database.raw("\(unsafeRaw: statement)").run() }
        }
        let numbers = try await Self.numbers(of: pages, in: other)
        #expect(numbers == [9, 8, 10])
        let next = try await other.writePage(Self.page(in: numbered), create: true, dataSource: numbered)
        #expect(next.page.properties.metadata.uniqueNumber == 11)
    }

    @Test func migration24TrashesTheBlocksOfTrashedPagesAndClearsStaleHasChildren() async throws {
        let store = try await StoreEngine.sqlite.open()
        defer { Task { await store.shutdown() } }
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        func page(_ parent: PageParent) -> PageRecord {
            PageRecord(
                id: Fixtures.id(),
                workspaceID: workspace.id,
                title: "Page",
                parent: parent,
                createdBy: "bot",
                lastEditedBy: "bot",
                createdAt: Fixtures.now,
                lastEditedAt: Fixtures.now
            )
        }
        let parent = page(.workspace)
        var child = page(.page(parent.id))
        try await store.createPage(parent)
        try await store.createPage(child)
        let target = BlockAppendTarget(
            parent: .page(id: parent.id),
            pageID: parent.id,
            workspaceID: workspace.id,
            userID: "bot",
            time: Fixtures.now
        )
        try await store.appendChildReference(id: child.id, content: .childPage(title: "Page"), to: target)
        func block(
            _ id: String,
            under parent: BlockParent,
            position: Int64,
            hasChildren: Bool,
            inTrash: Bool
        )
            -> BlockRecord
        {
            BlockRecord(
                id: id,
                workspaceID: workspace.id,
                parent: parent,
                pageID: target.pageID,
                position: position,
                content: BlockContent(type: .paragraph),
                hasChildren: hasChildren,
                inTrash: inTrash,
                createdBy: "bot",
                lastEditedBy: "bot",
                createdAt: Fixtures.now,
                lastEditedAt: Fixtures.now
            )
        }
        // As an older store left them: a trashed page's block live, a block whose only child is
        // trashed still flagged as having children, and one with a live child.
        let (stale, kept) = (Fixtures.id(), Fixtures.id())
        try await store.insertBlocks([
            block(stale, under: .page(id: parent.id), position: 10, hasChildren: true, inTrash: false),
            block(Fixtures.id(), under: .block(id: stale), position: 1, hasChildren: false, inTrash: true),
            block(kept, under: .page(id: parent.id), position: 11, hasChildren: true, inTrash: false),
            block(Fixtures.id(), under: .block(id: kept), position: 1, hasChildren: false, inTrash: false),
        ])
        child.archived = true
        try await store.updatePage(child)
        let migration = try #require(Migrations.all.first { $0.version == 24 })
        let childID = child.id
        try await store.transaction { database in
            try await database.raw("UPDATE blocks SET in_trash = \(bind: false) WHERE id = \(bind: childID)").run()
            for statement in migration.statements(store.engine) {
                try await database.raw("\(unsafeRaw: statement)").run()
            }
        }
        #expect(try await store.block(id: child.id)?.inTrash == true)
        #expect(try await store.block(id: stale)?.hasChildren == false)
        #expect(try await store.block(id: kept)?.hasChildren == true)
        let listed = try await store.children(of: parent.id, startCursor: nil, pageSize: 10).blocks.map(\.id)
        #expect(listed == [stale, kept])
    }
}
