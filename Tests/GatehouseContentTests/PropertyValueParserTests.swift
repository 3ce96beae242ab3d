import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseTestSupport
import Testing

@Suite struct PropertyValueParserTests {
    func write(_ text: String, seed: UInt64 = 1) throws -> PropertyWrite {
        var ids = SeededShortIds(seed: seed)
        return try PropertyValueParser(schema: tasksSchema()).parse(propsJSON(text), ids: &ids)
    }

    @Test func aCreatePageBodyAsTheClientsSendItIsStoredByPropertyId() throws {
        let schema = try tasksSchema()
        let result = try write(
            """
            {
              "Name": {"title": [{"text": {"content": "Fix login"}}]},
              "Estimate": {"number": 3},
              "Done": {"checkbox": true},
              "Priority": {"select": {"name": "High"}},
              "Status": {"status": {"name": "In progress"}},
              "Due": {"date": {"start": "2024-05-15", "end": null}},
              "Assignee": {"people": [{"object": "user", "id": "u-1"}]},
              "Blocked by": {"relation": [{"id": "p-1"}, {"id": "p-1"}]},
              "Link": {"url": "https://example.com"},
              "Attachments": {"files": [{"name": "spec", "external": {"url": "https://example.com/spec.pdf"}}]}
            }
            """
        )
        let priority = try #require(schema.property(named: "Priority"))
        #expect(result.values["title"]?.plainText == "Fix login")
        #expect(result.values[priority.id] == .select(optionId: priority.option(named: "High")?.id))
        #expect(result.referencedUserIds == ["u-1"])
        #expect(result.referencedPageIds == ["p-1"])
        #expect(!result.schemaChanged)
        let relation = try #require(schema.property(named: "Blocked by"))
        #expect(result.values[relation.id] == .relation(pageIds: ["p-1"]))
    }

    @Test func unknownSelectNamesCreateOptionsButUnknownStatusesAreRefused() throws {
        let result = try write(#"{"Tags": {"multi_select": [{"name": "bug"}, {"name": "perf", "color": "pink"}]}}"#)
        #expect(result.schemaChanged)
        let tags = try #require(result.schema.property(named: "Tags"))
        #expect(tags.option(named: "perf")?.color == "pink")
        #expect(result.values[tags.id] == .multiSelect(optionIds: [tags.options[0].id, tags.options[3].id]))
        let error = #expect(throws: ContentValidationError.self) {
            try write(#"{"Status": {"status": {"name": "Later"}}}"#)
        }
        #expect(error?.path == "body.properties.Status.status.name")
    }

    @Test func valuesOfTheWrongShapeNameThePropertyAndWhatWasExpected() throws {
        let cases: [(String, String, String?)] = [
            (#"{"Estimate": {"rich_text": []}}"#, "body.properties.Estimate", "Estimate is expected to be number."),
            (#"{"Estimate": {"number": "3"}}"#, "body.properties.Estimate.number", nil),
            (#"{"Done": {"checkbox": null}}"#, "body.properties.Done.checkbox", nil),
            (#"{"Due": {"date": {"start": "soon"}}}"#, "body.properties.Due.date.start", nil),
            (#"{"Nope": {"number": 1}}"#, "body.properties.Nope", nil),
            (#"{"Score": {"formula": {}}}"#, "body.properties.Score", nil),
            (#"{"Priority": {"select": {"id": "zzzz"}}}"#, "body.properties.Priority.select.id", nil),
            (#"{"Priority": {"select": {"name": "a,b"}}}"#, "body.properties.Priority.select.name", nil),
            (#"{"Name": {"title": [{"text": {}}]}}"#, "body.properties.Name.title[0].text.content", nil),
        ]
        for (text, path, message) in cases {
            let error = #expect(throws: ContentValidationError.self) { try write(text) }
            #expect(error?.path == path, "\(text)")
            if let message { #expect(error?.message == message) }
        }
    }

    @Test func limitsFromTheRequestLimitsPageAreEnforced() throws {
        let longURL = String(repeating: "a", count: PropertyValueLimits.urlLength + 1)
        let urlError = #expect(throws: ContentValidationError.self) { try write(#"{"Link": {"url": "\#(longURL)"}}"#) }
        #expect(urlError?.message == "body.properties.Link.url.length should be ≤ `2000`, instead was `2001`.")
        let people = (0...PropertyValueLimits.people).map { #"{"id": "u\#($0)"}"# }.joined(separator: ",")
        #expect(throws: ContentValidationError.self) { try write(#"{"Assignee": {"people": [\#(people)]}}"#) }
        let email = String(repeating: "e", count: PropertyValueLimits.emailLength + 1)
        #expect(throws: ContentValidationError.self) { try write(#"{"Contact": {"email": "\#(email)"}}"#) }
    }

    @Test func underAPageParentOnlyTheTitleExists() throws {
        var ids = SeededShortIds(seed: 1)
        let parser = PropertyValueParser(schema: PropertyValueParser.pageParentSchema)
        let result = try parser.parse(propsJSON(#"{"title": {"title": [{"text": {"content": "Notes"}}]}}"#), ids: &ids)
        #expect(result.values["title"]?.plainText == "Notes")
        #expect(throws: ContentValidationError.self) {
            try parser.parse(propsJSON(#"{"Tags": {"multi_select": []}}"#), ids: &ids)
        }
    }

    @Test func anUpdateKeepsTheValuesItDoesNotName() throws {
        var ids = SeededShortIds(seed: 1)
        let schema = try tasksSchema()
        let estimate = try #require(schema.property(named: "Estimate"))
        let result = try PropertyValueParser(schema: schema).parse(
            propsJSON(#"{"Done": {"checkbox": true}}"#),
            existing: [estimate.id: .number(8)],
            ids: &ids
        )
        #expect(result.values[estimate.id] == .number(8))
        #expect(result.values.count == 2)
    }

    @Test func storedValuesRoundTripThroughJSONText() throws {
        let values = try write(
            #"{"Name": {"title": [{"text": {"content": "A"}}]}, "Due": {"date": {"start": "2024-05-15"}}}"#
        ).values
        let text = try JSONEncoder().encode(values)
        #expect(try JSONDecoder().decode([String: PropertyValue].self, from: text) == values)
    }

    @Test func randomInputNeverCrashesTheValueParser() throws {
        let parser = PropertyValueParser(schema: try tasksSchema())
        var random = SeededGenerator(seed: 5)
        var ids = SeededShortIds(seed: 1)
        var accepted = 0
        for _ in 0..<2000 {
            let value = randomJSON(&random)
            let name = ["Name", "Tags", "Due", "Done", "Estimate", "Priority"].randomElement(using: &random) ?? "Name"
            if (try? parser.parse(.object([(name, value)]), ids: &ids)) != nil { accepted += 1 }
        }
        #expect(accepted < 2000)
    }
}
