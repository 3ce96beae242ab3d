import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Builds the API's JSON responses, every one with `request_id` in the body.
enum JSONResponse {
    static let contentType = "application/json; charset=utf-8"
    private static let contentTypeField = HTTPField(name: .contentType, value: contentType)

    /// The headers a JSON response starts with, with room for the ones added on its way out
    /// (`Content-Length`, five rate-limit fields, `Retry-After` on a refusal, `x-notion-request-id`,
    /// and Hummingbird's `Date` and `Server`), so the array is not copied into a larger one.
    static func headers() -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(11)
        fields.append(contentTypeField)
        return fields
    }

    /// A success body: `object`'s members followed by `request_id`.
    static func ok(_ object: JSONValue, requestID: String, status: HTTPResponse.Status = .ok) -> Response {
        raw(okBody(object, requestID: requestID), status: status)
    }

    /// ``ok(_:requestID:status:)`` made ahead (``PreparedAnswer``).
    static func okAnswer(_ object: JSONValue, requestID: String) -> PreparedAnswer {
        PreparedAnswer(status: .ok, headers: headers(), body: okBody(object, requestID: requestID))
    }

    /// The body of ``ok(_:requestID:status:)``.
    static func okBody(_ object: JSONValue, requestID: String) -> [UInt8] {
        var members: [(String, JSONValue)] = []
        if case .object(let existing) = object { members = existing }
        members.append(("request_id", .string(requestID)))
        return JSONValue.object(members).serializedBytes()
    }

    /// A success body of a paginated list (``NotionObjects/list(_:nextCursor:type:)``) whose results
    /// are serialized already: the bytes ``ok(_:requestID:status:)`` would give for the list of
    /// their values.
    static func list(
        serializedResults results: [[UInt8]],
        nextCursor: String?,
        type: String,
        requestID: String
    )
        -> Response
    {
        guard case .object(let members) = NotionObjects.list([], nextCursor: nextCursor, type: type) else {
            preconditionFailure("a list is an object")
        }
        // `{"object":"list","results":[` + the results + `],` + the other members, `request_id` last.
        let rest = JSONValue.object(
            members.filter { $0.0 != "object" && $0.0 != "results" } + [("request_id", .string(requestID))]
        ).serializedBytes()
        var body = ByteBuffer()
        body.reserveCapacity(results.reduce(rest.count + 32) { $0 + $1.count + 1 })
        body.writeString(#"{"object":"list","results":["#)
        for (index, result) in results.enumerated() {
            if index > 0 { body.writeInteger(UInt8(ascii: ",")) }
            body.writeBytes(result)
        }
        body.writeString("],")
        body.writeBytes(rest.dropFirst())
        return Response(status: .ok, headers: headers(), body: ResponseBody(byteBuffer: body))
    }

    /// A success body from an object serialized ahead (``openObject(_:)``), closed with
    /// `request_id`: for bodies that are the same on every request, such as `users/me`.
    static func ok(openObject: [UInt8], requestID: String) -> Response {
        var body = ByteBuffer()
        body.reserveCapacity(openObject.count + requestID.utf8.count + 16)
        body.writeBytes(openObject)
        body.writeString(openObject.count > 1 ? ",\"request_id\":\"" : "\"request_id\":\"")
        body.writeString(requestID)  // a UUID: nothing to escape
        body.writeString("\"}")
        return Response(status: .ok, headers: headers(), body: ResponseBody(byteBuffer: body))
    }

    /// `object` serialized without its closing brace, for ``ok(openObject:requestID:)``.
    static func openObject(_ object: JSONValue) -> [UInt8] {
        guard case .object = object else { return Array("{".utf8) }
        return Array(object.serializedBytes().dropLast())
    }

    /// The error object for `error`. Messages may echo what the client sent (a bad id, a bad
    /// version); they pass through ``SecretRedactor`` here, so an echo never carries a credential.
    static func error(_ error: APIError, requestID: String) -> Response {
        raw(errorBody(error, requestID: requestID), status: HTTPResponse.Status(code: error.status))
    }

    /// The serialized error object of ``error(_:requestID:)``.
    static func errorBody(_ error: APIError, requestID: String) -> [UInt8] {
        var members: [(String, JSONValue)] = [
            ("object", "error"), ("status", .number(Double(error.status))), ("code", .string(error.code)),
            ("message", .string(SecretRedactor.redact(error.message))),
        ]
        if !error.additionalData.isEmpty {
            members.append(
                (
                    "additional_data",
                    .object(error.additionalData.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
                )
            )
        }
        if let oauthError = error.oauthError {
            members.append(("error", .string(oauthError)))
            members.append(("error_description", .string(SecretRedactor.redact(error.message))))
        }
        members.append(("request_id", .string(requestID)))
        return JSONValue.object(members).serializedBytes()
    }

    /// A response with an already serialized JSON body.
    static func raw(_ body: some Sequence<UInt8>, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: headers(),
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
