import Crypto
import Foundation
import GatehouseContent
import GatehouseCore
import GatehouseStore

/// Download links for uploaded files, as the API gives Notion-hosted files: a URL anyone may
/// fetch until it expires, signed with an HMAC key every node shares (`server_keys`).
///
/// A link is `<server>/files/<upload id>/<file name>?expires=<unix seconds>&signature=<base64url>`;
/// the signature covers the upload id and the expiry (the name is for the reader). Links made
/// within one clock hour are the same (they expire at the end of the hour after), so content
/// rendered twice in an hour renders alike.
struct FileLinks: Sendable {
    let keys: ServerKeys
    let issuer: OAuthIssuer
    let clock: any WallClock

    static let keyName = "file-links-hmac-v1"

    /// What signs links now (the key read once; signing is then synchronous).
    func signer() async throws -> FileLinkSigner {
        let hour = Int64(clock.now().timeIntervalSince1970) / 3600
        return FileLinkSigner(key: try await keys.key(), baseURL: issuer.value, expires: (hour + 2) * 3600)
    }

    /// Whether `signature` was made by a ``FileLinkSigner`` for upload `id` with `expires`, not yet passed.
    func isValid(id: String, expires: Int64, signature: String) async throws -> Bool {
        guard expires > Int64(clock.now().timeIntervalSince1970) else { return false }
        return try await keys.isValid(signature: signature, of: FileLinkSigner.message(id, expires))
    }
}

/// Signs file links expiring at one moment. Two signers are equal when they make the same links
/// (same server address and expiry: the key is the store's one key), which lets a page rendered
/// with one be reused under the other.
struct FileLinkSigner: Sendable, Equatable {
    let key: SymmetricKey
    let baseURL: String
    /// Unix seconds.
    let expires: Int64

    /// The link to upload `uploadID`, its path ending in `name` (the file's name), or `file`.
    func link(uploadID: String, name: String?) -> FileLink {
        let code = HMAC<SHA256>.authenticationCode(for: Data(Self.message(uploadID, expires).utf8), using: key)
        let shown =
            (name?.isEmpty == false ? name! : "file")
            .addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "#", ";"])) ?? "file"
        return FileLink(
            url: "\(baseURL)/files/\(uploadID)/\(shown)?expires=\(expires)&signature=\(Base64URL.encode(Data(code)))",
            expiryTime: ISODate.format(milliseconds: expires * 1000)
        )
    }

    static func message(_ id: String, _ expires: Int64) -> String { "file:\(id):\(expires)" }

    static func == (lhs: FileLinkSigner, rhs: FileLinkSigner) -> Bool {
        lhs.baseURL == rhs.baseURL && lhs.expires == rhs.expires
    }
}
