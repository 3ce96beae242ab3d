import Foundation
import GatehouseCore

/// The `file_upload` object as the API returns it.
enum FileUploadJSON {
    /// `upload` at `now`; `baseURL` is the server's public address (its `upload_url` and
    /// `complete_url`). `in_trash` at every version, `archived` too before 2026-03-11.
    static func fileUpload(
        _ upload: FileUploadRecord,
        at now: Date,
        baseURL: String,
        version: NotionVersion
    ) -> JSONValue {
        let status = upload.status(at: now)
        var members: [(String, JSONValue)] = [
            ("object", "file_upload"),
            ("id", .string(upload.id)),
            ("created_time", NotionObjects.timestamp(upload.createdAt)),
            ("created_by", ["id": .string(upload.createdBy), "type": "bot"]),
            ("last_edited_time", NotionObjects.timestamp(upload.lastEditedAt)),
            ("expiry_time", upload.expiresAt.map(NotionObjects.timestamp) ?? .null),
        ]
        if status == .pending, upload.mode != .externalURL {
            members.append(("upload_url", .string("\(baseURL)/v1/file_uploads/\(upload.id)/send")))
            if upload.mode == .multiPart {
                members.append(("complete_url", .string("\(baseURL)/v1/file_uploads/\(upload.id)/complete")))
            }
        }
        members.append(("in_trash", false))
        if version.value < "2026-03-11" { members.append(("archived", false)) }
        members += [
            ("status", .string(status.rawValue)),
            ("filename", upload.filename.map(JSONValue.string) ?? .null),
            ("content_type", upload.contentType.map(JSONValue.string) ?? .null),
            ("content_length", upload.contentLength.map { .number(Double($0)) } ?? .null),
        ]
        if upload.mode == .multiPart, let total = upload.numberOfParts {
            members.append(
                ("number_of_parts", ["total": .number(Double(total)), "sent": .number(Double(upload.partsSent))])
            )
        }
        if let error = upload.importError {
            members.append(
                (
                    "file_import_result",
                    [
                        "imported_time": NotionObjects.timestamp(upload.lastEditedAt),
                        "type": "error",
                        "error": [
                            "type": .string(error.type),
                            "code": .string(error.code),
                            "message": .string(error.message),
                            "parameter": error.parameter.map(JSONValue.string) ?? .null,
                            "status_code": .null,
                        ],
                    ]
                )
            )
        }
        return .object(members)
    }
}
