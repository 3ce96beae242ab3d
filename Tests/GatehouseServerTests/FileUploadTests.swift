import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The File Upload API over HTTP: create, send (multipart/form-data), complete, retrieve, list,
/// each upload the integration's own.
@Suite(.timeLimit(.minutes(2))) struct FileUploadTests {
    static let version = "2025-09-03"
    static let boundary = "gatehouse-test-boundary"

    static func call(
        _ client: some TestClientProtocol,
        _ method: HTTPRequest.Method,
        _ path: String,
        _ token: String,
        _ body: String? = nil,
        version: String = version
    ) async throws -> APIResult {
        try await client.call(method, path, token: token, version: version, body: body)
    }

    /// A multipart body with the file part (and `part_number` when given), as clients send it.
    static func form(_ content: [UInt8], filename: String, type: String?, partNumber: String? = nil) -> ByteBuffer {
        var body = ByteBuffer()
        if let partNumber {
            body.writeString(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"part_number\"\r\n\r\n\(partNumber)\r\n"
            )
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n")
        if let type { body.writeString("Content-Type: \(type)\r\n") }
        body.writeString("\r\n")
        body.writeBytes(content)
        body.writeString("\r\n--\(boundary)--\r\n")
        return body
    }

    static func send(
        _ client: some TestClientProtocol,
        _ token: String,
        _ id: String,
        _ body: ByteBuffer,
        contentType: String = "multipart/form-data; boundary=\(boundary)"
    ) async throws -> APIResult {
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: contentType]
        headers[HTTPField.Name("Notion-Version")!] = version
        return try await client.execute(uri: "/v1/file_uploads/\(id)/send", method: .post, headers: headers, body: body)
        {
            APIResult($0)
        }
    }

    @Test func aFileIsCreatedSentInOnePartAndReadBack() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            let created = try await Self.call(client, .post, "/v1/file_uploads", world.token, "{}")
            #expect(created.status == 200, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["object"] as? String == "file_upload")
            #expect(created.json["status"] as? String == "pending")
            #expect((created.json["upload_url"] as? String)?.hasSuffix("/v1/file_uploads/\(id)/send") == true)
            #expect(created.json["complete_url"] == nil && created.json["number_of_parts"] == nil)
            #expect(created.json["filename"] is NSNull && created.json["content_length"] is NSNull)
            #expect(created.json["archived"] as? Bool == false && created.json["in_trash"] as? Bool == false)
            let createdTime = try #require(ISODate.parse(created.json["created_time"] as? String ?? ""))
            let expiry = try #require(ISODate.parse(created.json["expiry_time"] as? String ?? ""))
            #expect(expiry.milliseconds - createdTime.milliseconds == 3_600_000)

            let sent = try await Self.send(
                client,
                world.token,
                id,
                Self.form(Array("hello".utf8), filename: "hello.txt", type: "text/plain")
            )
            #expect(sent.status == 200, "\(sent.text)")
            #expect(sent.json["status"] as? String == "uploaded")
            #expect(sent.json["filename"] as? String == "hello.txt")
            #expect(sent.json["content_type"] as? String == "text/plain")
            #expect(sent.json["content_length"] as? Int == 5)
            #expect(sent.json["upload_url"] == nil)
            #expect(try await world.store.fileContent(uploadID: id) == Data("hello".utf8))

            let retrieved = try await Self.call(client, .get, "/v1/file_uploads/\(id)", world.token)
            #expect(retrieved.json["status"] as? String == "uploaded" && retrieved.json["id"] as? String == id)
            // 2026-03-11 names the flag `in_trash` only.
            let newer = try await Self.call(client, .get, "/v1/file_uploads/\(id)", world.token, version: "2026-03-11")
            #expect(newer.json["archived"] == nil && newer.json["in_trash"] as? Bool == false)

            // An uploaded file takes no more content, and nothing of it changes.
            let again = try await Self.send(
                client,
                world.token,
                id,
                Self.form([1, 2], filename: "x.txt", type: "text/plain")
            )
            #expect(again.status == 400 && again.code == "validation_error", "\(again.text)")
            #expect(try await world.store.fileContent(uploadID: id) == Data("hello".utf8))

            let listed = try await Self.call(client, .get, "/v1/file_uploads", world.token)
            #expect(listed.json["object"] as? String == "list" && listed.json["type"] as? String == "file_upload")
            #expect(listed.results.first?["id"] as? String == id)
            let pending = try await Self.call(client, .get, "/v1/file_uploads?status=pending", world.token)
            #expect(!pending.results.contains { $0["id"] as? String == id })
            let wrongStatus = try await Self.call(client, .get, "/v1/file_uploads?status=done", world.token)
            #expect(wrongStatus.status == 400 && wrongStatus.code == "validation_error")
        }
    }

    @Test func anUploadIsItsIntegrationsOwnAndNeedsInsertContent() async throws {
        let world = try await TestWorld.make()
        let (_, otherToken) = try await world.otherIntegration(capabilities: .all)
        let (_, readOnly) = try await world.otherIntegration(capabilities: try Capabilities(names: ["read_content"]))
        try await world.test(.live) { client in
            let created = try await Self.call(client, .post, "/v1/file_uploads", world.token, #"{"filename": "a.png"}"#)
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["content_type"] as? String == "image/png")
            let random = UUID().uuidString.lowercased()
            for path in ["/v1/file_uploads/\(id)", "/v1/file_uploads/\(random)"] {
                let other = try await Self.call(client, .get, path, otherToken)
                #expect(other.status == 404 && other.code == "object_not_found", "\(other.text)")
            }
            let foreignSend = try await Self.send(
                client,
                otherToken,
                id,
                Self.form([1], filename: "a.png", type: "image/png")
            )
            #expect(foreignSend.status == 404)
            let otherList = try await Self.call(client, .get, "/v1/file_uploads", otherToken)
            #expect(otherList.status == 200 && otherList.results.isEmpty)
            for (method, path) in [
                (HTTPRequest.Method.post, "/v1/file_uploads"), (.get, "/v1/file_uploads"),
                (.get, "/v1/file_uploads/\(id)"),
            ] {
                let refused = try await Self.call(client, method, path, readOnly, method == .post ? "{}" : nil)
                #expect(refused.status == 403 && refused.code == "restricted_resource", "\(path)")
            }
            let badID = try await Self.call(client, .get, "/v1/file_uploads/nope", world.token)
            #expect(badID.status == 400 && badID.code == "validation_error")
        }
    }

    @Test func badSendsAreRefusedAndLeaveTheUploadPending() async throws {
        let world = try await TestWorld.make(plan: .free)
        let plans = RatePlans(overrides: [.free: RatePlan(requestsPerSecond: 10_000, burst: 10_000, dailyQuota: nil)])
        try await world.test(.live, plans: plans) { client in
            let created = try await Self.call(
                client,
                .post,
                "/v1/file_uploads",
                world.token,
                #"{"content_type": "image/png"}"#
            )
            let id = try #require(created.json["id"] as? String)
            let answers = [
                try await Self.send(
                    client,
                    world.token,
                    id,
                    ByteBuffer(string: #"{"file": "x"}"#),
                    contentType: "application/json"
                ),
                try await Self.send(client, world.token, id, ByteBuffer(string: "not multipart")),
                try await Self.send(client, world.token, id, Self.form([1], filename: "a.jpg", type: "image/jpeg")),
                try await Self.send(client, world.token, id, Self.form([1], filename: "a.md", type: "text/markdown")),
                try await Self.send(
                    client,
                    world.token,
                    id,
                    Self.form(Array(repeating: 7, count: 5 * 1024 * 1024 + 1), filename: "big.png", type: "image/png")
                ),
            ]
            for answer in answers {
                #expect(answer.status == 400 && answer.code == "validation_error", "\(answer.text.prefix(300))")
            }
            #expect(
                answers.last?.message
                    == "The file size is not within the allowed limit of 5 MiB. Please try again with a new file upload."
            )
            let retrieved = try await Self.call(client, .get, "/v1/file_uploads/\(id)", world.token)
            #expect(retrieved.json["status"] as? String == "pending" && retrieved.json["content_length"] is NSNull)
            #expect(try await world.store.fileContent(uploadID: id) == Data())
            let completeSingle = try await Self.call(client, .post, "/v1/file_uploads/\(id)/complete", world.token)
            #expect(completeSingle.status == 400 && completeSingle.code == "validation_error")
        }
    }

    @Test func aMultiPartUploadCompletesOnceEveryPartArrived() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            let created = try await Self.call(
                client,
                .post,
                "/v1/file_uploads",
                world.token,
                #"{"mode": "multi_part", "filename": "notes.txt", "number_of_parts": 1}"#
            )
            let id = try #require(created.json["id"] as? String)
            #expect((created.json["complete_url"] as? String)?.hasSuffix("/v1/file_uploads/\(id)/complete") == true)
            #expect((created.json["number_of_parts"] as? [String: Any])?["total"] as? Int == 1)
            let early = try await Self.call(client, .post, "/v1/file_uploads/\(id)/complete", world.token)
            #expect(early.status == 400 && early.code == "validation_error", "\(early.text)")
            let noNumber = try await Self.send(
                client,
                world.token,
                id,
                Self.form([1], filename: "notes.txt", type: "text/plain")
            )
            #expect(noNumber.status == 400 && noNumber.message?.contains("part_number") == true, "\(noNumber.text)")
            let sent = try await Self.send(
                client,
                world.token,
                id,
                Self.form(Array("line".utf8), filename: "notes.txt", type: "text/plain", partNumber: "1")
            )
            #expect(sent.status == 200 && sent.json["status"] as? String == "pending", "\(sent.text)")
            #expect((sent.json["number_of_parts"] as? [String: Any])?["sent"] as? Int == 1)
            let completed = try await Self.call(client, .post, "/v1/file_uploads/\(id)/complete", world.token)
            #expect(completed.status == 200 && completed.json["status"] as? String == "uploaded", "\(completed.text)")
            #expect(completed.json["complete_url"] == nil && completed.json["content_length"] as? Int == 4)
        }
    }

    @Test func anExternalURLIsNeverFetched() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            let created = try await Self.call(
                client,
                .post,
                "/v1/file_uploads",
                world.token,
                #"{"mode": "external_url", "filename": "a.pdf", "external_url": "https://127.0.0.1/a.pdf"}"#
            )
            #expect(created.status == 200 && created.json["status"] as? String == "failed", "\(created.text)")
            let result = try #require(created.json["file_import_result"] as? [String: Any])
            #expect(result["type"] as? String == "error")
            #expect((result["error"] as? [String: Any])?["parameter"] as? String == "external_url")
            #expect(created.json["upload_url"] == nil)
        }
    }
}
