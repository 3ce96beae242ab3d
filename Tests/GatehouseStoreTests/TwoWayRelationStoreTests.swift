import Foundation
import GatehouseContent
import GatehouseCore
import SQLKit
import Testing

@testable import GatehouseStore

/// A page write mirrors its two-way relations' values onto the related pages, in its transaction.
@Suite struct TwoWayRelationStoreTests {
    /// Two data sources paired by `Project` (tasks) and `Tasks` (projects), stored as the server
    /// stores them once ``DualRelations`` has reconciled them.
    static func open(
        _ engine: StoreEngine
    ) async throws -> (SQLStore, tasks: DataSourceRecord, projects: DataSourceRecord) {
        let store = try await engine.open()
        let workspace = Fixtures.workspace()
        try await store.createWorkspace(workspace)
        let tasksDatabase = Fixtures.database(in: workspace)
        let projectsDatabase = Fixtures.database(in: workspace)
        let title = PropertyDefinition(id: "title", name: "Name", type: .title)
        var project = PropertyDefinition(id: "proj", name: "Project", type: .relation)
        project.relation = RelationConfig(
            dataSourceId: projectsDatabase.id,
            isDual: true,
            syncedPropertyId: "back",
            syncedPropertyName: "Tasks"
        )
        var back = PropertyDefinition(id: "back", name: "Tasks", type: .relation)
        back.relation = RelationConfig(
            dataSourceId: tasksDatabase.id,
            isDual: true,
            syncedPropertyId: "proj",
            syncedPropertyName: "Project"
        )
        try await store.createDatabase(tasksDatabase, schema: DataSourceSchema(properties: [title, project]))
        try await store.createDatabase(projectsDatabase, schema: DataSourceSchema(properties: [title, back]))
        return (
            store,
            try #require(try await store.dataSource(id: tasksDatabase.id)),
            try #require(try await store.dataSource(id: projectsDatabase.id))
        )
    }

    static func page(in dataSource: DataSourceRecord, _ values: [String: PropertyValue] = [:]) -> StoredPage {
        let record = PageRecord(
            id: Fixtures.id(),
            workspaceID: dataSource.workspaceID,
            title: "Page",
            parent: .database(dataSource.id),
            createdBy: "bot",
            lastEditedBy: "bot",
            createdAt: Fixtures.now,
            lastEditedAt: Fixtures.now
        )
        let metadata = PageMetadata(
            createdTime: Fixtures.now.epochMilliseconds,
            lastEditedTime: Fixtures.now.epochMilliseconds,
            createdBy: "bot",
            lastEditedBy: "bot",
            uniqueNumber: nil
        )
        return StoredPage(record: record, properties: PageProperties(values: values, metadata: metadata))
    }

    static func listed(_ page: StoredPage, _ property: String, in store: SQLStore) async throws -> Set<String> {
        let stored = try await store.storedPage(id: page.record.id, titleID: "title")
        guard case .relation(let ids)? = stored?.properties.values[property] else { return [] }
        return Set(ids)
    }

    @Test(arguments: StoreEngine.available)
    func aWriteListsThePageOnEveryPageItListsAndUnlistsItOnTheOnesItDropped(engine: StoreEngine) async throws {
        let (store, tasks, projects) = try await Self.open(engine)
        defer { Task { await store.shutdown() } }
        let launch = Self.page(in: projects)
        let review = Self.page(in: projects)
        for project in [launch, review] { try await store.writePage(project, create: true, dataSource: projects) }

        var task = Self.page(in: tasks, ["proj": .relation(pageIds: [launch.record.id, review.record.id])])
        try await store.writePage(task, create: true, dataSource: tasks)
        #expect(try await Self.listed(launch, "back", in: store) == [task.record.id])
        #expect(try await Self.listed(review, "back", in: store) == [task.record.id])

        task.properties.values["proj"] = .relation(pageIds: [review.record.id])
        try await store.writePage(task, create: false, dataSource: tasks)
        #expect(try await Self.listed(launch, "back", in: store) == [])
        #expect(try await Self.listed(review, "back", in: store) == [task.record.id])
        // The mirrored values are in the related pages' index rows too.
        for (project, keys) in [(launch, [String]()), (review, [task.record.id])] {
            let rows = try await store.read { database in
                try await database.raw(
                    "SELECT key FROM page_index WHERE property_id = 'back' AND page_id = \(bind: project.record.id)"
                ).all()
            }
            #expect(try rows.map { try $0.decode(column: "key", as: String.self) } == keys)
        }
    }

    /// Writes that each list the other's page, at once, many times: every link is kept on both
    /// sides and none fails (on PostgreSQL a deadlock would fail one of each crossed pair).
    @Test(arguments: StoreEngine.available)
    func crossedWritesAtOnceKeepEveryLinkOnBothSides(engine: StoreEngine) async throws {
        let (store, tasks, projects) = try await Self.open(engine)
        defer { Task { await store.shutdown() } }
        var pairs: [(task: StoredPage, project: StoredPage)] = []
        // Fewer writers than the pool has connections (16), so that none waits for one.
        for _ in 0..<6 {
            let pair = (Self.page(in: tasks), Self.page(in: projects))
            try await store.writePage(pair.0, create: true, dataSource: tasks)
            try await store.writePage(pair.1, create: true, dataSource: projects)
            pairs.append(pair)
        }
        let projectIDs = pairs.map(\.project.record.id)
        let taskIDs = pairs.map(\.task.record.id)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (task, project) in pairs {
                group.addTask {
                    var task = task
                    task.properties.values["proj"] = .relation(pageIds: projectIDs)
                    try await store.writePage(task, create: false, dataSource: tasks)
                }
                group.addTask {
                    var project = project
                    project.properties.values["back"] = .relation(pageIds: taskIDs)
                    try await store.writePage(project, create: false, dataSource: projects)
                }
            }
            try await group.waitForAll()
        }
        for (task, project) in pairs {
            #expect(try await Self.listed(task, "proj", in: store) == Set(projectIDs))
            #expect(try await Self.listed(project, "back", in: store) == Set(taskIDs))
        }
    }
}
