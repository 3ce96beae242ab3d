import Crypto
import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// Download links for uploaded files, as the API gives Notion-hosted files: a URL anyone may
/// fetch until it expires, signed with an HMAC key every node shares (`server_keys`).
///
/// A link is `<server>/files/<upload id>/<file name>?expires=<unix seconds>&signature=<base64url>`;
/// the signature covers the upload id and the expiry. Links made within one clock hour are the same
/// (they expire at the end of the hour after), so a page rendered twice in an hour renders alike.
struct FileLinks: Sendable {
    let keys: ServerKeys
    let issuer: OAuthIssuer
    let clock: any WallClock

    static let keyName = "file-links-hmac-v1"

    /// The link to `upload`'s file.
    func link(to upload: FileUploadRecord) async throws -> FileLink {
        let hour = Int64(clock.now().timeIntervalSince1970) / 3600
        let expires = (hour + 2) * 3600
        let signature = try await keys.signature(of: Self.message(upload.id, expires))
        let name =
            (upload.filename ?? "file").addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
            ?? "file"
        return FileLink(
            url: "\(issuer.value)/files/\(upload.id)/\(name)?expires=\(expires)&signature=\(signature)",
            expiryTime: ISODate.format(milliseconds: expires * 1000)
        )
    }

    /// Whether `signature` was made by ``link(to:)`` for upload `id` with `expires`, not yet passed.
    func isValid(id: String, expires: Int64, signature: String) async throws -> Bool {
        guard expires > Int64(clock.now().timeIntervalSince1970) else { return false }
        return try await keys.isValid(signature: signature, of: Self.message(id, expires))
    }

    private static func message(_ id: String, _ expires: Int64) -> String { "file:\(id):\(expires)" }
}
