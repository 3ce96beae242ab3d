import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import Testing

@testable import GatehouseServer

@Suite struct ClientCredentialsTests {
    static func basic(_ pair: String, scheme: String = "Basic ") -> String {
        scheme + Data(pair.utf8).base64EncodedString()
    }

    static func errorCode(_ authorization: [String], _ parameters: [String: String] = [:]) -> String? {
        do {
            _ = try OAuthClientCredentials(authorization: authorization, parameters: parameters)
            return nil
        } catch {
            return error.error
        }
    }

    @Test func basicCredentialsAreReadInAnyCaseAndFormDecoded() throws {
        let plain = try OAuthClientCredentials(authorization: [Self.basic("app:ncs_secret")], parameters: [:])
        #expect(plain.clientID == "app" && plain.secret == "ncs_secret" && plain.viaBasic)
        let loose = try OAuthClientCredentials(
            authorization: [Self.basic("a%3Ab:s%20t", scheme: "bAsIc   ")],
            parameters: [:]
        )
        #expect(loose.clientID == "a:b" && loose.secret == "s t")
        let noSecret = try OAuthClientCredentials(authorization: [Self.basic("public-app:")], parameters: [:])
        #expect(noSecret.clientID == "public-app" && noSecret.secret == nil)
        let body = try OAuthClientCredentials(
            authorization: [],
            parameters: ["client_id": "app", "client_secret": "s"]
        )
        #expect(body.clientID == "app" && body.secret == "s" && !body.viaBasic)
    }

    @Test func theFirstColonSplitsTheBytesAndSpacesInTheBase64AreIgnored() throws {
        // A combining mark after the colon forms one character with it; the split is on bytes.
        let marked = try OAuthClientCredentials(authorization: [Self.basic("app:\u{301}s")], parameters: [:])
        #expect(marked.clientID == "app" && marked.secret == "\u{301}s")
        let twoColons = try OAuthClientCredentials(authorization: [Self.basic("app:s:t")], parameters: [:])
        #expect(twoColons.clientID == "app" && twoColons.secret == "s:t")
        let encoded = Data("app:secret".utf8).base64EncodedString()
        let spaced = "Basic " + encoded.prefix(4) + " " + encoded.dropFirst(4) + " "
        let folded = try OAuthClientCredentials(authorization: [spaced], parameters: [:])
        #expect(folded.clientID == "app" && folded.secret == "secret")
    }

    @Test func malformedOrAmbiguousClientCredentialsAreRefused() {
        #expect(Self.errorCode(["Basic"]) == "invalid_client")
        #expect(Self.errorCode(["Basic "]) == "invalid_client")
        #expect(Self.errorCode(["Basic !!!notbase64"]) == "invalid_client")
        #expect(Self.errorCode(["Basicx " + Data("a:b".utf8).base64EncodedString()]) == "invalid_client")
        #expect(Self.errorCode(["Basic " + Data([0x61, 0x3A, 0xFF, 0xFE]).base64EncodedString()]) == "invalid_client")
        #expect(Self.errorCode(["Basic " + Data("no-colon".utf8).base64EncodedString()]) == "invalid_client")
        // A bad escape in the secret refuses the client rather than reading as no secret.
        #expect(Self.errorCode([Self.basic("public-app:%zz")]) == "invalid_client")
        #expect(Self.errorCode([Self.basic("%zz:secret")]) == "invalid_client")
        #expect(Self.errorCode(["Bearer secret_x"]) == "invalid_client")
        #expect(Self.errorCode([Self.basic("a:b"), Self.basic("c:d")]) == "invalid_request")
        // The body may repeat the Basic id (as the MCP Python SDK sends it), nothing more.
        #expect(Self.errorCode([Self.basic("a:b")], ["client_id": "a"]) == nil)
        #expect(Self.errorCode([Self.basic("a:b")], ["client_id": "c"]) == "invalid_request")
        #expect(Self.errorCode([Self.basic("a:b")], ["client_secret": "b"]) == "invalid_request")
        #expect(Self.errorCode([], [:]) == "invalid_client")
    }
}
