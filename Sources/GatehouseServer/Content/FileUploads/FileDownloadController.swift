import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /files/{upload_id}/{name}?expires=…&signature=…`: an uploaded file, for whoever holds an
/// unexpired link from ``FileLinks`` (the link is the credential, as Notion's file URLs are),
/// streamed a slice at a time.
///
/// The file is served so that it cannot act on the server's other pages: with a `sandbox`
/// content security policy and `nosniff`, so an SVG or a text file is never run as a page of
/// this origin (where the console lives).
struct FileDownloadController {
    let store: any Store
    let links: FileLinks

    func addRoutes(to router: Router<GatehouseRequestContext>) {
        router.get("files/:upload_id/:name", use: download)
    }

    /// How much of a file a download holds at a time: a client that stops reading holds this much
    /// of the server's memory, not a whole part.
    static let sliceLength = 1 << 20

    /// What RFC 8187 lets stand unencoded in `filename*`, ASCII only (Foundation's `alphanumerics`
    /// takes every script's letters).
    static let filenameCharacters = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )

    static let refused = APIError(
        status: 403,
        code: "restricted_resource",
        message: "This file link is not valid or has expired. Read the block again for a new link."
    )

    @Sendable func download(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        guard let id = context.parameters.get("upload_id").flatMap(ResourceID.canonical),
            let expires = request.uri.queryParameters.get("expires").flatMap({ Int64($0) }),
            let signature = request.uri.queryParameters.get("signature").map({ String($0) }),
            try await links.isValid(id: id, expires: expires, signature: signature),
            let upload = try await store.fileUpload(id: id), upload.storedStatus == .uploaded
        else { throw Self.refused }
        // Streamed a slice at a time: a 5 GiB file is never held whole.
        let parts = try await store.fileParts(uploadID: id)
        let store = self.store
        var headers: HTTPFields = [
            .contentType: upload.contentType ?? "application/octet-stream",
            .contentSecurityPolicy: "default-src 'none'; sandbox",
            .xContentTypeOptions: "nosniff",
            .cacheControl: "private, max-age=3600",
            // A link followed from a served file does not carry this one to another site.
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
        if let name = upload.filename?.addingPercentEncoding(withAllowedCharacters: Self.filenameCharacters) {
            headers[.contentDisposition] = "inline; filename*=UTF-8''\(name)"
        }
        let body = ResponseBody(contentLength: Int(parts.reduce(0) { $0 + $1.size })) { writer in
            for part in parts {
                var offset: Int64 = 0
                while offset < part.size {
                    // A part gone meanwhile ends the response short: the connection is closed.
                    guard
                        let slice = try await store.filePartSlice(
                            uploadID: id,
                            number: part.number,
                            offset: offset,
                            length: Self.sliceLength
                        ), !slice.isEmpty
                    else { throw StoreError(.notFound, "part \(part.number) of file upload \(id) is gone") }
                    try await writer.write(ByteBuffer(bytes: slice))
                    offset += Int64(slice.count)
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
