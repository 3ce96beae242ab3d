import Crypto
import Foundation

/// The successor pair of a rotated refresh token, sealed with a key derived from that refresh
/// token, so a retry within the grace window gets the same pair back while the store holds no
/// usable secret: only whoever presents the old refresh token can open the box.
public enum SuccessorBox {
    /// AES-GCM over `access` and `refresh` (newline-separated), base64.
    public static func seal(access: String, refresh: String?, with refreshToken: String) throws -> String {
        let plaintext = Data((access + "\n" + (refresh ?? "")).utf8)
        let sealed = try AES.GCM.seal(plaintext, using: key(for: refreshToken))
        guard let combined = sealed.combined else { throw CryptoKitError.incorrectParameterSize }
        return combined.base64EncodedString()
    }

    /// The pair sealed in `box`, or `nil` if `refreshToken` does not open it.
    public static func open(_ box: String, with refreshToken: String) -> (access: String, refresh: String?)? {
        guard let data = Data(base64Encoded: box),
            let sealed = try? AES.GCM.SealedBox(combined: data),
            let plaintext = try? AES.GCM.open(sealed, using: key(for: refreshToken))
        else { return nil }
        let parts = String(decoding: plaintext, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), parts[1].isEmpty ? nil : String(parts[1]))
    }

    private static func key(for refreshToken: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(refreshToken.utf8)),
            salt: Data("gatehouse refresh successor v1".utf8),
            outputByteCount: 32
        )
    }
}
