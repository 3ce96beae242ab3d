import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore
import Hummingbird
import NIOCore

/// `POST /v1/file_uploads`, `POST /v1/file_uploads/{id}/send`, `POST /v1/file_uploads/{id}/complete`,
/// `GET /v1/file_uploads/{id}` and `GET /v1/file_uploads`.
///
/// Every call needs `insert_content` (an upload exists to be attached to content). An upload
/// belongs to the integration whose bot created it: another integration's id reads as one that
/// does not exist. The rules are ``FileUploadRules``; the bytes are stored part by part and
/// joined when read.
struct FileUploadsController {
    let access: ContentAccess
    let bodyLimit: Int
    let clock: any WallClock
    /// The server's public address, for `upload_url` and `complete_url`.
    let issuer: OAuthIssuer

    /// The most a send request may carry: a 20 MiB part and its multipart framing.
    static let sendBodyLimit = Int(FileUploadRules.partLimit) + 64 * 1024

    func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.post("file_uploads", use: create)
        group.get("file_uploads", use: list)
        group.get("file_uploads/:file_upload_id", use: retrieve)
        group.post("file_uploads/:file_upload_id/send", use: send)
        group.post("file_uploads/:file_upload_id/complete", use: complete)
    }

    @Sendable func create(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.insertContent, of: principal)
        let creation = try ContentJSON.validated { try FileUploadRules.creation(from: body) }
        let now = clock.now()
        var upload = FileUploadRecord(
            id: UUIDv4.string(),
            workspaceID: principal.workspaceID,
            createdBy: principal.botID,
            createdAt: now,
            lastEditedAt: now,
            expiresAt: now.addingTimeInterval(FileUploadRules.lifetime),
            storedStatus: .pending,
            mode: creation.mode,
            filename: creation.filename,
            contentType: creation.contentType,
            numberOfParts: creation.numberOfParts,
            externalURL: creation.externalURL
        )
        if creation.mode == .externalURL {
            // Nothing an outside party names is fetched: the import fails at once, as the API
            // reports a failed import, and the client is told how to send the file instead.
            upload.storedStatus = .failed
            upload.importError = FileImportError(
                type: "download_error",
                code: "external_url_not_fetched",
                message:
                    "Gatehouse does not fetch files from outside URLs. Create the upload with mode `single_part` or `multi_part` and send the file.",
                parameter: "external_url"
            )
        }
        try await access.store.createFileUpload(upload)
        return respond(with: upload, context: context)
    }

    @Sendable func send(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "file_upload_id")
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.sendBodyLimit)
        } catch is NIOTooManyBytesError {
            throw APIError.validation(
                "The file is larger than 20 MiB, the most one send takes. Create a `multi_part` file upload to send it in parts."
            )
        }
        try access.policy.require(.insertContent, of: principal)
        let owned = try await ownUpload(id, principal)
        let form = try MultipartForm.parse(
            buffer,
            contentType: request.headers[.contentType],
            keeping: ["file", "part_number"]
        )
        guard let file = form.parts["file"] else {
            throw APIError.validation(
                "body failed validation: body.file should be defined, instead was `undefined`. Send the file as a multipart form part named `file`."
            )
        }
        let part = FileUploadRules.Part(
            number: form.parts["part_number"].map { String(buffer: $0.body) },
            size: Int64(file.body.readableBytes),
            contentType: file.contentType,
            filename: file.filename
        )
        // The mode and the number of parts never change: checked before the upload is locked.
        let number = try ContentJSON.validated { try FileUploadRules.partNumber(of: part, in: owned) }
        let limit = FileUploadRules.maximumFileSize(for: principal.plan)
        let now = clock.now()
        let updated = try await Self.validated {
            try await access.store.storeFilePart(
                uploadID: id,
                number: number,
                content: Data(file.body.readableBytesView)
            ) {
                upload,
                sizes in
                try FileUploadRules.receiving(
                    part,
                    as: number,
                    into: upload,
                    sizes: sizes,
                    maximumFileSize: limit,
                    at: now
                )
            }
        }
        guard let updated else { throw Self.notFound(id, principal) }
        return respond(with: updated, context: context)
    }

    @Sendable func complete(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "file_upload_id")
        _ = try await RequestInput.jsonObject(request, limit: bodyLimit)
        try access.policy.require(.insertContent, of: principal)
        _ = try await ownUpload(id, principal)
        let now = clock.now()
        let updated = try await Self.validated {
            try await access.store.changeFileUpload(id: id) { try FileUploadRules.completing($0, at: now) }
        }
        guard let updated else { throw Self.notFound(id, principal) }
        return respond(with: updated, context: context)
    }

    @Sendable func retrieve(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try RequestInput.pathID(context, "file_upload_id")
        try access.policy.require(.insertContent, of: principal)
        return respond(with: try await ownUpload(id, principal), context: context)
    }

    @Sendable func list(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try access.policy.require(.insertContent, of: principal)
        var status: FileUploadRecord.Status?
        if let raw = request.uri.queryParameters.get("status") {
            guard let parsed = FileUploadRecord.Status(rawValue: String(raw)) else {
                throw APIError.validation(
                    "query failed validation: query.status should be one of `pending`, `uploaded`, `expired`, `failed`, instead was `\"\(raw.prefix(32))\"`."
                )
            }
            status = parsed
        }
        let page = try RequestInput.Page.from(query: request)
        var uploads = try await access.store.fileUploads(
            createdBy: principal.botID,
            status: status,
            at: clock.now(),
            from: page.startCursor,
            limit: page.pageSize + 1
        )
        if page.startCursor != nil, uploads.isEmpty {
            throw APIError.validation("start_cursor should be a cursor returned by a previous request.")
        }
        let next = uploads.count > page.pageSize ? uploads.removeLast().id : nil
        let now = clock.now()
        let body: JSONValue = [
            "object": "list",
            "results": .array(
                uploads.map {
                    FileUploadJSON.fileUpload($0, at: now, baseURL: issuer.value, version: context.version)
                }
            ),
            "next_cursor": next.map(JSONValue.string) ?? .null,
            "has_more": .bool(next != nil),
            "type": "file_upload",
            "file_upload": [:],
        ]
        return JSONResponse.ok(body, requestID: context.requestID)
    }

    /// The upload `id` when the principal's bot created it; otherwise not found, as a random id.
    private func ownUpload(_ id: String, _ principal: Principal) async throws -> FileUploadRecord {
        guard let upload = try await access.store.fileUpload(id: id), upload.createdBy == principal.botID,
            upload.workspaceID == principal.workspaceID
        else { throw Self.notFound(id, principal) }
        return upload
    }

    private func respond(with upload: FileUploadRecord, context: GatehouseRequestContext) -> Response {
        JSONResponse.ok(
            FileUploadJSON.fileUpload(upload, at: clock.now(), baseURL: issuer.value, version: context.version),
            requestID: context.requestID
        )
    }

    static func notFound(_ id: String, _ principal: Principal) -> APIError {
        APIError.notFound("file_upload", id: id, integrationName: principal.integrationName, botID: principal.botID)
    }

    /// Runs a store change whose rule may refuse it, answering the refusal as `validation_error`.
    static func validated<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as ContentValidationError {
            throw APIError.validation(error.message)
        }
    }
}
