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

    @Test func parsingTellsBooleansFromNumbersAndRefusesWhatIsNotJSON() throws {
        let parsed = try JSONValue.parse(
            Data(#"{"t":true,"f":false,"one":1,"zero":0,"big":12345678901,"half":-0.5,"s":"1","n":null,"e":[]}"#.utf8)
        )
        #expect(parsed["t"] == .bool(true) && parsed["f"] == .bool(false))
        #expect(parsed["one"] == .number(1) && parsed["zero"] == .number(0))
        #expect(parsed["big"] == .number(12_345_678_901) && parsed["half"] == .number(-0.5))
        #expect(parsed["s"] == .string("1") && parsed["n"] == .null && parsed["e"] == .array([]))
        #expect(try JSONValue.parse(Data("[true, 1, \"x\"]".utf8)) == [true, 1, "x"])
        #expect(try JSONValue.parse(Data("7".utf8)) == 7)
        #expect(try JSONValue.parse(Data(#"{"a":"1,]","b":["\\",",}"]}"#.utf8))["b"] == ["\\", ",}"])
        for bad in ["{", "{\"a\":}", "[1,]", "{\"a\":1 , }", "tru", "{\"a\" 1}", "1e999"] {
            #expect(throws: (any Error).self, "\(bad)") { try JSONValue.parse(Data(bad.utf8)) }
        }
    }

    enum JSONValueError: Error { case notAnObject }
}
