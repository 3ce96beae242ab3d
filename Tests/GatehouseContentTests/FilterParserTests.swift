import GatehouseContent
import GatehouseCore
import GatehouseTestSupport
import Testing

@Suite struct FilterParserTests {
    /// 2024-05-15T12:00:00Z, a Wednesday.
    static let now: Int64 = 1_715_774_400_000

    func parser() throws -> FilterParser {
        FilterParser(schema: try tasksSchema(), now: Self.now, currentUserId: "bot-1")
    }

    @Test func aPropertyFilterResolvesTheNameToTheIdAndTheConditionToAnOperator() throws {
        let parser = try parser()
        let filter = try parser.parse(propsJSON(#"{"property": "Notes", "rich_text": {"contains": "Urgent"}}"#))
        let notes = try #require(parser.schema.property(named: "Notes"))
        #expect(filter == .condition(.property(id: notes.id, type: .richText), .text(.contains, "Urgent")))
        let byId = try parser.parse(propsJSON(#"{"property": "\#(notes.id)", "rich_text": {"is_empty": true}}"#))
        #expect(byId == .condition(.property(id: notes.id, type: .richText), .isEmpty(true)))
    }

    @Test func selectNamesBecomeOptionIdsAndUnknownNamesMatchNothing() throws {
        let parser = try parser()
        let priority = try #require(parser.schema.property(named: "Priority"))
        let high = try #require(priority.option(named: "High"))
        let filter = try parser.parse(propsJSON(#"{"property": "Priority", "select": {"equals": ["High", "Nope"]}}"#))
        #expect(filter == .condition(.property(id: priority.id, type: .select), .hasAny([high.id], negated: false)))
        let tags = try parser.parse(propsJSON(#"{"property": "Tags", "multi_select": {"does_not_contain": "bug"}}"#))
        guard case .condition(_, .hasAny(let ids, let negated))? = tags else {
            Issue.record("not a key condition")
            return
        }
        #expect(ids.count == 1 && negated)
    }

    @Test func peopleMeIsTheCurrentUser() throws {
        let filter = try parser().parse(propsJSON(#"{"property": "Assignee", "people": {"contains": "me"}}"#))
        guard case .condition(_, .hasAny(let ids, _))? = filter else {
            Issue.record("not a key condition")
            return
        }
        #expect(ids == ["bot-1"])
    }

    @Test func datesResolveToUTCIntervalsAndRelativeOnesAgainstNow() throws {
        let parser = try parser()
        let day = ISODate.millisecondsPerDay
        let may15 = ISODate.days(year: 2024, month: 5, day: 15) * day
        let equals = try parser.parse(propsJSON(#"{"property": "Due", "date": {"equals": "2024-05-15"}}"#))
        guard case .condition(_, .date(let interval))? = equals else {
            Issue.record("not a date")
            return
        }
        #expect(interval == DateInterval(lower: may15, upper: may15 + day))
        let after = try parser.parse(propsJSON(#"{"timestamp": "created_time", "created_time": {"after": "today"}}"#))
        #expect(after == .condition(.createdTime, .date(DateInterval(lower: may15 + day, upper: nil))))
        let week = try parser.parse(propsJSON(#"{"property": "Due", "date": {"this_week": {}}}"#))
        guard case .condition(_, .date(let thisWeek))? = week else {
            Issue.record("not a date")
            return
        }
        #expect(thisWeek == DateInterval(lower: may15 - 3 * day, upper: may15 + 4 * day))
        let instant = try parser.parse(
            propsJSON(#"{"property": "Due", "date": {"before": "2024-05-15T10:00:00+02:00"}}"#)
        )
        #expect(
            instant
                == .condition(
                    try #require(equalsTarget(equals)),
                    .date(DateInterval(lower: nil, upper: may15 + 8 * 3_600_000))
                )
        )
    }

    func equalsTarget(_ filter: QueryFilter?) -> FilterTarget? {
        if case .condition(let target, _)? = filter { return target }
        return nil
    }

    @Test func compoundFiltersNestTwoLevelsAndNoDeeper() throws {
        let parser = try parser()
        let two = try propsJSON(
            """
            {"and": [{"property": "Done", "checkbox": {"equals": true}},
                     {"or": [{"property": "Estimate", "number": {"greater_than": 3}},
                             {"property": "Task ID", "unique_id": {"less_than": 10}}]}]}
            """
        )
        guard case .and(let parts)? = try parser.parse(two) else {
            Issue.record("not an and")
            return
        }
        #expect(parts.count == 2)
        let three = try propsJSON(#"{"or": [{"and": [{"or": []}]}]}"#)
        let error = #expect(throws: ContentValidationError.self) { try parser.parse(three) }
        #expect(error?.path == "body.filter.or[0].and[0].or")
    }

    @Test func errorsNameThePathAndWhatWasExpected() throws {
        let parser = try parser()
        let cases: [(String, String)] = [
            (#"{"property": "Nope", "title": {"equals": "x"}}"#, "body.filter.property"),
            (#"{"property": "Status", "select": {"equals": "Done"}}"#, "body.filter.select"),
            (#"{"property": "Estimate", "number": {"equals": "3"}}"#, "body.filter.number.equals"),
            (#"{"property": "Done", "checkbox": {"equals": 1}}"#, "body.filter.checkbox.equals"),
            (#"{"property": "Due", "date": {"equals": "15/05/2024"}}"#, "body.filter.date.equals"),
            (#"{"property": "Notes", "rich_text": {"is_empty": false}}"#, "body.filter.rich_text.is_empty"),
            (#"{"property": "Notes", "rich_text": {"contains": "a", "equals": "b"}}"#, "body.filter.rich_text"),
            (#"{"timestamp": "edited", "edited": {}}"#, "body.filter.timestamp"),
            (#"{"and": {}}"#, "body.filter.and"),
            (#"[]"#, "body.filter"),
        ]
        for (text, path) in cases {
            let error = #expect(throws: ContentValidationError.self) { try parser.parse(propsJSON(text)) }
            #expect(error?.path == path, "\(text)")
        }
        let wrongType = #expect(throws: ContentValidationError.self) {
            try parser.parse(propsJSON(#"{"property": "Status", "select": {"equals": "Done"}}"#))
        }
        #expect(wrongType?.message == "database property status does not match filter select")
    }

    @Test func formulaAndRollupConditionsParseByResultType() throws {
        let parser = try parser()
        let formula = try parser.parse(propsJSON(#"{"property": "Score", "formula": {"number": {"equals": 4}}}"#))
        #expect(equalsTarget(formula) != nil)
        var ids = SeededShortIds(seed: 9)
        let schema = try SchemaParser.update(
            parser.schema,
            with: propsJSON(
                #"{"Count": {"rollup": {"function": "count", "relation_property_name": "Blocked by", "rollup_property_name": "Name"}}}"#
            ),
            ids: &ids
        )
        let rollupParser = FilterParser(schema: schema, now: Self.now)
        let rollup = try rollupParser.parse(
            propsJSON(#"{"property": "Count", "rollup": {"any": {"rich_text": {"contains": "x"}}}}"#)
        )
        guard case .condition(_, .rollup(.any?, .text(.contains, "x")))? = rollup else {
            Issue.record("not a rollup")
            return
        }
    }

    @Test func sortsParsePropertiesAndTimestamps() throws {
        let schema = try tasksSchema()
        let sorts = try QuerySort.parse(
            propsJSON(
                #"[{"property": "Due", "direction": "ascending"}, {"timestamp": "last_edited_time", "direction": "descending"}]"#
            ),
            schema: schema
        )
        #expect(sorts.map(\.ascending) == [true, false])
        #expect(sorts.last?.target == .lastEditedTime)
        #expect(throws: ContentValidationError.self) {
            try QuerySort.parse(propsJSON(#"[{"property": "Due", "direction": "up"}]"#), schema: schema)
        }
        #expect(throws: ContentValidationError.self) {
            try QuerySort.parse(propsJSON(#"[{"property": "Nope", "direction": "ascending"}]"#), schema: schema)
        }
    }

    @Test func randomInputNeverCrashesTheFilterOrSortParser() throws {
        let parser = try parser()
        var random = SeededGenerator(seed: 99)
        var parsed = 0
        for _ in 0..<3000 {
            let input = randomJSON(&random)
            if (try? parser.parse(input)) != nil { parsed += 1 }
            _ = try? QuerySort.parse(input, schema: parser.schema)
        }
        #expect(parsed < 3000)
    }

    @Test func versionsBefore20220222AlsoAcceptTheTextAndPhoneKeys() throws {
        let schema = try tasksSchema()
        let legacy = FilterParser(schema: schema, now: 0, version: NotionVersion("2021-08-16"))
        let filter = try legacy.parse(propsJSON(#"{"property": "Phone", "phone": {"starts_with": "+33"}}"#))
        guard case .condition(_, .text(.startsWith, "+33"))? = filter else {
            Issue.record("not a text condition")
            return
        }
        #expect(try legacy.parse(propsJSON(#"{"property": "Notes", "text": {"is_empty": true}}"#)) != nil)
        let current = FilterParser(schema: schema, now: 0, version: NotionVersion("2025-09-03"))
        #expect(throws: ContentValidationError.self) {
            try current.parse(propsJSON(#"{"property": "Notes", "text": {"is_empty": true}}"#))
        }
    }
}
