import Foundation
import Testing

@testable import GatehouseClient

@Suite struct JSONValueTests {
    @Test func anyJSONRoundTripsWithWholeNumbersWrittenWithoutAFraction() throws {
        let text = #"{"a":[1,2.5,-3,true,null,"x"],"b":{"c":{}},"d":12345678901}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value["a"]?[0]?.intValue == 1)
        #expect(value["a"]?[1]?.doubleValue == 2.5)
        #expect(value["a"]?[3]?.boolValue == true)
        #expect(value["a"]?[4]?.isNull == true)
        #expect(value["a"]?[5]?.stringValue == "x")
        #expect(value["b"]?["c"]?.objectValue?.isEmpty == true)
        #expect(value["missing"] == nil)
        #expect(value.description == text)
    }

    @Test func literalsBuildTheSameValueAsParsing() throws {
        let built: JSONValue = ["and": [["property": "Done", "checkbox": ["equals": false]], ["or": []]], "n": nil]
        let parsed = try JSONDecoder().decode(
            JSONValue.self,
            from: Data(#"{"n":null,"and":[{"checkbox":{"equals":false},"property":"Done"},{"or":[]}]}"#.utf8)
        )
        #expect(built == parsed)
    }
}
