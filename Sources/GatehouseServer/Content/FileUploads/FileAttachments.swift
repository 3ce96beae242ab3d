import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

extension ContentAccess {
    /// Checks that each upload `placements` names may be attached where it is, and marks it
    /// attached (it no longer expires): it must be the principal's own and `uploaded`, and hold a
    /// file its place shows. Called before the content that names them is written; an upload
    /// marked attached by a write that then fails stays usable, as an attached upload does.
    /// Returns each upload's file name, by id.
    @discardableResult
    func attachFileUploads(
        _ placements: [(id: String, placement: FileUploadPlacement)],
        for principal: Principal,
        at now: Date
    ) async throws -> [String: String] {
        var names: [String: String] = [:]
        for (id, placement) in placements {
            let attached = try await FileUploadsController.validated {
                try await store.changeFileUpload(id: id) { upload in
                    guard upload.createdBy == principal.botID, upload.workspaceID == principal.workspaceID,
                        upload.status(at: now) == .uploaded
                    else { throw Self.uploadNotFound(id) }
                    guard let type = upload.contentType, placement.accepts(type) else {
                        throw ContentValidationError(
                            path: "file_upload",
                            message:
                                "The file upload \(id) holds \(upload.contentType ?? "a file of no type"), which \(placement.described) cannot show."
                        )
                    }
                    var upload = upload
                    upload.expiresAt = nil
                    return upload
                }
            }
            guard let attached else { throw Self.uploadNotFound(id) }
            names[id] = attached.filename
        }
        return names
    }

    /// The API's answer for an upload it cannot attach: missing, another integration's, or not
    /// `uploaded` (pending, expired, failed). A 400, as the API answers it.
    static func uploadNotFound(_ id: String) -> APIError {
        APIError(
            status: 400,
            code: "object_not_found",
            message:
                "Could not find file_upload with ID: \(id). Confirm the status of the file upload is `uploaded` and that your integration has capabilities to update or insert content."
        )
    }
}
