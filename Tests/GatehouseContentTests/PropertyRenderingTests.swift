import GatehouseContent
import GatehouseCore
import Testing

@Suite struct PropertyRenderingTests {
    let metadata = PageMetadata(
        createdTime: 1_715_774_400_000,
        lastEditedTime: 1_715_774_460_000,
        createdBy: "u-1",
        lastEditedBy: "u-2",
        uniqueNumber: 7
    )

    @Test func theSchemaRendersRelationsByVersionAndDescriptionsSince20250903() throws {
        let schema = try tasksSchema()
        let current = SchemaRenderer.render(schema, version: try #require(NotionVersion("2025-09-03")))
        let relation = try #require(current["Blocked by"]?["relation"])
        #expect(relation["data_source_id"] == "1c2b3a4d-0000-4000-8000-000000000001")
        #expect(relation["type"] == "single_property")
        #expect(current["Name"]?["description"] == .null)
        let old = SchemaRenderer.render(schema, version: try #require(NotionVersion("2022-06-28")))
        #expect(old["Blocked by"]?["relation"]?["data_source_id"] == nil)
        #expect(old["Name"]?["description"] == nil)
        #expect(old["Status"]?["status"]?["groups"] == current["Status"]?["status"]?["groups"])
        #expect(current["Name"]?["id"] == "title")
    }

    @Test func valuesRenderWithComputedOnesFromTheMetadata() throws {
        let schema = try tasksSchema()
        var ids = SeededShortIds(seed: 1)
        let write = try PropertyValueParser(schema: schema).parse(
            propsJSON(
                #"{"Name": {"title": [{"text": {"content": "Fix"}}]}, "Priority": {"select": {"name": "Low"}}, "Assignee": {"people": [{"id": "u-9"}]}}"#
            ),
            ids: &ids
        )
        let renderer = PropertyValueRenderer(
            schema: write.schema,
            resolver: UnresolvedMentions(),
            version: try #require(NotionVersion("2025-09-03"))
        )
        let properties = renderer.render(write.values, metadata: metadata)
        #expect(properties["Name"]?["title"]?.arrayCount == 1)
        #expect(properties["Priority"]?["select"]?["name"] == "Low")
        #expect(properties["Assignee"]?["people"] == [["object": "user", "id": "u-9"]])
        #expect(properties["Created"]?["created_time"] == "2024-05-15T12:00:00.000Z")
        #expect(properties["Task ID"]?["unique_id"] == ["prefix": "TASK", "number": 7])
        #expect(properties["Done"]?["checkbox"] == false)
        #expect(properties["Estimate"]?["number"] == .null)
        #expect(properties["Blocked by"]?["has_more"] == false)
        #expect(properties["Score"]?["formula"] == ["type": "string", "string": nil])
    }

    @Test func listPropertyItemsPageWithCursorsAndOthersAnswerOneItem() throws {
        let schema = try tasksSchema()
        let people = try #require(schema.property(named: "Assignee"))
        let value: JSONValue = [
            "id": .string(people.id), "type": "people", "people": [["id": "a"], ["id": "b"], ["id": "c"]],
        ]
        let first = try PropertyItemPager.respond(
            property: people,
            renderedValue: value,
            pageSize: 2,
            startCursor: nil,
            baseURL: "http://h/v1/pages/p/properties/x"
        )
        #expect(first["object"] == "list")
        #expect(first["results"]?.arrayCount == 2)
        #expect(first["next_cursor"] == "2")
        #expect(first["property_item"]?["next_url"] == "http://h/v1/pages/p/properties/x?start_cursor=2")
        let second = try PropertyItemPager.respond(
            property: people,
            renderedValue: value,
            pageSize: 2,
            startCursor: "2",
            baseURL: "u"
        )
        #expect(second["has_more"] == false && second["results"]?.arrayCount == 1)
        #expect(throws: ContentValidationError.self) {
            try PropertyItemPager.respond(
                property: people,
                renderedValue: value,
                pageSize: 101,
                startCursor: nil,
                baseURL: "u"
            )
        }
        #expect(throws: ContentValidationError.self) {
            try PropertyItemPager.respond(
                property: people,
                renderedValue: value,
                pageSize: nil,
                startCursor: "x",
                baseURL: "u"
            )
        }
        let done = try #require(schema.property(named: "Done"))
        let single = try PropertyItemPager.respond(
            property: done,
            renderedValue: ["checkbox": true],
            pageSize: nil,
            startCursor: nil,
            baseURL: "u"
        )
        #expect(single == ["object": "property_item", "id": .string(done.id), "type": "checkbox", "checkbox": true])
    }
}

extension JSONValue {
    fileprivate var arrayCount: Int? {
        if case .array(let items) = self { return items.count }
        return nil
    }
}
