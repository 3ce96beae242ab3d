import GatehouseContent
import GatehouseCore
import Testing

@Suite struct QueryRequestTests {
    @Test func aQueryBodyParsesItsFilterSortsPagingAndFilterProperties() throws {
        let parser = FilterParser(schema: try tasksSchema(), now: 0)
        let request = try QueryRequest.parse(
            body: propsJSON(
                #"{"filter": {"property": "Done", "checkbox": {"equals": true}}, "sorts": [{"timestamp": "created_time", "direction": "descending"}], "page_size": 10, "start_cursor": "abc"}"#
            ),
            filterProperties: ["Name"],
            parser: parser
        )
        #expect(request.pageSize == 10 && request.startCursor == "abc")
        #expect(request.sorts.count == 1 && request.filter != nil)
        #expect(request.filterProperties == ["title"])
        #expect(try QueryRequest.parse(body: nil, parser: parser).pageSize == 100)
        for body in [#"{"page_size": 101}"#, #"{"page_size": 0}"#, #"{"page_size": 2.5}"#, #"{"start_cursor": 3}"#] {
            #expect(throws: ContentValidationError.self) {
                try QueryRequest.parse(body: propsJSON(body), parser: parser)
            }
        }
        #expect(throws: ContentValidationError.self) {
            try QueryRequest.parse(body: nil, filterProperties: ["zz"], parser: parser)
        }
    }

    @Test func inTrashOrItsDeprecatedNameChoosesTheTrashAndResultTypeIsChecked() throws {
        let parser = FilterParser(schema: try tasksSchema(), now: 0)
        func parsed(_ body: String) throws -> QueryRequest {
            try QueryRequest.parse(body: propsJSON(body), parser: parser)
        }
        #expect(try parsed("{}").inTrash == false)
        #expect(try parsed(#"{"in_trash": true}"#).inTrash)
        #expect(try parsed(#"{"archived": true}"#).inTrash)
        #expect(try parsed(#"{"archived": true, "in_trash": false}"#).inTrash == false)
        #expect(try parsed(#"{"in_trash": null}"#).inTrash == false)
        // The deprecated name is read only when `in_trash` is not given.
        #expect(try parsed(#"{"in_trash": true, "archived": "ignored"}"#).inTrash)
        #expect(try parsed(#"{"in_trash": null, "archived": true}"#).inTrash)
        #expect(try parsed(#"{"result_type": "page"}"#).onlyDataSources == false)
        #expect(try parsed(#"{"result_type": "data_source"}"#).onlyDataSources)
        for body in [
            #"{"in_trash": "yes"}"#, #"{"archived": 1}"#, #"{"result_type": "block"}"#, #"{"result_type": 2}"#,
        ] {
            let error = #expect(throws: ContentValidationError.self) { try parsed(body) }
            #expect(error?.path.hasPrefix("body.") == true, "\(body)")
        }
    }
}
