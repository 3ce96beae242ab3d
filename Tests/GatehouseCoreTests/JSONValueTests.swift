import Foundation
import Testing

@testable import GatehouseCore

@Suite struct JSONValueTests {
    @Test func serializationIsValidJSONInOrderAndRoundTrips() throws {
        let value: JSONValue = [
            "z": "quote \" backslash \\ newline \n tab \t bell \u{07} é 🎉", "a": 1, "n": nil, "t": true,
            "f": .number(1.5), "list": [1, "x", [:], []],
        ]
        let data = value.serialized()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix(#"{"z":"#))
        #expect(text.contains(#""a":1,"n":null,"t":true,"f":1.5,"list":[1,"x",{},[]]"#))
        #expect(text.contains(#"\u0007"#))
        let parsed = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(parsed["z"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07} é 🎉")
        #expect(try JSONValue.parse(data)["list"] == [1, "x", [:], []])
    }

    @Test func objectsAreEqualWhateverTheOrderOfTheirMembers() throws {
        let written: JSONValue = ["type": "external", "name": "a.pdf", "external": ["url": "https://x.test"]]
        let reordered: JSONValue = ["external": ["url": "https://x.test"], "name": "a.pdf", "type": "external"]
        #expect(written == reordered)
        #expect(written != ["type": "external", "name": "b.pdf", "external": ["url": "https://x.test"]])
        #expect(written != ["type": "external", "name": "a.pdf"])
        let parsed = try JSONValue.parse(written.serialized())
        #expect(parsed == written)
        guard case .object(let members) = parsed else { throw JSONValueError.notAnObject }
        #expect(members.map(\.0) == ["external", "name", "type"])
    }

    enum JSONValueError: Error { case notAnObject }
}
