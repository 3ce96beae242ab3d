import NIOCore
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

    @Test func aBodyIsReadFromItsBytesAndAPairThatIsNotUTF8IsDropped() {
        var body = ByteBuffer(string: "grant_type=authorization_code&code=nac_x&")
        body.writeBytes([UInt8(ascii: "b"), UInt8(ascii: "="), 0xFF, UInt8(ascii: "&"), 0xC3, UInt8(ascii: "=")])
        body.writeString("&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb")
        let fields = FormFields(body: body)
        #expect(fields["grant_type"] == "authorization_code")
        #expect(fields["code"] == "nac_x")
        #expect(fields["redirect_uri"] == "http://127.0.0.1/cb")
        #expect(fields.values.count == 3)
        #expect(FormFields(body: ByteBuffer()).values.isEmpty)
    }

    @Test func theFormMediaTypeIsMatchedInAnyCaseWithOrWithoutParameters() {
        #expect(FormFields.isMediaType("application/x-www-form-urlencoded"))
        #expect(FormFields.isMediaType("Application/X-WWW-Form-URLEncoded; charset=UTF-8"))
        #expect(FormFields.isMediaType("application/x-www-form-urlencoded ;charset=utf-8"))
        #expect(!FormFields.isMediaType("application/x-www-form-urlencodedx"))
        #expect(!FormFields.isMediaType("application/json"))
        #expect(!FormFields.isMediaType("application/x-www-form"))
        #expect(!FormFields.isMediaType(""))
        #expect(!FormFields.isMediaType(nil))
    }

    @Test func nextPathsStayOnThisServer() {
        #expect(AuthorizeController.safeNext("/v1/oauth/authorize?x=1") == "/v1/oauth/authorize?x=1")
        #expect(AuthorizeController.safeNext("//evil.example/") == "/console")
        #expect(AuthorizeController.safeNext("https://evil.example/") == "/console")
        #expect(AuthorizeController.safeNext("/\\evil.example") == "/console")
    }
}
