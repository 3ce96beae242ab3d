import Foundation
import GatehouseCore

/// The client credentials a token, introspection or revocation request presents (RFC 6749
/// §2.3.1), read from the HTTP request: HTTP Basic (as the official clients send it) or
/// `client_id`/`client_secret` in the body (as the seed shows).
struct OAuthClientCredentials: Sendable {
    var clientID: String
    var secret: String?
    /// Sent as HTTP Basic (the 401 then carries `WWW-Authenticate`).
    var viaBasic: Bool

    init(clientID: String, secret: String?, viaBasic: Bool) {
        self.clientID = clientID
        self.secret = secret
        self.viaBasic = viaBasic
    }

    /// Reads HTTP Basic (as the official clients send it) or `client_id`/`client_secret` in the
    /// body (as the seed shows). A body may repeat the Basic `client_id` (the MCP Python SDK and
    /// others send it along, as RFC 6749 §4.1.3 asks of clients that do not authenticate); a
    /// secret in both places, or two different ids, is refused.
    init(authorization: [String], parameters: [String: String]) throws(OAuthError) {
        if authorization.count > 1 { throw .invalidRequest("Send one Authorization header.") }
        if let header = authorization.first {
            guard let encoded = AuthorizationHeader.credentials("basic", in: header),
                let pair = Self.base64Decoded(encoded),
                let (id, secret) = pair.withUnsafeBytes({ Self.splitBasicPair($0.assumingMemoryBound(to: UInt8.self)) })
            else {
                throw .invalidClient("Client authentication failed: use HTTP Basic with client_id and client_secret.")
            }
            if parameters["client_secret"] != nil || parameters["client_id"].map({ $0 != id }) == true {
                throw .invalidRequest("Authenticate the client one way: HTTP Basic or the body, not both.")
            }
            self.init(clientID: id, secret: secret.isEmpty ? nil : secret, viaBasic: true)
            return
        }
        guard let id = parameters["client_id"], !id.isEmpty else {
            throw .invalidClient("Client authentication failed: send client_id and client_secret (HTTP Basic).")
        }
        self.init(clientID: id, secret: parameters["client_secret"], viaBasic: false)
    }

    /// The client id and secret of a decoded Basic pair, split at the first colon. RFC 6749
    /// §2.3.1: both are form-urlencoded before joining; `nil` when either is not valid UTF-8 or
    /// holds a bad escape.
    private static func splitBasicPair(_ pair: UnsafeBufferPointer<UInt8>) -> (String, String)? {
        guard let colon = pair.firstIndex(of: UInt8(ascii: ":")),
            let id = FormFields.decode(bytes: pair[..<colon]),
            let secret = FormFields.decode(bytes: pair[(colon + 1)...])
        else { return nil }
        return (id, secret)
    }

    /// The bytes of Basic credentials (RFC 7617), spaces within the base64 ignored.
    private static func base64Decoded(_ encoded: Substring) -> Data? {
        guard encoded.utf8.contains(UInt8(ascii: " ")) else { return Data(base64Encoded: String(encoded)) }
        return Data(base64Encoded: Data(encoded.utf8.filter { $0 != UInt8(ascii: " ") }))
    }
}
