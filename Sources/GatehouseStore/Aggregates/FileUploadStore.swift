import Foundation
import GatehouseCore

/// File uploads and the bytes sent to them, part by part.
public protocol FileUploadStore: Sendable {
    func createFileUpload(_ upload: FileUploadRecord) async throws
    func fileUpload(id: String) async throws -> FileUploadRecord?
    /// Up to `limit` uploads that bot `createdBy` created, newest first, from the upload `cursor`
    /// (inclusive) when given; with `status`, only those in it at `now` (an upload past its
    /// expiry reads as `expired`).
    func fileUploads(
        createdBy: String,
        status: FileUploadRecord.Status?,
        at now: Date,
        from cursor: String?,
        limit: Int
    ) async throws -> [FileUploadRecord]
    /// Stores `content` as part `number` of upload `id` (replacing a part sent before under that
    /// number) together with the upload as `change` makes it from the stored one, locked, and
    /// the size of every stored part by number, this one included: both, or neither when
    /// `change` throws. `nil` when there is no such upload.
    func storeFilePart(
        uploadID: String,
        number: Int,
        content: Data,
        change: @escaping @Sendable (FileUploadRecord, [Int: Int64]) throws -> FileUploadRecord
    ) async throws -> FileUploadRecord?
    /// Writes the upload as `change` makes it from the stored one, locked; `nil` when there is none.
    func changeFileUpload(
        id: String,
        change: @escaping @Sendable (FileUploadRecord) throws -> FileUploadRecord
    ) async throws -> FileUploadRecord?
    /// The file sent to upload `id`: its parts joined in order; `nil` when there is no such upload.
    func fileContent(uploadID: String) async throws -> Data?
    /// The parts stored for upload `id`, in order: their numbers and sizes.
    func fileParts(uploadID: String) async throws -> [(number: Int, size: Int64)]
    /// At most `length` bytes of part `number` of upload `id` from byte `offset`; `nil` when there
    /// is no such part: a download holds one such slice at a time.
    func filePartSlice(uploadID: String, number: Int, offset: Int64, length: Int) async throws -> Data?
}
