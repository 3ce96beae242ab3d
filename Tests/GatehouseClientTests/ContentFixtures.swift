import Foundation

// Responses written from the API reference's examples (developers.notion.com/reference: the data
// source, database, page, block, comment and property item objects), at the two shapes the SDK
// must read: 2025-09-03 (data sources) and 2022-06-28 (databases with properties).

enum Fixture {
    static let databaseID = "bc1211ca-e3f1-4939-ae34-5260b16f627c"
    static let dataSourceID = "248104cd-477e-80af-bc30-000bd28de8f9"
    static let pageID = "59833787-2cf9-4fdf-8782-e53db20768a5"
    static let blockID = "c02fc1d3-db8b-45c5-a222-27595b15aea7"
    static let commentID = "94cc56ab-9f02-409d-9f99-1037e9fe502f"
    static let discussionID = "f1407351-36f5-4c49-a13c-49f8ba11776d"
    static let userID = "6794760a-1f15-45cd-9c65-0dfe42f5135a"

    static let user = #"{"object":"user","id":"\#(userID)"}"#

    static func richText(_ text: String) -> String {
        #"""
        {"type":"text","text":{"content":"\#(text)","link":null},"annotations":{"bold":false,"italic":false,
         "strikethrough":false,"underline":false,"code":false,"color":"default"},"plain_text":"\#(text)","href":null}
        """#
    }

    static let taskSchema = #"""
        {"Name":{"id":"title","name":"Name","type":"title","title":{}},
         "Status":{"id":"%3AUPp","name":"Status","type":"status","status":{"options":[
           {"id":"d1b7b0b4","name":"Not started","color":"default"},{"id":"5c5c","name":"Done","color":"green"}],"groups":[]}},
         "Due":{"id":"M%3BBw","name":"Due","type":"date","date":{}},
         "Tags":{"id":"Q%5Cgz","name":"Tags","type":"multi_select","multi_select":{"options":[
           {"id":"9e1a","name":"sdk","color":"blue"}]}}}
        """#

    /// `GET /v1/databases/{id}` at 2025-09-03: a container listing its data sources.
    static let database2025 = #"""
        {"object":"database","id":"\#(databaseID)","title":[\#(richText("Tasks"))],"description":[],
         "parent":{"type":"page_id","page_id":"\#(pageID)"},"is_inline":false,"in_trash":false,"is_locked":false,
         "created_time":"2026-11-30T10:00:00.000Z","last_edited_time":"2026-12-01T08:30:00.000Z",
         "data_sources":[{"id":"\#(dataSourceID)","name":"Tasks"}],"icon":{"type":"emoji","emoji":"✅"},"cover":null,
         "url":"https://www.notion.so/bc1211cae3f14939ae345260b16f627c","public_url":null,"request_id":"r-db"}
        """#

    /// The same database at 2022-06-28: the schema on the database, no data sources.
    static let database2022 = #"""
        {"object":"database","id":"\#(databaseID)","title":[\#(richText("Tasks"))],"description":[],
         "parent":{"type":"page_id","page_id":"\#(pageID)"},"is_inline":false,"archived":false,
         "created_time":"2026-11-30T10:00:00.000Z","last_edited_time":"2026-12-01T08:30:00.000Z",
         "created_by":\#(user),"last_edited_by":\#(user),"properties":\#(taskSchema),"icon":null,"cover":null,
         "url":"https://www.notion.so/bc1211cae3f14939ae345260b16f627c","public_url":null}
        """#

    static let dataSource = #"""
        {"object":"data_source","id":"\#(dataSourceID)","title":[\#(richText("Tasks"))],"description":[],
         "parent":{"type":"database_id","database_id":"\#(databaseID)"},
         "database_parent":{"type":"page_id","page_id":"\#(pageID)"},"is_inline":false,"archived":false,"in_trash":false,
         "created_time":"2026-11-30T10:00:00.000Z","last_edited_time":"2026-12-01T08:30:00.000Z",
         "created_by":\#(user),"last_edited_by":\#(user),"properties":\#(taskSchema),"icon":null,"cover":null,
         "url":"https://www.notion.so/248104cd477e80afbc30000bd28de8f9","public_url":null,"request_id":"r-ds"}
        """#

    static let rowProperties = #"""
        {"Name":{"id":"title","type":"title","title":[\#(richText("Ship the SDK"))]},
         "Status":{"id":"%3AUPp","type":"status","status":{"id":"5c5c","name":"Done","color":"green"}},
         "Due":{"id":"M%3BBw","type":"date","date":{"start":"2026-12-05","end":null,"time_zone":null}},
         "Tags":{"id":"Q%5Cgz","type":"multi_select","multi_select":[{"id":"9e1a","name":"sdk","color":"blue"}]}}
        """#

    static func row(parent: String, trashed: Bool = false) -> String {
        #"""
        {"object":"page","id":"\#(pageID)","created_time":"2026-12-01T09:00:00.000Z",
         "last_edited_time":"2026-12-01T09:05:00.000Z","created_by":\#(user),"last_edited_by":\#(user),
         "cover":null,"icon":null,"parent":\#(parent),"archived":\#(trashed),"in_trash":\#(trashed),
         "properties":\#(rowProperties),"url":"https://www.notion.so/Ship-the-SDK-598337872cf94fdf8782e53db20768a5",
         "public_url":null}
        """#
    }

    /// A row at 2025-09-03: its parent is the data source, naming the database too.
    static let row2025 = row(
        parent: #"{"type":"data_source_id","data_source_id":"\#(dataSourceID)","database_id":"\#(databaseID)"}"#
    )
    /// The same row at 2022-06-28.
    static let row2022 = row(parent: #"{"type":"database_id","database_id":"\#(databaseID)"}"#)

    static func list(_ items: [String], type: String, next: String? = nil) -> String {
        let cursor = next.map { "\"\($0)\"" } ?? "null"
        return #"""
            {"object":"list","results":[\#(items.joined(separator: ","))],"next_cursor":\#(cursor),
             "has_more":\#(next != nil),"type":"\#(type)","\#(type)":{},"request_id":"r-list"}
            """#
    }

    static func paragraph(id: String = blockID, text: String = "Lacinato kale", hasChildren: Bool = false) -> String {
        #"""
        {"object":"block","id":"\#(id)","parent":{"type":"page_id","page_id":"\#(pageID)"},
         "created_time":"2026-12-01T09:10:00.000Z","last_edited_time":"2026-12-01T09:10:00.000Z",
         "created_by":\#(user),"last_edited_by":\#(user),"has_children":\#(hasChildren),"archived":false,"in_trash":false,
         "type":"paragraph","paragraph":{"rich_text":[\#(richText(text))],"color":"default"}}
        """#
    }

    static let comment = #"""
        {"object":"comment","id":"\#(commentID)","parent":{"type":"page_id","page_id":"\#(pageID)"},
         "discussion_id":"\#(discussionID)","created_time":"2026-12-01T10:00:00.000Z",
         "last_edited_time":"2026-12-01T10:00:00.000Z","created_by":{"object":"user","id":"\#(userID)"},
         "rich_text":[\#(richText("Looks good"))],
         "display_name":{"type":"integration","resolved_name":"Demo integration"},"request_id":"r-c"}
        """#
}
