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
}
