import GatehouseContent
import GatehouseCore
import Testing

/// What a page keeps of its values when it moves to another parent.
@Suite struct PageMoveRuleTests {
    static func schema(_ properties: [PropertyDefinition]) -> DataSourceSchema {
        DataSourceSchema(properties: properties)
    }

    static func select(_ id: String, _ name: String, options: [(String, String)]) -> PropertyDefinition {
        var property = PropertyDefinition(id: id, name: name, type: .select)
        property.options = options.map { SelectOption(id: $0.0, name: $0.1, color: "default") }
        return property
    }

    @Test func theTitleAlwaysMovesAndOtherValuesOnlyToANamesakeOfTheSameType() {
        let old = Self.schema([
            PropertyDefinition(id: "title", name: "Name", type: .title),
            PropertyDefinition(id: "n1", name: "Estimate", type: .number),
            PropertyDefinition(id: "t1", name: "Notes", type: .richText),
            Self.select("s1", "Priority", options: [("o1", "High"), ("o2", "Low")]),
            PropertyDefinition(id: "c1", name: "Done", type: .checkbox),
        ])
        let new = Self.schema([
            PropertyDefinition(id: "tt", name: "Task", type: .title),
            PropertyDefinition(id: "n2", name: "Estimate", type: .number),
            PropertyDefinition(id: "t2", name: "Notes", type: .number),
            Self.select("s2", "Priority", options: [("p2", "Low")]),
        ])
        let title = RichText([.text("Write")])
        let values: [String: PropertyValue] = [
            "title": .title(title), "n1": .number(3), "t1": .richText(RichText([.text("n")])),
            "s1": .select(optionId: "o2"), "c1": .checkbox(true),
        ]
        #expect(
            PageMove.values(values, from: old, to: new) == [
                "tt": .title(title), "n2": .number(3), "s2": .select(optionId: "p2"),
            ]
        )
        // An option the new schema lacks is dropped, not created.
        let high = PageMove.values(["s1": .select(optionId: "o1")], from: old, to: new)
        #expect(high == ["s2": .select(optionId: nil)])
        // Under a page: the title only.
        #expect(
            PageMove.values(values, from: old, to: PropertyValueParser.pageParentSchema) == ["title": .title(title)]
        )
    }
}
