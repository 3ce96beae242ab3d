import Foundation
import GatehouseCore
import Hummingbird
import NIOCore

/// Reading what a request sends: its JSON body, ids in its path, pagination parameters. Every
/// failure is an ``APIError`` that names the offending field.
enum RequestInput {
    /// The JSON body; an empty body reads as `{}` (the JS client sends none for `search({})`).
    static func jsonObject(_ request: Request, limit: Int) async throws -> JSONValue {
        var request = request
        return try jsonObject(from: try await request.collectBody(upTo: limit))
    }

    /// As ``jsonObject(_:limit:)``, from a body read already (`nil`: none).
    static func jsonObject(from buffer: ByteBuffer?) throws(APIError) -> JSONValue {
        guard let buffer, buffer.readableBytes > 0 else { return .object([]) }
        let data = Data(buffer.readableBytesView)
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .object([]) }
        let value: JSONValue
        do {
            value = try JSONValue.parse(data)
        } catch {
            throw APIError.invalidJSON
        }
        guard case .object = value else {
            throw APIError.validation(
                "body failed validation: body should be an object, instead was `\(value.typeName)`."
            )
        }
        return value
    }

    /// The `filter_properties` query values (repeated, or as `filter_properties[]`, as the official
    /// clients send them): property names or ids.
    static func filterProperties(_ request: Request) -> [String] {
        request.uri.queryParameters[values: "filter_properties"].map { String($0) }
            + request.uri.queryParameters[values: "filter_properties[]"].map { String($0) }
    }

    /// The canonical form of the id in path parameter `name`; 400 `validation_error` if it is not a UUID.
    static func pathID(_ context: GatehouseRequestContext, _ name: String) throws(APIError) -> String {
        let raw = context.parameters.get(name) ?? ""
        guard let id = ResourceID.canonical(raw) else {
            throw .validation(
                "path failed validation: path.\(name) should be a valid uuid, instead was `\"\(raw.prefix(64))\"`."
            )
        }
        return id
    }

    /// `start_cursor` and `page_size` from a query string or a JSON body.
    struct Page {
        var startCursor: String?
        var pageSize: Int

        init(startCursor: String? = nil, pageSize: Int = 100) {
            self.startCursor = startCursor
            self.pageSize = pageSize
        }

        static func from(query request: Request) throws(APIError) -> Page {
            var page = Page()
            if let cursor = request.uri.queryParameters.get("start_cursor"), !cursor.isEmpty {
                page.startCursor = try cursorID(cursor, path: "query.start_cursor")
            }
            if let size = request.uri.queryParameters.get("page_size") {
                guard let value = Int(size) else {
                    throw .validation(
                        "query failed validation: query.page_size should be a number, instead was `\"\(size.prefix(32))\"`."
                    )
                }
                page.pageSize = try checkedSize(value, path: "query.page_size")
            }
            return page
        }

        static func from(body: JSONValue) throws(APIError) -> Page {
            var page = Page()
            switch body["start_cursor"] {
            case nil, .null?: break
            case .string(let cursor)?: page.startCursor = try cursorID(cursor, path: "body.start_cursor")
            case let other?:
                throw .validation(
                    "body failed validation: body.start_cursor should be a string, instead was `\(other.typeName)`."
                )
            }
            switch body["page_size"] {
            case nil, .null?: break
            case .number(let size)? where size.rounded() == size && abs(size) < 1e9:
                page.pageSize = try checkedSize(Int(size), path: "body.page_size")
            case let other?:
                throw .validation(
                    "body failed validation: body.page_size should be an integer, instead was `\(other.typeName)`."
                )
            }
            return page
        }

        private static func cursorID(_ cursor: String, path: String) throws(APIError) -> String {
            guard let id = ResourceID.canonical(cursor) else {
                throw .validation("\(path) should be a valid cursor, instead was `\"\(cursor.prefix(64))\"`.")
            }
            return id
        }

        private static func checkedSize(_ size: Int, path: String) throws(APIError) -> Int {
            guard (1...100).contains(size) else {
                throw .validation("\(path) should be between 1 and 100, instead was `\(size)`.")
            }
            return size
        }

        /// The slice of `items` this page covers and the cursor of the next page.
        func slice<Item>(_ items: [Item], id: (Item) -> String) throws(APIError) -> ([Item], String?) {
            var start = 0
            if let startCursor {
                guard let index = items.firstIndex(where: { id($0) == startCursor }) else {
                    throw .validation("start_cursor should be a cursor returned by a previous request.")
                }
                start = index
            }
            let end = min(items.count, start + pageSize)
            let next = end < items.count ? id(items[end]) : nil
            return (Array(items[start..<end]), next)
        }
    }
}
