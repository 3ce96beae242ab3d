import GatehouseContent
import Testing

/// Query cursors: an offset and the first page's time, written as a version 4 UUID.
@Suite struct QueryCursorTests {
    @Test func aCursorReadsBackAsItWasWrittenInTheShapeOfAUUID() throws {
        for cursor in [
            QueryCursor(offset: 100, createdUpTo: 1_733_540_000_123),
            QueryCursor(offset: 0, createdUpTo: nil),
            QueryCursor(offset: 0xFFFF_FFFF_FFFF, createdUpTo: 0xFFFF_FFFF_FFFF),
        ] {
            let text = cursor.encoded
            #expect(text.count == 36)
            #expect(text.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
            #expect(text.dropFirst(14).prefix(1) == "4", "version 4")
            #expect(QueryCursor(text) == cursor)
            #expect(QueryCursor(String(text.filter { $0 != "-" }).uppercased()) == cursor)
        }
        #expect(
            QueryCursor(offset: 100, createdUpTo: 1_733_540_000_123).encoded == "01939f09-317b-4000-8000-000000000064"
        )
    }

    @Test func aCursorWrittenBeforeTheTimeWasKeptReadsEveryPage() {
        #expect(QueryCursor("00000000-0000-4000-8000-0000000000c8") == QueryCursor(offset: 200, createdUpTo: nil))
    }

    @Test func whatNoQueryGaveIsNoCursor() {
        for text in [
            "", "abc", "0193a0ea-d87b-4000-8000-00000000006", "0193a0ea-d87b-4000-9000-000000000064",
            "0193a0ea-d87b-5000-8000-000000000064", "0193a0ea-d87b-4000-8000-00000000006g",
            "6f1c2a1e-8c2b-4b1a-9d3e-2f4a5b6c7d8e",
        ] {
            #expect(QueryCursor(text) == nil, "\(text)")
        }
    }
}
