import Testing

@testable import GatehouseServer

@Suite struct FormFieldsTests {
    @Test func decodesPlusPercentAndRepeats() {
        let fields = FormFields(urlEncoded: "a=x+y&b=%2B%26%3D&r=1&r=2&empty=&=skip&bad=%zz")
        #expect(fields["a"] == "x y")
        #expect(fields["b"] == "+&=")
        #expect(fields["r"] == nil)
        #expect(fields.values["r"] == ["1", "2"])
        #expect(fields["empty"] == "")
        #expect(fields.values["bad"] == nil)
    }

    @Test func pairsSplitOnTheBytesAmpersandAndTheFirstEquals() {
        let fields = FormFields(urlEncoded: "&&k=a=b&flag&n=caf%C3%A9&raw=café&&")
        #expect(fields["k"] == "a=b")
        #expect(fields["flag"] == "")
        #expect(fields["n"] == "café")
        #expect(fields["raw"] == "café")
        #expect(fields.values.count == 4)
        // An `&` followed by a combining mark still separates pairs (WHATWG splits bytes).
        let combined = FormFields(urlEncoded: "a=1&\u{301}b=2")
        #expect(combined["a"] == "1")
        #expect(combined["\u{301}b"] == "2")
    }

    @Test func nextPathsStayOnThisServer() {
        #expect(AuthorizeController.safeNext("/v1/oauth/authorize?x=1") == "/v1/oauth/authorize?x=1")
        #expect(AuthorizeController.safeNext("//evil.example/") == "/console")
        #expect(AuthorizeController.safeNext("https://evil.example/") == "/console")
        #expect(AuthorizeController.safeNext("/\\evil.example") == "/console")
    }
}
