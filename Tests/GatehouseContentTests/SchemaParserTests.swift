import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseTestSupport
import Testing

@Suite struct SchemaParserTests {
    @Test func createGivesTheTitleTheIdTitleAndShortIdsToOthers() throws {
        let schema = try tasksSchema()
        #expect(schema.properties.first?.name == "Name")
        #expect(schema.title?.id == "title")
        #expect(schema.properties.count == 20)
        let ids = schema.properties.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(schema.property(named: "Estimate")?.numberFormat == "number_with_commas")
        #expect(schema.property(named: "Tags")?.options.map(\.name) == ["bug", "ui", "api"])
        #expect(schema.property(named: "Tags")?.options[1].color == "default")
    }

    @Test func aNewStatusGetsNotStartedInProgressDoneInThreeGroups() throws {
        let status = try #require(try tasksSchema().property(named: "Status"))
        #expect(status.options.map(\.name) == ["Not started", "In progress", "Done"])
        #expect(status.groups.map(\.name) == ["To-do", "In progress", "Complete"])
        #expect(status.groups.map(\.optionIds) == status.options.map { [$0.id] })
    }

    @Test func exactlyOneTitleIsRequired() throws {
        var ids = SeededShortIds(seed: 1)
        let none = try propsJSON(#"{"Notes": {"rich_text": {}}}"#)
        #expect(throws: ContentValidationError.self) { try SchemaParser.create(none, ids: &ids) }
        let two = try propsJSON(#"{"A": {"title": {}}, "B": {"type": "title", "title": {}}}"#)
        let error = #expect(throws: ContentValidationError.self) { try SchemaParser.create(two, ids: &ids) }
        #expect(error?.message == "body.properties should have exactly one title property, instead had 2.")
    }

    @Test func aConfigurationWithoutATypeOrWithABadColorNamesThePath() throws {
        var ids = SeededShortIds(seed: 1)
        let untyped = try propsJSON(#"{"Name": {"title": {}}, "X": {"name": "X"}}"#)
        let error = #expect(throws: ContentValidationError.self) { try SchemaParser.create(untyped, ids: &ids) }
        #expect(error?.path == "body.properties.X")
        let colored = try propsJSON(
            #"{"Name": {"title": {}}, "S": {"select": {"options": [{"name": "a", "color": "teal"}]}}}"#
        )
        let colorError = #expect(throws: ContentValidationError.self) { try SchemaParser.create(colored, ids: &ids) }
        #expect(colorError?.path == "body.properties.S.select.options[0].color")
        let comma = try propsJSON(#"{"Name": {"title": {}}, "S": {"select": {"options": [{"name": "a,b"}]}}}"#)
        #expect(throws: ContentValidationError.self) { try SchemaParser.create(comma, ids: &ids) }
    }

    @Test func relationsKeepTheirTargetAndDualSide() throws {
        var ids = SeededShortIds(seed: 1)
        let schema = try SchemaParser.create(
            propsJSON(
                """
                {"Name": {"title": {}}, "Projects": {"relation": {"data_source_id": "ds-1", "type": "dual_property",
                 "dual_property": {"synced_property_name": "Tasks"}}}, "Old": {"relation": {"database_id": "db-1"}}}
                """
            ),
            ids: &ids
        )
        let projects = try #require(schema.property(named: "Projects")?.relation)
        #expect(projects.dataSourceId == "ds-1" && projects.isDual && projects.syncedPropertyName == "Tasks")
        #expect(schema.property(named: "Old")?.relation?.databaseId == "db-1")
        #expect(schema.property(named: "Old")?.relation?.isDual == false)
    }

    @Test func updateRenamesRemovesAddsAndChangesTypes() throws {
        var ids = SeededShortIds(seed: 2)
        let schema = try tasksSchema()
        let estimateId = try #require(schema.property(named: "Estimate")?.id)
        let updated = try SchemaParser.update(
            schema,
            with: propsJSON(
                """
                {"\(estimateId)": {"name": "Points"}, "Notes": null, "Effort": {"select": {}},
                 "Phone": {"rich_text": {}}, "Missing": null}
                """
            ),
            ids: &ids
        )
        #expect(updated.property(named: "Points")?.id == estimateId)
        #expect(updated.property(named: "Notes") == nil)
        #expect(updated.property(named: "Effort")?.type == .select)
        #expect(updated.property(named: "Phone")?.type == .richText)
        #expect(updated.properties.count == schema.properties.count)
    }

    @Test func updateMergesOptionsAndNewStatusOptionsJoinToDo() throws {
        var ids = SeededShortIds(seed: 3)
        let schema = try tasksSchema()
        let updated = try SchemaParser.update(
            schema,
            with: propsJSON(
                """
                {"Tags": {"multi_select": {"options": [{"name": "bug", "color": "green"}, {"name": "docs"}]}},
                 "Status": {"status": {"options": [{"name": "Blocked", "color": "red"}]}}}
                """
            ),
            ids: &ids
        )
        let tags = try #require(updated.property(named: "Tags"))
        #expect(tags.options.map(\.name) == ["bug", "ui", "api", "docs"])
        #expect(tags.options[0].color == "green")
        let status = try #require(updated.property(named: "Status"))
        let blocked = try #require(status.option(named: "Blocked"))
        #expect(status.groups[0].optionIds.contains(blocked.id))
        #expect(status.options.count == 4)
    }

    @Test func theTitleCannotBeRemovedOrRetyped() throws {
        var ids = SeededShortIds(seed: 4)
        let schema = try tasksSchema()
        #expect(throws: ContentValidationError.self) { try SchemaParser.update(schema, with: ["Name": nil], ids: &ids) }
        #expect(throws: ContentValidationError.self) {
            try SchemaParser.update(schema, with: propsJSON(#"{"title": {"rich_text": {}}}"#), ids: &ids)
        }
        #expect(throws: ContentValidationError.self) {
            try SchemaParser.update(schema, with: propsJSON(#"{"Other": {"title": {}}}"#), ids: &ids)
        }
        #expect(throws: ContentValidationError.self) {
            try SchemaParser.update(schema, with: propsJSON(#"{"Notes": {"name": "Tags"}}"#), ids: &ids)
        }
    }

    @Test func theSchemaRoundTripsThroughJSONText() throws {
        let schema = try tasksSchema()
        let text = try JSONEncoder().encode(schema)
        #expect(try JSONDecoder().decode(DataSourceSchema.self, from: text) == schema)
    }

    @Test func randomInputNeverCrashesTheParser() {
        var random = SeededGenerator(seed: 11)
        var ids = SeededShortIds(seed: 5)
        for _ in 0..<2000 {
            let input = randomJSON(&random)
            _ = try? SchemaParser.create(input, ids: &ids)
            _ = try? SchemaParser.update(DataSourceSchema(), with: input, ids: &ids)
        }
        #expect(ids.nextShortId().count >= 4)
    }
}
