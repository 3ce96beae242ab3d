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
        Fixtures.storedPage(in: dataSource.workspaceID, under: .database(dataSource.id), values: values)
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

    /// Writes that each set one side of a link, at once, in both directions: afterwards every link
    /// is on both sides (a task lists a project iff the project lists the task) and none failed
    /// (on PostgreSQL, a deadlock would fail one of each crossed pair).
    @Test(arguments: StoreEngine.available)
    func crossedWritesAtOnceLeaveEveryLinkOnBothSides(engine: StoreEngine) async throws {
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
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, (task, project)) in pairs.enumerated() {
                // Task i lists project i; project i lists task i + 1: each write sets one property.
                let next = pairs[(index + 1) % pairs.count].task.record.id
                group.addTask {
                    var task = task
                    task.properties.values["proj"] = .relation(pageIds: [project.record.id])
                    try await store.writePage(
                        task,
                        create: false,
                        dataSource: tasks,
                        setting: PageUpdate(properties: ["proj"])
                    )
                }
                group.addTask {
                    var project = project
                    project.properties.values["back"] = .relation(pageIds: [next])
                    try await store.writePage(
                        project,
                        create: false,
                        dataSource: projects,
                        setting: PageUpdate(properties: ["back"])
                    )
                }
            }
            try await group.waitForAll()
        }
        var links = 0
        for (task, _) in pairs {
            for (_, project) in pairs {
                let taskLists = try await Self.listed(task, "proj", in: store).contains(project.record.id)
                let projectLists = try await Self.listed(project, "back", in: store).contains(task.record.id)
                #expect(taskLists == projectLists, "task \(task.record.id), project \(project.record.id)")
                if taskLists { links += 1 }
            }
        }
        // A write sets its property whole, so it may drop a link mirrored into it just before;
        // the last write's link stays.
        #expect(links >= 1)
    }

    /// A write that sets only its title, from a copy read before another page linked it, keeps the
    /// link: the values it does not set are those stored when it commits.
    @Test(arguments: StoreEngine.available)
    func aStaleWriteOfOtherPropertiesKeepsALinkMadeMeanwhile(engine: StoreEngine) async throws {
        let (store, tasks, projects) = try await Self.open(engine)
        defer { Task { await store.shutdown() } }
        var project = Self.page(in: projects)
        try await store.writePage(project, create: true, dataSource: projects)
        let task = Self.page(in: tasks, ["proj": .relation(pageIds: [project.record.id])])
        try await store.writePage(task, create: true, dataSource: tasks)
        // `project` is the copy read before the link.
        project.properties.values["title"] = .title(RichText([.text("Renamed")]))
        project.record.title = "Renamed"
        try await store.writePage(
            project,
            create: false,
            dataSource: projects,
            setting: PageUpdate(properties: ["title"])
        )
        #expect(try await Self.listed(project, "back", in: store) == [task.record.id])
        #expect(try await Self.listed(task, "proj", in: store) == [project.record.id])
        let stored = try await store.storedPage(id: project.record.id, titleID: "title")
        #expect(stored?.record.title == "Renamed")
        #expect(stored?.properties.values["title"]?.plainText == "Renamed")
    }

    /// A schema change of a related data source touches only its properties: its title and trash,
    /// changed meanwhile, stay.
    @Test(arguments: StoreEngine.available)
    func aSchemaChangeLeavesTheRestOfTheDataSourceAsStored(engine: StoreEngine) async throws {
        let (store, _, projects) = try await Self.open(engine)
        defer { Task { await store.shutdown() } }
        var renamed = projects
        renamed.name = "Renamed"
        renamed.inTrash = true
        try await store.updateDataSource(renamed, reindex: false)
        try await store.changeSchema(of: projects.id, by: "bot-b", at: Fixtures.now) { schema in
            var schema = schema
            schema.properties.removeAll { $0.id == "back" }
            return schema
        }
        let stored = try #require(try await store.dataSource(id: projects.id))
        #expect(stored.name == "Renamed")
        #expect(stored.inTrash)
        #expect(stored.schema.properties.map(\.id) == ["title"])
        #expect(stored.lastEditedBy == "bot-b")
    }

    /// A page that leaves a data source takes its links off the other side.
    @Test(arguments: StoreEngine.available)
    func aPageMovedOutOfTheDataSourceIsUnlistedOnTheOtherSide(engine: StoreEngine) async throws {
        let (store, tasks, projects) = try await Self.open(engine)
        defer { Task { await store.shutdown() } }
        let project = Self.page(in: projects)
        try await store.writePage(project, create: true, dataSource: projects)
        let task = Self.page(in: tasks, ["proj": .relation(pageIds: [project.record.id])])
        try await store.writePage(task, create: true, dataSource: tasks)
        #expect(try await Self.listed(project, "back", in: store) == [task.record.id])
        try await store.movePage(
            task.record.id,
            from: .database(tasks.id),
            to: .workspace,
            into: nil,
            by: "bot",
            at: Fixtures.now,
            reference: nil
        )
        #expect(try await Self.listed(project, "back", in: store) == [])
    }
}
