import GatehouseContent
import GatehouseCore
import Testing

@Suite struct ContentValidationErrorTests {
    @Test func aWrongValueNamesThePathWhatWasExpectedAndWhatCame() {
        let error = ContentValidationError.expected("a string", at: "body.parent.page_id", got: .number(3))
        #expect(error.message == "body.parent.page_id should be a string, instead was `3`.")
        #expect(
            ContentValidationError.expected("defined", at: "body.parent", got: nil).message.hasSuffix("`undefined`.")
        )
    }
}
