import GatehouseContent
import Testing

/// ``SchemaReconciliation``: a write's new options added to the schema stored when it commits.
@Suite struct SchemaReconciliationTests {
    private static func schema(_ tags: [SelectOption], priority: [SelectOption] = []) -> DataSourceSchema {
        var tagProperty = PropertyDefinition(id: "tags", name: "Tags", type: .multiSelect)
        tagProperty.options = tags
        var priorityProperty = PropertyDefinition(id: "prio", name: "Priority", type: .select)
        priorityProperty.options = priority
        return DataSourceSchema(properties: [
            PropertyDefinition(id: "title", name: "Name", type: .title), tagProperty, priorityProperty,
        ])
    }

    @Test func anOptionARacingWriteAddedIsKeptAndTheNewOneAdded() {
        let written = Self.schema([
            SelectOption(id: "a", name: "alpha"), SelectOption(id: "b", name: "beta", color: "red"),
        ])
        let stored = Self.schema([SelectOption(id: "a", name: "alpha"), SelectOption(id: "g", name: "gamma")])
        let reconciled = SchemaReconciliation(
            values: ["tags": .multiSelect(optionIds: ["a", "b"])],
            writtenWith: written,
            stored: stored
        )
        #expect(
            reconciled.addedTo?.properties[1].options == [
                SelectOption(id: "a", name: "alpha"), SelectOption(id: "g", name: "gamma"),
                SelectOption(id: "b", name: "beta", color: "red"),
            ]
        )
        #expect(reconciled.values["tags"] == .multiSelect(optionIds: ["a", "b"]))
    }

    @Test func anOptionOfTheSameNameAddedMeanwhileLendsItsID() {
        let written = Self.schema([], priority: [SelectOption(id: "mine", name: "High")])
        let stored = Self.schema([], priority: [SelectOption(id: "theirs", name: "High", color: "red")])
        let reconciled = SchemaReconciliation(
            values: ["prio": .select(optionId: "mine"), "title": .title(RichText([.text("x")]))],
            writtenWith: written,
            stored: stored
        )
        #expect(reconciled.addedTo == nil)
        #expect(reconciled.values["prio"] == .select(optionId: "theirs"))
        #expect(reconciled.values["title"] == .title(RichText([.text("x")])))
    }

    @Test func twoNewOptionsThatBecomeOneAreNamedOnce() {
        let written = Self.schema([SelectOption(id: "x", name: "same"), SelectOption(id: "y", name: "other")])
        let stored = Self.schema([SelectOption(id: "z", name: "same"), SelectOption(id: "y", name: "other")])
        let reconciled = SchemaReconciliation(
            values: ["tags": .multiSelect(optionIds: ["x", "y"])],
            writtenWith: written,
            stored: stored
        )
        #expect(reconciled.addedTo == nil)
        #expect(reconciled.values["tags"] == .multiSelect(optionIds: ["z", "y"]))
    }

    @Test func optionsTheStoredSchemaHasOrThePageDoesNotNameChangeNothing() {
        let written = Self.schema([SelectOption(id: "a", name: "alpha"), SelectOption(id: "old", name: "removed")])
        let stored = Self.schema([SelectOption(id: "a", name: "alpha")])
        let reconciled = SchemaReconciliation(
            values: ["tags": .multiSelect(optionIds: ["a"]), "prio": .select(optionId: nil)],
            writtenWith: written,
            stored: stored
        )
        // The option removed from the stored schema meanwhile is not brought back: no page names it.
        #expect(reconciled.addedTo == nil)
        #expect(reconciled.values["tags"] == .multiSelect(optionIds: ["a"]))
        #expect(reconciled.values["prio"] == .select(optionId: nil))
    }

    @Test func aPropertyRemovedOrRetypedMeanwhileIsLeftAlone() {
        let written = Self.schema([SelectOption(id: "b", name: "beta")])
        var stored = Self.schema([])
        stored.properties[1].type = .richText
        let reconciled = SchemaReconciliation(
            values: ["tags": .multiSelect(optionIds: ["b"])],
            writtenWith: written,
            stored: stored
        )
        #expect(reconciled.addedTo == nil)
        #expect(reconciled.values["tags"] == .multiSelect(optionIds: ["b"]))
    }

    @Test func anUpdateKeepsTheOptionsPageWritesAddedSinceItsRead() {
        var update = Self.schema([SelectOption(id: "a", name: "alpha", color: "red")])
        update.properties[0].name = "Title"
        let stored = Self.schema(
            [SelectOption(id: "a", name: "alpha"), SelectOption(id: "n", name: "new")],
            priority: [SelectOption(id: "h", name: "High")]
        )
        let kept = update.keepingOptions(addedIn: stored)
        #expect(kept.properties[0].name == "Title")
        #expect(
            kept.properties[1].options == [
                SelectOption(id: "a", name: "alpha", color: "red"), SelectOption(id: "n", name: "new"),
            ]
        )
        #expect(kept.properties[2].options == [SelectOption(id: "h", name: "High")])
        var retyped = update
        retyped.properties[1].type = .richText
        #expect(retyped.keepingOptions(addedIn: stored).properties[1].options == update.properties[1].options)
    }
}
