import Foundation
import Testing

@testable import GatehouseClient

@Suite struct SecretSafetyTests {
    @Test func noDescriptionCarriesACredential() async throws {
        let token = "secret_clientTestToken1234567890"
        let configuration = ClientConfiguration(token: token)
        let tokens = OAuthTokens(
            accessToken: Secret("nap_accessValue0123456789"),
            refreshToken: Secret("nrt_refreshValue0123456789"),
            expiresAt: nil,
            botID: "b",
            workspaceID: "w",
            workspaceName: nil
        )
        let error = NotionError(status: 401, code: .unauthorized, message: "token \(token) and Bearer abcdef123456")
        var dumped = ""
        dump(tokens, to: &dumped)
        dump(configuration, to: &dumped)
        let texts = [
            String(describing: configuration), String(reflecting: configuration), String(describing: tokens),
            String(reflecting: tokens), "\(error)", error.message, dumped, String(describing: Secret(token)),
        ]
        for text in texts {
            #expect(!text.contains("clientTestToken"), "\(text)")
            #expect(!text.contains("accessValue"), "\(text)")
            #expect(!text.contains("refreshValue"), "\(text)")
            #expect(!text.contains("abcdef123456"), "\(text)")
        }
        let request = OAuthClient(clientID: "c", clientSecret: "ncs_secretValue0123", redirectURI: "https://a/cb")
            .authorizationRequest()
        #expect(!"\(request)".contains(request.codeVerifier.value))
    }
}
