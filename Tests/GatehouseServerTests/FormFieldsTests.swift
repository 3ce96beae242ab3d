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

    @Test func nextPathsStayOnThisServer() {
        #expect(AuthorizeController.safeNext("/v1/oauth/authorize?x=1") == "/v1/oauth/authorize?x=1")
        #expect(AuthorizeController.safeNext("//evil.example/") == "/console")
        #expect(AuthorizeController.safeNext("https://evil.example/") == "/console")
        #expect(AuthorizeController.safeNext("/\\evil.example") == "/console")
    }
}
