import Foundation
import GatehouseCore
import SQLKit

/// ``FileUploadStore``: uploads in `file_uploads`, the bytes sent to each in `file_upload_parts`.
extension SQLStore {
    public func createFileUpload(_ upload: FileUploadRecord) async throws {
        try await write { database in
            try await database.raw(
                """
                INSERT INTO file_uploads (id, workspace_id, created_by, created_at, last_edited_at, expires_at, status, mode, filename, content_type, content_length, number_of_parts, parts_sent, external_url, import_error)
                VALUES (\(bind: upload.id), \(bind: upload.workspaceID), \(bind: upload.createdBy), \(bind: upload.createdAt.epochMilliseconds), \(bind: upload.lastEditedAt.epochMilliseconds), \(bind: upload.expiresAt?.epochMilliseconds), \(bind: upload.storedStatus.rawValue), \(bind: upload.mode.rawValue), \(bind: upload.filename), \(bind: upload.contentType), \(bind: upload.contentLength), \(bind: upload.numberOfParts), \(bind: upload.partsSent), \(bind: upload.externalURL), \(bind: try upload.importError.map { try StoredJSON.text($0) }))
                """
            ).run()
        }
    }

    public func fileUpload(id: String) async throws -> FileUploadRecord? {
        try await read { database in
            try await database.raw("SELECT * FROM file_uploads WHERE id = \(bind: id)").first().map(Self.fileUpload)
        }
    }

    public func fileUploads(
        createdBy: String,
        status: FileUploadRecord.Status?,
        at now: Date,
        from cursor: String?,
        limit: Int
    ) async throws -> [FileUploadRecord] {
        try await read { database in
            var query: SQLQueryString = "SELECT * FROM file_uploads WHERE created_by = \(bind: createdBy)"
            let nowMilliseconds = now.epochMilliseconds
            switch status {
            case nil: break
            case .expired?:
                query =
                    query
                    + " AND status <> 'failed' AND expires_at IS NOT NULL AND expires_at <= \(bind: nowMilliseconds)"
            case let status?:
                query =
                    query
                    + " AND status = \(bind: status.rawValue) AND (status = 'failed' OR expires_at IS NULL OR expires_at > \(bind: nowMilliseconds))"
            }
            if let cursor {
                guard
                    let start = try await database.raw(
                        "SELECT created_at FROM file_uploads WHERE id = \(bind: cursor) AND created_by = \(bind: createdBy)"
                    ).first()
                else { return [] }
                let createdAt = try start.decode(column: "created_at", as: Int64.self)
                query =
                    query
                    + " AND (created_at < \(bind: createdAt) OR (created_at = \(bind: createdAt) AND id <= \(bind: cursor)))"
            }
            query = query + " ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)"
            return try await database.raw(query).all().map(Self.fileUpload)
        }
    }

    public func storeFilePart(
        uploadID: String,
        number: Int,
        content: Data,
        change: @escaping @Sendable (FileUploadRecord, [Int: Int64]) throws -> FileUploadRecord
    ) async throws -> FileUploadRecord? {
        try await transaction { database in
            guard let stored = try await Self.lockedFileUpload(uploadID, in: database) else { return nil }
            var sizes: [Int: Int64] = [:]
            for row in try await database.raw(
                "SELECT part_number, size FROM file_upload_parts WHERE upload_id = \(bind: uploadID)"
            ).all() {
                sizes[try row.decode(column: "part_number", as: Int.self)] = try row.decode(
                    column: "size",
                    as: Int64.self
                )
            }
            sizes[number] = Int64(content.count)
            let upload = try change(stored, sizes)
            try await database.raw(
                "DELETE FROM file_upload_parts WHERE upload_id = \(bind: uploadID) AND part_number = \(bind: number)"
            ).run()
            try await database.raw(
                """
                INSERT INTO file_upload_parts (upload_id, part_number, size, content)
                VALUES (\(bind: uploadID), \(bind: number), \(bind: Int64(content.count)), \(bind: content))
                """
            ).run()
            try await Self.saveFileUpload(upload, in: database)
            return upload
        }
    }

    public func changeFileUpload(
        id: String,
        change: @escaping @Sendable (FileUploadRecord) throws -> FileUploadRecord
    ) async throws -> FileUploadRecord? {
        try await transaction { database in
            guard let stored = try await Self.lockedFileUpload(id, in: database) else { return nil }
            let upload = try change(stored)
            try await Self.saveFileUpload(upload, in: database)
            return upload
        }
    }

    public func fileContent(uploadID: String) async throws -> Data? {
        try await read { database in
            guard try await database.raw("SELECT id FROM file_uploads WHERE id = \(bind: uploadID)").first() != nil
            else { return nil }
            var content = Data()
            for row in try await database.raw(
                "SELECT content FROM file_upload_parts WHERE upload_id = \(bind: uploadID) ORDER BY part_number"
            ).all() {
                content.append(try row.decode(column: "content", as: Data.self))
            }
            return content
        }
    }

    public func fileParts(uploadID: String) async throws -> [(number: Int, size: Int64)] {
        try await read { database in
            try await database.raw(
                "SELECT part_number, size FROM file_upload_parts WHERE upload_id = \(bind: uploadID) ORDER BY part_number"
            ).all().map {
                (try $0.decode(column: "part_number", as: Int.self), try $0.decode(column: "size", as: Int64.self))
            }
        }
    }

    public func filePartSlice(uploadID: String, number: Int, offset: Int64, length: Int) async throws -> Data? {
        try await read { database in
            // `substr` counts bytes of a BLOB or BYTEA from 1; the casts give PostgreSQL the
            // integer arguments its `substr(bytea, integer, integer)` takes.
            try await database.raw(
                """
                SELECT substr(content, CAST(\(bind: offset + 1) AS INTEGER), CAST(\(bind: length) AS INTEGER)) AS slice
                FROM file_upload_parts WHERE upload_id = \(bind: uploadID) AND part_number = \(bind: number)
                """
            ).first().map { try $0.decode(column: "slice", as: Data.self) }
        }
    }

    /// The upload, its row locked until the transaction ends (a no-op update: both engines).
    static func lockedFileUpload(_ id: String, in database: any SQLDatabase) async throws -> FileUploadRecord? {
        try await database.raw("UPDATE file_uploads SET status = status WHERE id = \(bind: id) RETURNING *")
            .first().map(fileUpload)
    }

    /// Writes what may change of an upload (its identity, author and mode stay).
    static func saveFileUpload(_ upload: FileUploadRecord, in database: any SQLDatabase) async throws {
        try await database.raw(
            """
            UPDATE file_uploads SET last_edited_at = \(bind: upload.lastEditedAt.epochMilliseconds),
                expires_at = \(bind: upload.expiresAt?.epochMilliseconds), status = \(bind: upload.storedStatus.rawValue),
                filename = \(bind: upload.filename), content_type = \(bind: upload.contentType),
                content_length = \(bind: upload.contentLength), parts_sent = \(bind: upload.partsSent),
                import_error = \(bind: try upload.importError.map { try StoredJSON.text($0) })
            WHERE id = \(bind: upload.id)
            """
        ).run()
    }

    static func fileUpload(_ row: any SQLRow) throws -> FileUploadRecord {
        FileUploadRecord(
            id: try row.decode(column: "id", as: String.self),
            workspaceID: try row.decode(column: "workspace_id", as: String.self),
            createdBy: try row.decode(column: "created_by", as: String.self),
            createdAt: try date(row, "created_at"),
            lastEditedAt: try date(row, "last_edited_at"),
            expiresAt: try optionalDate(row, "expires_at"),
            storedStatus: try enumValue(row, "status"),
            mode: try enumValue(row, "mode"),
            filename: try row.decode(column: "filename", as: String?.self),
            contentType: try row.decode(column: "content_type", as: String?.self),
            contentLength: try row.decode(column: "content_length", as: Int64?.self),
            numberOfParts: try row.decode(column: "number_of_parts", as: Int?.self),
            partsSent: try row.decode(column: "parts_sent", as: Int.self),
            externalURL: try row.decode(column: "external_url", as: String?.self),
            importError: try row.decode(column: "import_error", as: String?.self).map {
                try StoredJSON.decode(FileImportError.self, from: $0)
            }
        )
    }
}
