import Foundation
import GatehouseContent
import GatehouseCore
import Testing

/// Two-way relations: the synced property on the other side, and mirrored values.
@Suite struct DualRelationsTests {
    static let source = "11111111-1111-4111-8111-111111111111"
    static let other = "22222222-2222-4222-8222-222222222222"
    static let pageA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
    static let pageB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"

    static func relation(
        _ id: String,
        _ name: String,
        to target: String,
        dual: Bool = true,
        syncedName: String? = nil
    ) -> PropertyDefinition {
        var property = PropertyDefinition(id: id, name: name, type: .relation)
        property.relation = RelationConfig(dataSourceId: target, isDual: dual, syncedPropertyName: syncedName)
        return property
    }

    static let title = PropertyDefinition(id: "title", name: "Name", type: .title)

    /// Reconciles `updated` (the source's schema) from `previous` with `others`; the schemas after.
    static func reconcile(
        previous: DataSourceSchema,
        updated: DataSourceSchema,
        others: [String: DataSourceSchema] = [other: DataSourceSchema(properties: [title])]
    ) -> [String: DataSourceSchema] {
        var schemas = others
        schemas[source] = updated
        var ids = SeededShortIds(seed: 7)
        DualRelations.reconcile(
            source: source,
            sourceDatabase: "db",
            sourceName: "Tasks",
            previous: previous,
            schemas: &schemas,
            ids: &ids
        )
        return schemas
    }

    @Test func aNewPairGetsASyncedPropertyOnTheOtherSideNamedAsNotionNamesIt() throws {
        let schemas = Self.reconcile(
            previous: DataSourceSchema(properties: [Self.title]),
            updated: DataSourceSchema(properties: [Self.title, Self.relation("proj", "Project", to: Self.other)])
        )
        let synced = try #require(schemas[Self.other]?.properties.last)
        #expect(synced.name == "Related to Tasks (Project)")
        #expect(synced.type == .relation)
        #expect(synced.relation?.dataSourceId == Self.source)
        #expect(synced.relation?.databaseId == "db")
        #expect(synced.relation?.isDual == true)
        #expect(synced.relation?.syncedPropertyId == "proj")
        #expect(synced.relation?.syncedPropertyName == "Project")
        let relation = try #require(schemas[Self.source]?.properties.last?.relation)
        #expect(relation.syncedPropertyId == synced.id)
        #expect(relation.syncedPropertyName == synced.name)

        // A one-way relation touches nothing; a name asked for is used, made unique.
        let single = Self.reconcile(
            previous: DataSourceSchema(properties: [Self.title]),
            updated: DataSourceSchema(properties: [Self.title, Self.relation("p", "P", to: Self.other, dual: false)])
        )
        #expect(single[Self.other] == DataSourceSchema(properties: [Self.title]))
        let named = Self.reconcile(
            previous: DataSourceSchema(),
            updated: DataSourceSchema(properties: [Self.relation("p", "P", to: Self.other, syncedName: "Name")])
        )
        #expect(named[Self.other]?.properties.map(\.name) == ["Name", "Name 2"])
    }

    @Test func aRenameReachesTheOtherSideAndARemovalTakesTheSyncedPropertyAway() throws {
        let created = Self.reconcile(
            previous: DataSourceSchema(properties: [Self.title]),
            updated: DataSourceSchema(properties: [Self.title, Self.relation("proj", "Project", to: Self.other)])
        )
        let paired = try #require(created[Self.source])
        let others = [Self.other: try #require(created[Self.other])]
        let syncedID = try #require(paired.properties.last?.relation?.syncedPropertyId)

        // Renamed, and restated without the synced ids (as a PATCH that sends the relation again does).
        var renamed = paired
        renamed.properties[1] = Self.relation("proj", "Projects", to: Self.other)
        let afterRename = Self.reconcile(previous: paired, updated: renamed, others: others)
        #expect(afterRename[Self.other]?.properties.count == 2)
        #expect(afterRename[Self.other]?.properties.last?.relation?.syncedPropertyName == "Projects")
        #expect(afterRename[Self.source]?.properties.last?.relation?.syncedPropertyId == syncedID)

        for ended in [
            DataSourceSchema(properties: [Self.title]),
            DataSourceSchema(properties: [Self.title, Self.relation("proj", "Project", to: Self.other, dual: false)]),
            DataSourceSchema(properties: [Self.title, Self.relation("proj", "Project", to: Self.source)]),
        ] {
            let after = Self.reconcile(previous: paired, updated: ended, others: others)
            #expect(after[Self.other]?.properties.map(\.id) == ["title"], "\(ended)")
        }
    }

    @Test func aRelationToItsOwnDataSourceKeepsBothSidesInOneSchema() throws {
        let created = Self.reconcile(
            previous: DataSourceSchema(properties: [Self.title]),
            updated: DataSourceSchema(properties: [Self.title, Self.relation("par", "Parent", to: Self.source)]),
            others: [:]
        )
        let schema = try #require(created[Self.source])
        #expect(schema.properties.map(\.name) == ["Name", "Parent", "Related to Tasks (Parent)"])
        let synced = schema.properties[2]
        #expect(schema.properties[1].relation?.syncedPropertyId == synced.id)
        #expect(synced.relation?.syncedPropertyId == "par")

        // Updated again unchanged: still one pair. Removing one side removes the other.
        #expect(Self.reconcile(previous: schema, updated: schema, others: [:])[Self.source] == schema)
        let removed = DataSourceSchema(properties: [Self.title, synced])
        #expect(
            Self.reconcile(previous: schema, updated: removed, others: [:])[Self.source]?.properties.map(\.id) == [
                "title"
            ]
        )
    }

    @Test func aPagesValuesMirrorOnTheOtherSideOnce() {
        var property = Self.relation("proj", "Project", to: Self.other)
        property.relation?.syncedPropertyId = "back"
        let schema = DataSourceSchema(properties: [Self.title, property])
        let mirrors = DualRelations.mirrors(
            in: schema,
            from: ["proj": .relation(pageIds: [Self.pageA])],
            to: ["proj": .relation(pageIds: [Self.pageB.replacingOccurrences(of: "-", with: "")])]
        )
        #expect(
            mirrors == [
                DualRelations.Mirror(
                    dataSource: Self.other,
                    syncedProperty: "back",
                    linked: [Self.pageB],
                    unlinked: [Self.pageA]
                )
            ]
        )
        #expect(DualRelations.mirrors(in: schema, from: [:], to: [:]).isEmpty)
        // A pair not yet synced (no synced id) mirrors nothing.
        let unsynced = DataSourceSchema(properties: [Self.relation("proj", "Project", to: Self.other)])
        #expect(DualRelations.mirrors(in: unsynced, from: [:], to: ["proj": .relation(pageIds: [Self.pageA])]).isEmpty)

        let page = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
        let linked = DualRelations.mirrored([:], property: "back", page: page, linked: true)
        #expect(linked == ["back": .relation(pageIds: [page])])
        #expect(DualRelations.mirrored(linked!, property: "back", page: page, linked: true) == nil)
        #expect(
            DualRelations.mirrored(linked!, property: "back", page: page, linked: false) == [
                "back": .relation(pageIds: [])
            ]
        )
        #expect(DualRelations.mirrored([:], property: "back", page: page, linked: false) == nil)
    }
}

/// A relation restated in an update without its kind keeps the one it has.
@Suite struct RelationRestatementTests {
    @Test func aTwoWayRelationRestatedWithoutItsKindStaysTwoWay() throws {
        var pair = PropertyDefinition(id: "proj", name: "Project", type: .relation)
        pair.relation = RelationConfig(
            dataSourceId: DualRelationsTests.other,
            isDual: true,
            syncedPropertyId: "back",
            syncedPropertyName: "Tasks"
        )
        let schema = DataSourceSchema(properties: [DualRelationsTests.title, pair])
        var ids = SeededShortIds(seed: 1)
        let restated = try SchemaParser.update(
            schema,
            with: ["Project": ["relation": ["data_source_id": .string(DualRelationsTests.other)]]],
            ids: &ids
        )
        #expect(restated.properties[1].relation == pair.relation)
        let madeOneWay = try SchemaParser.update(
            schema,
            with: [
                "Project": ["relation": ["data_source_id": .string(DualRelationsTests.other), "single_property": [:]]]
            ],
            ids: &ids
        )
        #expect(madeOneWay.properties[1].relation?.isDual == false)
    }
}
