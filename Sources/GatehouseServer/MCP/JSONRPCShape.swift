import Foundation
import GatehouseCore
import MCP
import NIOCore

/// The one JSON-RPC 2.0 message a `POST /mcp` may carry, checked before the MCP SDK reads it:
/// the SDK's transport and server classify a message differently in a few corners (a `method`
/// beside a `result`, an `id` of `null`, `true` or `1.5`, a key given twice), and there a request
/// would wait for an answer that never comes, or run with no one waiting. Batches, which the
/// protocol dropped in 2025-06-18, are refused too.
enum JSONRPCShape {
    /// The message written anew from what was parsed (so the transport and the server read the
    /// same members: a key given twice is kept once), or why the body is not such a message
    /// (answered 400).
    static func canonical(_ body: ByteBuffer) -> Result<Data, MCPError> {
        guard let value = try? JSONValue.parse(Data(body.readableBytesView)) else {
            return .failure(.parseError("The body is not JSON."))
        }
        switch value {
        case .array:
            return .failure(.invalidRequest("Batches are not supported: send one JSON-RPC message per request."))
        case .object(let members):
            if let problem = problem(in: members) { return .failure(problem) }
            return .success(value.serialized())
        default:
            return .failure(.invalidRequest("The body should be a JSON-RPC message (an object)."))
        }
    }

    private static func problem(in members: [(String, JSONValue)]) -> MCPError? {
        let object = JSONValue.object(members)
        guard object["jsonrpc"] == .string("2.0") else { return .invalidRequest("jsonrpc should be \"2.0\".") }
        let method = object["method"]
        if let method, method.stringValue == nil { return .invalidRequest("method should be a string.") }
        let isResponse = object["result"] != nil || object["error"] != nil
        if method != nil, isResponse {
            return .invalidRequest("A message is a request or a response, not both.")
        }
        if method == nil, !isResponse { return .invalidRequest("The message has no method, result or error.") }
        switch object["id"] {
        case nil:
            if isResponse { return .invalidRequest("A response needs the id of its request.") }
        case .string?:
            break
        // Integers written back as they came: below 10^15 (``JSONValue`` writes larger ones as
        // floating point).
        case .number(let number)? where Int(exactly: number) != nil && abs(number) < 1e15:
            break
        default:
            return .invalidRequest("id should be a string or an integer.")
        }
        return nil
    }
}
