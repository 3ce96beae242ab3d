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

    @Test func oddFormsAreReadOrRefusedAndTheServerKeepsServing() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            func upload(_ body: String = "{}") async throws -> String {
                try #require(
                    try await Self.call(client, .post, "/v1/file_uploads", world.token, body).json["id"] as? String
                )
            }
            // A header name with a byte over 0x7F (multipart-kit 4.7.1 stopped the process on it).
            var hostile = ByteBuffer(string: "--B\r\n")
            hostile.writeBytes([0xC3])
            hostile.writeString(": x\r\n\r\nfoo\r\n--B--\r\n")
            let crashed = try await Self.send(
                client,
                world.token,
                try await upload(),
                hostile,
                contentType: "multipart/form-data; boundary=B"
            )
            #expect(crashed.status == 400 && crashed.code == "validation_error", "\(crashed.text)")
            // Too many parts.
            var many = ByteBuffer()
            for _ in 0..<40 { many.writeString("--\(Self.boundary)\r\n\r\n\r\n") }
            many.writeString("--\(Self.boundary)--\r\n")
            let crowded = try await Self.send(client, world.token, try await upload(), many)
            #expect(crowded.status == 400 && crowded.code == "validation_error", "\(crowded.text)")
            // A control character in a file name.
            let nul = try await Self.call(
                client,
                .post,
                "/v1/file_uploads",
                world.token,
                #"{"filename": "a\u0000.png"}"#
            )
            #expect(nul.status == 400 && nul.code == "validation_error", "\(nul.text)")

            // A quoted name with a semicolon, and a boundary after another parameter.
            let quoted = try await Self.send(
                client,
                world.token,
                try await upload(),
                Self.form(Array("x".utf8), filename: "report; v2.txt", type: "text/plain"),
                contentType: "multipart/form-data; charset=utf-8; boundary=\"\(Self.boundary)\""
            )
            #expect(quoted.status == 200 && quoted.json["filename"] as? String == "report; v2.txt", "\(quoted.text)")
            // `.mp4` inferred as application/mp4, sent as video/mp4: taken, with the type sent.
            let video = try await Self.send(
                client,
                world.token,
                try await upload(#"{"filename": "clip.mp4"}"#),
                Self.form([0, 0, 0, 24], filename: "clip.mp4", type: "video/mp4")
            )
            #expect(video.status == 200 && video.json["content_type"] as? String == "video/mp4", "\(video.text)")
            #expect(try await Self.call(client, .get, "/v1/file_uploads", world.token).status == 200)
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

/// Uploads attached to media blocks: checked and marked attached, shown as Notion-hosted files
/// with a link that serves the bytes until it expires.
@Suite(.timeLimit(.minutes(2))) struct FileAttachmentTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 1, 2, 3]

    /// A single-part upload of `content`, sent and `uploaded`; its id.
    static func uploaded(
        _ client: some TestClientProtocol,
        _ token: String,
        _ content: [UInt8],
        filename: String,
        type: String
    ) async throws -> String {
        let created = try await FileUploadTests.call(client, .post, "/v1/file_uploads", token, "{}")
        let id = try #require(created.json["id"] as? String)
        let sent = try await FileUploadTests.send(
            client,
            token,
            id,
            FileUploadTests.form(content, filename: filename, type: type)
        )
        #expect(sent.json["status"] as? String == "uploaded", "\(sent.text)")
        return id
    }

    static func append(
        _ client: some TestClientProtocol,
        _ token: String,
        to page: String,
        _ block: String
    ) async throws
        -> APIResult
    {
        try await FileUploadTests.call(
            client,
            .patch,
            "/v1/blocks/\(page)/children",
            token,
            #"{"children": [\#(block)]}"#
        )
    }

    /// GETs a link the API gave, on the test server (its path and query).
    static func download(_ client: some TestClientProtocol, _ url: String) async throws -> (Int, HTTPFields, [UInt8]) {
        let components = try #require(URLComponents(string: url))
        let path = components.percentEncodedPath + "?" + (components.percentEncodedQuery ?? "")
        return try await client.execute(uri: path, method: .get) { response in
            (Int(response.status.code), response.headers, Array(response.body.readableBytesView))
        }
    }

    @Test func anUploadedImageIsShownByABlockAndServedThroughItsLink() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            let page = try await PageMoveTests.pageUnder(client, world, world.sharedPage.id, "Gallery")
            let upload = try await Self.uploaded(client, world.token, Self.png, filename: "logo.png", type: "image/png")
            let appended = try await Self.append(
                client,
                world.token,
                to: page,
                #"{"image": {"file_upload": {"id": "\#(upload)"}, "caption": [{"text": {"content": "Logo"}}]}}"#
            )
            #expect(appended.status == 200, "\(appended.text)")
            let image = try #require(appended.results.first?["image"] as? [String: Any])
            #expect(image["type"] as? String == "file")
            let file = try #require(image["file"] as? [String: Any])
            let url = try #require(file["url"] as? String)
            #expect(url.contains("/files/\(upload)/logo.png?expires="))
            #expect(ISODate.parse(file["expiry_time"] as? String ?? "") != nil)

            // Attached: it no longer expires.
            let retrieved = try await FileUploadTests.call(client, .get, "/v1/file_uploads/\(upload)", world.token)
            #expect(retrieved.json["expiry_time"] is NSNull && retrieved.json["status"] as? String == "uploaded")

            let (status, headers, body) = try await Self.download(client, url)
            #expect(status == 200 && body == Self.png)
            #expect(headers[.contentType] == "image/png")
            #expect(headers[.contentSecurityPolicy]?.contains("sandbox") == true)
            #expect(headers[.xContentTypeOptions] == "nosniff")
            #expect(headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(headers[.contentLength] == String(Self.png.count))
            // A link changed in any way is refused.
            let forged = url.replacingOccurrences(of: "signature=", with: "signature=A")
            #expect(try await Self.download(client, forged).0 == 403)
            let later = url.replacingOccurrences(of: "expires=", with: "expires=9")
            #expect(try await Self.download(client, later).0 == 403)

            // The same upload shown again, in a new page's content, by a file block.
            let created = try await FileUploadTests.call(
                client,
                .post,
                "/v1/pages",
                world.token,
                #"{"parent": {"page_id": "\#(page)"}, "properties": {"title": {"title": [{"text": {"content": "Again"}}]}}, "children": [{"file": {"type": "file_upload", "file_upload": {"id": "\#(upload)"}, "name": "logo"}}]}"#
            )
            #expect(created.status == 200, "\(created.text)")
            let newPage = try #require(created.json["id"] as? String)
            let children = try await FileUploadTests.call(client, .get, "/v1/blocks/\(newPage)/children", world.token)
            let fileBlock = try #require(children.results.first?["file"] as? [String: Any])
            #expect(fileBlock["type"] as? String == "file" && fileBlock["name"] as? String == "logo")
            // A name beyond ASCII is percent-encoded in the link and in Content-Disposition.
            let accented = try await Self.uploaded(
                client,
                world.token,
                Self.png,
                filename: "café report.png",
                type: "image/png"
            )
            let shownAccented = try await Self.append(
                client,
                world.token,
                to: page,
                #"{"image": {"file_upload": {"id": "\#(accented)"}}}"#
            )
            let accentedURL = try #require(
                ((shownAccented.results.first?["image"] as? [String: Any])?["file"] as? [String: Any])?["url"]
                    as? String
            )
            #expect(accentedURL.contains("/caf%C3%A9%20report.png?"), "\(accentedURL)")
            let (_, accentedHeaders, _) = try await Self.download(client, accentedURL)
            #expect(accentedHeaders[.contentDisposition] == "inline; filename*=UTF-8''caf%C3%A9%20report.png")
            // A file block given no name is named after the upload's file.
            let unnamed = try await Self.append(
                client,
                world.token,
                to: page,
                #"{"file": {"file_upload": {"id": "\#(upload)"}}}"#
            )
            #expect((unnamed.results.first?["file"] as? [String: Any])?["name"] as? String == "logo.png")
        }
    }

    @Test func anUploadedImageIsAPagesIconAndCover() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            let image = try await Self.uploaded(client, world.token, Self.png, filename: "logo.png", type: "image/png")
            let pdf = try await Self.uploaded(
                client,
                world.token,
                Array("%PDF".utf8),
                filename: "a.pdf",
                type: "application/pdf"
            )
            let created = try await FileUploadTests.call(
                client,
                .post,
                "/v1/pages",
                world.token,
                #"{"parent": {"page_id": "\#(world.sharedPage.id)"}, "properties": {"title": {"title": [{"text": {"content": "Brand"}}]}}, "cover": {"type": "file_upload", "file_upload": {"id": "\#(image)"}}}"#
            )
            #expect(created.status == 200, "\(created.text)")
            let page = try #require(created.json["id"] as? String)
            let cover = try #require(created.json["cover"] as? [String: Any])
            #expect(cover["type"] as? String == "file")
            let coverURL = try #require((cover["file"] as? [String: Any])?["url"] as? String)
            #expect(try await Self.download(client, coverURL).2 == Self.png)

            let updated = try await FileUploadTests.call(
                client,
                .patch,
                "/v1/pages/\(page)",
                world.token,
                #"{"icon": {"file_upload": {"id": "\#(image)"}}}"#
            )
            #expect(updated.status == 200, "\(updated.text)")
            #expect((updated.json["icon"] as? [String: Any])?["type"] as? String == "file")
            let read = try await FileUploadTests.call(client, .get, "/v1/pages/\(page)", world.token)
            #expect((read.json["icon"] as? [String: Any])?["type"] as? String == "file")
            #expect((read.json["cover"] as? [String: Any])?["type"] as? String == "file")

            let wrongKind = try await FileUploadTests.call(
                client,
                .patch,
                "/v1/pages/\(page)",
                world.token,
                #"{"cover": {"file_upload": {"id": "\#(pdf)"}}}"#
            )
            #expect(wrongKind.status == 400 && wrongKind.code == "validation_error", "\(wrongKind.text)")
            let pending = try #require(
                try await FileUploadTests.call(client, .post, "/v1/file_uploads", world.token, "{}").json["id"]
                    as? String
            )
            let notUploaded = try await FileUploadTests.call(
                client,
                .patch,
                "/v1/pages/\(page)",
                world.token,
                #"{"icon": {"file_upload": {"id": "\#(pending)"}}}"#
            )
            #expect(notUploaded.status == 400 && notUploaded.code == "object_not_found", "\(notUploaded.text)")
            let kept = try await FileUploadTests.call(client, .get, "/v1/pages/\(page)", world.token)
            #expect((kept.json["icon"] as? [String: Any])?["type"] as? String == "file")
        }
    }

    @Test func anUploadThatCannotBeShownIsRefusedAndNothingIsAppended() async throws {
        let world = try await TestWorld.make()
        let (_, otherToken) = try await world.otherIntegrationSharingTheDatabase()
        try await world.test(.live) { client in
            let page = try await PageMoveTests.pageUnder(client, world, world.sharedPage.id, "Refusals")
            let pending = try #require(
                try await FileUploadTests.call(client, .post, "/v1/file_uploads", world.token, "{}").json["id"]
                    as? String
            )
            let pdf = try await Self.uploaded(
                client,
                world.token,
                Array("%PDF-1.4".utf8),
                filename: "a.pdf",
                type: "application/pdf"
            )
            let theirs = try await Self.uploaded(client, otherToken, Self.png, filename: "b.png", type: "image/png")
            let before = try await FileUploadTests.call(client, .get, "/v1/blocks/\(page)/children", world.token)
                .results.count
            for id in [pending, theirs, UUID().uuidString.lowercased()] {
                let refused = try await Self.append(
                    client,
                    world.token,
                    to: page,
                    #"{"image": {"file_upload": {"id": "\#(id)"}}}"#
                )
                #expect(refused.status == 400 && refused.code == "object_not_found", "\(refused.text)")
                #expect(
                    refused.message
                        == "Could not find file_upload with ID: \(id). Confirm the status of the file upload is `uploaded` and that your integration has capabilities to update or insert content."
                )
            }
            let wrongKind = try await Self.append(
                client,
                world.token,
                to: page,
                #"{"image": {"file_upload": {"id": "\#(pdf)"}}}"#
            )
            #expect(wrongKind.status == 400 && wrongKind.code == "validation_error", "\(wrongKind.text)")
            let both = try await Self.append(
                client,
                world.token,
                to: page,
                #"{"pdf": {"file_upload": {"id": "\#(pdf)"}, "external": {"url": "https://example.com/a.pdf"}}}"#
            )
            #expect(both.status == 400 && both.code == "validation_error")
            #expect(
                try await FileUploadTests.call(client, .get, "/v1/blocks/\(page)/children", world.token).results.count
                    == before
            )
            // Still unattached: it keeps its expiry.
            let kept = try await FileUploadTests.call(client, .get, "/v1/file_uploads/\(pdf)", world.token)
            #expect(kept.json["expiry_time"] is String)
            let shown = try await Self.append(
                client,
                world.token,
                to: page,
                #"{"pdf": {"file_upload": {"id": "\#(pdf)"}}}"#
            )
            #expect(
                shown.status == 200 && (shown.results.first?["pdf"] as? [String: Any])?["type"] as? String == "file"
            )
        }
    }
}

/// Uploads in `files` properties: attached on write, named after their file, read back (page,
/// query) as hosted files with a link.
@Suite(.timeLimit(.minutes(2))) struct FilesPropertyUploadTests {
    @Test func anUploadInAFilesPropertyIsShownWithItsLinkWhereverThePageIsRead() async throws {
        let world = try await TestWorld.make()
        try await world.test(.live) { client in
            let database = try await FileUploadTests.call(
                client,
                .post,
                "/v1/databases",
                world.token,
                #"{"parent": {"page_id": "\#(world.sharedPage.id)"}, "title": [{"text": {"content": "Docs"}}], "initial_data_source": {"properties": {"Name": {"title": {}}, "Attachments": {"files": {}}}}}"#
            )
            #expect(database.status == 200, "\(database.text)")
            let source = try #require((database.json["data_sources"] as? [[String: Any]])?.first?["id"] as? String)
            let upload = try await FileAttachmentTests.uploaded(
                client,
                world.token,
                Array("%PDF-1.4 report".utf8),
                filename: "report.pdf",
                type: "application/pdf"
            )
            let created = try await FileUploadTests.call(
                client,
                .post,
                "/v1/pages",
                world.token,
                #"{"parent": {"data_source_id": "\#(source)"}, "properties": {"Name": {"title": [{"text": {"content": "Q3"}}]}, "Attachments": {"files": [{"file_upload": {"id": "\#(upload)"}}, {"name": "Site", "external": {"url": "https://example.com/"}}]}}}"#
            )
            #expect(created.status == 200, "\(created.text)")
            let files = try #require(
                ((created.json["properties"] as? [String: Any])?["Attachments"] as? [String: Any])?["files"]
                    as? [[String: Any]]
            )
            #expect(files.count == 2)
            #expect(files[0]["name"] as? String == "report.pdf" && files[0]["type"] as? String == "file")
            #expect(files[1]["name"] as? String == "Site" && files[1]["type"] as? String == "external")
            let url = try #require((files[0]["file"] as? [String: Any])?["url"] as? String)
            #expect(url.contains("/files/\(upload)/report.pdf?"))
            let (status, _, body) = try await FileAttachmentTests.download(client, url)
            #expect(status == 200 && body == Array("%PDF-1.4 report".utf8))

            // A query shows the same entry, with a link from the same hour.
            let queried = try await FileUploadTests.call(
                client,
                .post,
                "/v1/data_sources/\(source)/query",
                world.token,
                "{}"
            )
            let row = try #require(queried.results.first)
            let shown =
                ((row["properties"] as? [String: Any])?["Attachments"] as? [String: Any])?["files"] as? [[String: Any]]
            #expect((shown?.first?["file"] as? [String: Any])?["url"] as? String == url)

            let pending = try #require(
                try await FileUploadTests.call(client, .post, "/v1/file_uploads", world.token, "{}").json["id"]
                    as? String
            )
            let refused = try await FileUploadTests.call(
                client,
                .patch,
                "/v1/pages/\(try #require(created.json["id"] as? String))",
                world.token,
                #"{"properties": {"Attachments": {"files": [{"name": "x", "file_upload": {"id": "\#(pending)"}}]}}}"#
            )
            #expect(refused.status == 400 && refused.code == "object_not_found", "\(refused.text)")
            let badID = try await FileUploadTests.call(
                client,
                .patch,
                "/v1/pages/\(try #require(created.json["id"] as? String))",
                world.token,
                #"{"properties": {"Attachments": {"files": [{"file_upload": {"id": "nope"}}]}}}"#
            )
            #expect(badID.status == 400 && badID.code == "validation_error", "\(badID.text)")
        }
    }
}
