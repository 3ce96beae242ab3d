import Foundation
import GatehouseCore
import HTTPTypes
import MCP

/// The tools the MCP endpoint offers: each is one or a few calls of the `/v1` API (in version
/// ``LoopbackAPI/version``) made with the caller's own token, so an agent can do exactly what
/// the same integration could do over REST, no more. Arguments are the API's own JSON (a page's
/// `properties`, a filter, blocks); the result is the API's JSON answer, as text and as
/// structured content; an API error is a tool result with `isError`, its text the error object.
struct MCPTools: Sendable {
    let api: LoopbackAPI
    /// The caller's `Authorization` value, which every call carries.
    let authorization: String
    let context: GatehouseRequestContext

    /// A tool's description and how it runs.
    struct Definition: Sendable {
        let tool: Tool
        let run: @Sendable (MCPTools, Arguments) async throws -> LoopbackAPI.Answer
    }

    /// The catalogue, in the order `tools/list` gives it.
    static let catalogue: [Definition] = [
        Definition(
            tool: tool(
                "notion-search",
                "Search the pages and data sources shared with this integration by title. Arguments as POST /v1/search: query, filter ({\"property\": \"object\", \"value\": \"page\" | \"data_source\"}), sort, page_size, start_cursor.",
                readOnly: true,
                properties:
                    #"{"query": {"type": "string"}, "filter": {"type": "object"}, "sort": {"type": "object"}, "page_size": {"type": "integer", "minimum": 1, "maximum": 100}, "start_cursor": {"type": "string"}}"#
            ),
            run: { tools, arguments in
                await tools.request(.post, "/v1/search", body: arguments.body())
            }
        ),
        Definition(
            tool: tool(
                "notion-fetch",
                "Fetch a page with its first 100 blocks, or a data source, a database or a block, by id (a UUID, dashed or not). Answers {\"object\": …} as the API does; a page comes with \"children\".",
                readOnly: true,
                properties:
                    #"{"id": {"type": "string", "description": "The page, data source, database or block id."}}"#,
                required: ["id"]
            ),
            run: { tools, arguments in try await tools.fetch(arguments.id("id")) }
        ),
        Definition(
            tool: tool(
                "notion-query-data-source",
                "Query a data source's pages. Arguments as POST /v1/data_sources/{id}/query: data_source_id, filter, sorts, page_size, start_cursor, filter_properties.",
                readOnly: true,
                properties:
                    #"{"data_source_id": {"type": "string"}, "filter": {"type": "object"}, "sorts": {"type": "array", "items": {"type": "object"}}, "page_size": {"type": "integer", "minimum": 1, "maximum": 100}, "start_cursor": {"type": "string"}}"#,
                required: ["data_source_id"]
            ),
            run: call(.post, id: "data_source_id") { "/v1/data_sources/\($0)/query" }
        ),
        Definition(
            tool: tool(
                "notion-create-page",
                "Create a page. Arguments as POST /v1/pages: parent ({\"page_id\": …} or {\"data_source_id\": …}), properties (a title at least), children (blocks), icon, cover.",
                properties:
                    #"{"parent": {"type": "object"}, "properties": {"type": "object"}, "children": {"type": "array", "items": {"type": "object"}}, "icon": {"type": "object"}, "cover": {"type": "object"}}"#,
                required: ["parent"]
            ),
            run: { tools, arguments in await tools.request(.post, "/v1/pages", body: arguments.body()) }
        ),
        Definition(
            tool: tool(
                "notion-update-page",
                "Update a page's properties, icon or cover, or move it to or from the trash (in_trash). Arguments as PATCH /v1/pages/{id}, with page_id.",
                properties:
                    #"{"page_id": {"type": "string"}, "properties": {"type": "object"}, "in_trash": {"type": "boolean"}, "icon": {"type": "object"}, "cover": {"type": "object"}}"#,
                required: ["page_id"]
            ),
            run: call(.patch, id: "page_id") { "/v1/pages/\($0)" }
        ),
        Definition(
            tool: tool(
                "notion-move-page",
                "Move a page under another page or into a data source. Arguments as POST /v1/pages/{id}/move: page_id, parent ({\"page_id\": …} or {\"data_source_id\": …}).",
                properties: #"{"page_id": {"type": "string"}, "parent": {"type": "object"}}"#,
                required: ["page_id", "parent"]
            ),
            run: call(.post, id: "page_id") { "/v1/pages/\($0)/move" }
        ),
        Definition(
            tool: tool(
                "notion-create-database",
                "Create a database with its first data source. Arguments as POST /v1/databases: parent ({\"page_id\": …}), title (rich text), initial_data_source ({\"properties\": {name: schema}}), icon, cover, is_inline.",
                properties:
                    #"{"parent": {"type": "object"}, "title": {"type": "array", "items": {"type": "object"}}, "initial_data_source": {"type": "object"}, "icon": {"type": "object"}, "cover": {"type": "object"}, "is_inline": {"type": "boolean"}}"#,
                required: ["parent"]
            ),
            run: { tools, arguments in await tools.request(.post, "/v1/databases", body: arguments.body()) }
        ),
        Definition(
            tool: tool(
                "notion-update-data-source",
                "Rename a data source or change its properties (add one with its schema, rename one with {\"name\": …}, remove one with null). Arguments as PATCH /v1/data_sources/{id}: data_source_id, title, properties, in_trash.",
                properties:
                    #"{"data_source_id": {"type": "string"}, "title": {"type": "array", "items": {"type": "object"}}, "properties": {"type": "object"}, "in_trash": {"type": "boolean"}}"#,
                required: ["data_source_id"]
            ),
            run: call(.patch, id: "data_source_id") { "/v1/data_sources/\($0)" }
        ),
        Definition(
            tool: tool(
                "notion-append-blocks",
                "Append blocks to a page or block. Arguments as PATCH /v1/blocks/{id}/children: block_id, children (at most 100 blocks), position.",
                properties:
                    #"{"block_id": {"type": "string"}, "children": {"type": "array", "items": {"type": "object"}}, "position": {"type": "object"}}"#,
                required: ["block_id", "children"]
            ),
            run: call(.patch, id: "block_id") { "/v1/blocks/\($0)/children" }
        ),
        Definition(
            tool: tool(
                "notion-get-block-children",
                "List the blocks inside a page or block, 100 at most per call (follow next_cursor with start_cursor).",
                readOnly: true,
                properties:
                    #"{"block_id": {"type": "string"}, "page_size": {"type": "integer", "minimum": 1, "maximum": 100}, "start_cursor": {"type": "string"}}"#,
                required: ["block_id"]
            ),
            run: { tools, arguments in
                let id = try arguments.id("block_id")
                return await tools.request(
                    .get,
                    "/v1/blocks/\(id)/children" + arguments.query("page_size", "start_cursor")
                )
            }
        ),
        Definition(
            tool: tool(
                "notion-update-block",
                "Update a block's content (arguments as PATCH /v1/blocks/{id}: block_id and the block's type object), or move it to or from the trash (in_trash).",
                properties: #"{"block_id": {"type": "string"}, "in_trash": {"type": "boolean"}}"#,
                required: ["block_id"],
                openProperties: true
            ),
            run: call(.patch, id: "block_id") { "/v1/blocks/\($0)" }
        ),
        Definition(
            tool: tool(
                "notion-delete-block",
                "Move a block (or a page, by its id) to the trash.",
                destructive: true,
                properties: #"{"block_id": {"type": "string"}}"#,
                required: ["block_id"]
            ),
            run: { tools, arguments in await tools.request(.delete, "/v1/blocks/\(try arguments.id("block_id"))") }
        ),
        Definition(
            tool: tool(
                "notion-create-comment",
                "Comment on a page ({\"parent\": {\"page_id\": …}}) or reply in a discussion (discussion_id). Arguments as POST /v1/comments: rich_text (a list of rich text objects).",
                properties:
                    #"{"parent": {"type": "object"}, "discussion_id": {"type": "string"}, "rich_text": {"type": "array", "items": {"type": "object"}}}"#,
                required: ["rich_text"]
            ),
            run: { tools, arguments in await tools.request(.post, "/v1/comments", body: arguments.body()) }
        ),
        Definition(
            tool: tool(
                "notion-get-comments",
                "List the open comments on a page or block.",
                readOnly: true,
                properties:
                    #"{"block_id": {"type": "string"}, "page_size": {"type": "integer", "minimum": 1, "maximum": 100}, "start_cursor": {"type": "string"}}"#,
                required: ["block_id"]
            ),
            run: { tools, arguments in
                let id = try arguments.id("block_id")
                return await tools.request(
                    .get,
                    "/v1/comments?block_id=\(id)" + arguments.query("page_size", "start_cursor", joiner: "&")
                )
            }
        ),
        Definition(
            tool: tool(
                "notion-get-users",
                "List the people and bots of the workspace (needs a user information capability).",
                readOnly: true,
                properties:
                    #"{"page_size": {"type": "integer", "minimum": 1, "maximum": 100}, "start_cursor": {"type": "string"}}"#
            ),
            run: { tools, arguments in
                await tools.request(.get, "/v1/users" + arguments.query("page_size", "start_cursor"))
            }
        ),
        Definition(
            tool: tool(
                "notion-get-self",
                "This integration's bot user, with its owner and workspace.",
                readOnly: true,
                properties: "{}"
            ),
            run: { tools, _ in await tools.request(.get, "/v1/users/me") }
        ),
    ]

    /// A tool that is one call: the id argument `name` goes into `path`, the other arguments
    /// are the body.
    private static func call(
        _ method: HTTPTypes.HTTPRequest.Method,
        id name: String,
        path: @escaping @Sendable (String) -> String
    ) -> @Sendable (MCPTools, Arguments) async throws -> LoopbackAPI.Answer {
        { tools, arguments in
            let id = try arguments.id(name)
            return await tools.request(method, path(id), body: arguments.body(without: name))
        }
    }

    static let byName = Dictionary(uniqueKeysWithValues: catalogue.map { ($0.tool.name, $0) })

    /// Runs `tools/call`: an unknown tool or a bad argument is a tool error the agent can read
    /// and correct, as is every refusal of the API.
    func call(_ parameters: CallTool.Parameters) async -> CallTool.Result {
        guard let definition = Self.byName[parameters.name] else {
            return .init(content: [Self.text("Unknown tool \"\(parameters.name.prefix(80))\".")], isError: true)
        }
        let answer: LoopbackAPI.Answer
        do {
            answer = try await definition.run(self, Arguments(values: parameters.arguments ?? [:]))
        } catch let error as ToolInputError {
            return .init(content: [Self.text(error.message)], isError: true)
        } catch {
            return .init(content: [Self.text("The tool could not run.")], isError: true)
        }
        let text = String(decoding: answer.body, as: UTF8.self)
        let structured = try? JSONDecoder().decode(Value.self, from: answer.body)
        return .init(
            content: [Self.text(text)],
            structuredContent: structured.flatMap { $0.objectValue == nil ? nil : $0 },
            isError: !answer.succeeded
        )
    }

    private static func text(_ text: String) -> Tool.Content { .text(text: text, annotations: nil, _meta: nil) }

    /// Calls the API as the caller.
    func request(_ method: HTTPTypes.HTTPRequest.Method, _ path: String, body: Data? = nil) async -> LoopbackAPI.Answer
    {
        await api.send(method, path, body: body, authorization: authorization, context: context)
    }

    /// `notion-fetch`: the id as a page (with its first blocks), else a data source, a
    /// database, a block. A refusal other than "not found" ends the search: it is the answer.
    func fetch(_ id: String) async -> LoopbackAPI.Answer {
        let page = await request(.get, "/v1/pages/\(id)")
        if page.succeeded {
            let children = await request(.get, "/v1/blocks/\(id)/children?page_size=100")
            guard children.succeeded,
                var object = try? JSONDecoder().decode([String: Value].self, from: page.body),
                let list = try? JSONDecoder().decode([String: Value].self, from: children.body)
            else { return children.succeeded ? page : children }
            object["children"] = list["results"]
            object["children_has_more"] = list["has_more"]
            object["children_next_cursor"] = list["next_cursor"]
            return LoopbackAPI.Answer(status: 200, body: (try? JSONEncoder().encode(object)) ?? page.body)
        }
        guard page.status == 404 || page.status == 400 else { return page }
        for path in ["/v1/data_sources/\(id)", "/v1/databases/\(id)", "/v1/blocks/\(id)"] {
            let answer = await request(.get, path)
            if answer.succeeded || (answer.status != 404 && answer.status != 400) { return answer }
        }
        return page
    }

    private static func tool(
        _ name: String,
        _ description: String,
        readOnly: Bool = false,
        destructive: Bool = false,
        properties: String,
        required: [String] = [],
        openProperties: Bool = false
    ) -> Tool {
        // The literals above are valid JSON: a mistake fails every test that lists the tools.
        let schemaProperties = (try? JSONDecoder().decode(Value.self, from: Data(properties.utf8))) ?? .object([:])
        var schema: [String: Value] = ["type": "object", "properties": schemaProperties]
        if !required.isEmpty { schema["required"] = .array(required.map(Value.string)) }
        if !openProperties { schema["additionalProperties"] = .bool(false) }
        return Tool(
            name: name,
            description: description,
            inputSchema: .object(schema),
            annotations: .init(
                readOnlyHint: readOnly,
                destructiveHint: destructive,
                idempotentHint: readOnly,
                openWorldHint: false
            )
        )
    }
}

/// A tool's arguments, read the way its API call needs them.
struct Arguments: Sendable {
    let values: [String: Value]

    /// The id argument `name`, canonical, so that nothing but a UUID reaches the call's path.
    func id(_ name: String) throws(ToolInputError) -> String {
        guard let raw = values[name]?.stringValue else { throw ToolInputError("\(name) is required: a UUID.") }
        guard let id = ResourceID.canonical(raw) else {
            throw ToolInputError("\(name) should be a UUID (dashed or not), instead was \"\(raw.prefix(60))\".")
        }
        return id
    }

    /// The arguments but `excluded`, as the call's JSON body.
    func body(without excluded: String...) -> Data {
        let members = values.filter { !excluded.contains($0.key) }
        return (try? JSONEncoder().encode(members)) ?? Data("{}".utf8)
    }

    /// RFC 3986's unreserved characters, ASCII only: everything else in a value is escaped.
    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )

    /// `?name=value&…` for those of `names` given (strings and integers), percent-encoded;
    /// `joiner` starts it when the path already has a query.
    func query(_ names: String..., joiner: String = "?") -> String {
        var items: [String] = []
        for name in names {
            guard let value = values[name] else { continue }
            let text =
                value.stringValue ?? value.intValue.map(String.init)
                ?? value.doubleValue.flatMap { Int(exactly: $0) }.map(String.init)
            guard let text else { continue }
            items.append(name + "=" + (text.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? ""))
        }
        return items.isEmpty ? "" : joiner + items.joined(separator: "&")
    }
}

/// An argument the tool cannot use: answered as a tool error.
struct ToolInputError: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
