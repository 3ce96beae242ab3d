import Foundation
import GatehouseAdmin
import GatehouseCore
import GatehouseServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// Drives the OAuth flow through the server the way a browser and a client do: the sign-in and
/// consent forms with their cookies and CSRF fields, then the token endpoint.
struct OAuthFlow {
    let world: TestWorld
    let app: Integration
    let clientID: String
    let clientSecret: String?
    static let redirectURI = "https://client.example/callback"
    static let password = "correct horse"
    /// The cookie names over https or a non-loopback public URL (the test world's is
    /// `http://gatehouse.test`): `__Host-` names, `Secure`.
    static let sessionCookie = "__Host-gatehouse_session"
    static let signInCookie = "__Host-gatehouse_signin"
    static let deviceCookie = "__Host-gatehouse_device"

    /// A public integration of the world's workspace (whose owner will authorize it).
    static func make(
        _ world: TestWorld,
        expiring: Bool = true,
        withSecret: Bool = true,
        redirectURIs: [String] = [redirectURI],
        capabilities: Capabilities = .all
    ) async throws -> OAuthFlow {
        let (app, secret) = try await world.admin.createPublicIntegration(
            workspaceID: world.workspace.id,
            name: "Calendar Sync",
            capabilities: capabilities,
            redirectURIs: redirectURIs,
            expiringTokens: expiring,
            withSecret: withSecret
        )
        return OAuthFlow(
            world: world,
            app: app,
            clientID: app.oauthClient!.clientID,
            clientSecret: secret
        )
    }

    /// The authorize query for this client (override or drop parameters with `changes`).
    func query(_ changes: [String: String?] = [:]) -> String {
        var parameters: [String: String?] = [
            "client_id": clientID, "redirect_uri": Self.redirectURI, "response_type": "code", "owner": "user",
            "state": "st-123",
        ]
        for (key, value) in changes { parameters[key] = value }
        var components = URLComponents()
        components.queryItems = parameters.compactMap { key, value in value.map { URLQueryItem(name: key, value: $0) } }
        return components.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B")
    }

    /// Signs `email` in through the sign-in form; returns the session cookie.
    func signIn(
        _ client: any TestClientProtocol,
        email: String? = nil,
        password: String = password,
        changes: [String: String?] = [:]
    ) async throws -> String? {
        let page = try await client.send(.get, "/v1/oauth/authorize?" + query(changes))
        let csrf = try requireValue(page.field("csrf"))
        let signInCookie = try requireValue(page.cookie(Self.signInCookie))
        let response = try await client.send(
            .post,
            "/signin",
            form: [
                ("csrf", csrf), ("next", "/v1/oauth/authorize?" + query(changes)),
                ("email", email ?? world.owner.email), ("password", password),
            ],
            cookies: [Self.signInCookie: signInCookie]
        )
        return response.cookie(Self.sessionCookie)
    }

    /// Signs in, opens the consent page and answers it; returns the redirect's query items.
    func authorize(
        _ client: any TestClientProtocol,
        changes: [String: String?] = [:],
        resources: [String]? = nil,
        decision: String = "allow"
    ) async throws -> [String: String] {
        let session = try requireValue(try await signIn(client, changes: changes), "session cookie")
        let consent = try await client.send(
            .get,
            "/v1/oauth/authorize?" + query(changes),
            cookies: [Self.sessionCookie: session]
        )
        guard consent.status == 200 else {
            return try OAuthFlow.redirectParameters(consent)
        }
        var form = consent.consentForm
        form.append(("decision", decision))
        for resource in resources ?? ["database:\(world.sharedDatabase.id)"] { form.append(("share", resource)) }
        let answer = try await client.send(
            .post,
            "/v1/oauth/authorize",
            form: form,
            cookies: [Self.sessionCookie: session]
        )
        return try OAuthFlow.redirectParameters(answer)
    }

    static func redirectParameters(_ response: PageResult) throws -> [String: String] {
        guard response.status == 303, let location = response.headers[.location],
            let components = URLComponents(string: location)
        else { throw FlowError("expected a 303 redirect, got \(response.status): \(response.text.prefix(300))") }
        var parameters: [String: String] = ["_target": location.components(separatedBy: "?")[0]]
        for item in components.queryItems ?? [] { parameters[item.name] = item.value }
        return parameters
    }

    /// The body of an `authorization_code` exchange for `code` at the registered redirect URI.
    static func codeExchange(_ code: String, _ extra: [String: String] = [:]) -> [String: String] {
        ["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI].merging(extra) { $1 }
    }

    /// A token-endpoint call with HTTP Basic client authentication (JSON body), as Notion's clients send it.
    func token(
        _ client: any TestClientProtocol,
        _ body: [String: String],
        secret: String?? = nil,
        endpoint: String = "token"
    ) async throws -> APIResult {
        var headers: HTTPFields = [.contentType: "application/json"]
        let usedSecret = secret ?? clientSecret
        if let usedSecret {
            let basic = Data("\(clientID):\(usedSecret)".utf8).base64EncodedString()
            headers[.authorization] = "Basic \(basic)"
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await client.execute(
            uri: "/v1/oauth/\(endpoint)",
            method: .post,
            headers: headers,
            body: ByteBuffer(string: json)
        ) {
            APIResult($0)
        }
    }

    /// Authorizes and exchanges the code; returns the token response.
    func grant(
        _ client: any TestClientProtocol,
        resources: [String]? = nil,
        changes: [String: String?] = [:],
        verifier: String? = nil
    ) async throws -> [String: Any] {
        let redirect = try await authorize(client, changes: changes, resources: resources)
        let code = try requireValue(redirect["code"], "code")
        let result = try await token(client, Self.codeExchange(code, verifier.map { ["code_verifier": $0] } ?? [:]))
        guard result.status == 200 else { throw FlowError("token exchange failed: \(result.text)") }
        return result.json
    }
}

struct FlowError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `#require` for values in helpers that are not tests themselves.
func requireValue<Value>(_ value: Value?, _ what: String = "value") throws -> Value {
    guard let value else { throw FlowError("missing \(what)") }
    return value
}

/// What a test reads from an HTML or redirect response.
struct PageResult {
    let status: Int
    let headers: HTTPFields
    let text: String

    /// The value of a cookie the response sets.
    func cookie(_ name: String) -> String? {
        for header in headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == name { return String(pair[1]) }
        }
        return nil
    }

    /// The consent form's hidden fields (the request's parameters and the CSRF token) only.
    var consentForm: [(String, String)] {
        var seen: Set<String> = []
        return hiddenFields.filter { $0.0 != "next" && seen.insert($0.0).inserted }
    }

    /// The value of the first input named `name`.
    func field(_ name: String) -> String? {
        hiddenFields.first { $0.0 == name }?.1
    }

    /// Every hidden input's name and (unescaped) value, in order.
    var hiddenFields: [(String, String)] {
        let pattern = /<input type="hidden" name="([^"]+)" value="([^"]*)">/
        return text.matches(of: pattern).map { match in
            (String(match.1), Self.unescape(String(match.2)))
        }
    }

    static func unescape(_ html: String) -> String {
        html.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension TestClientProtocol {
    /// A browser-style request: cookies, and an urlencoded form body when `form` is given.
    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        form: [(String, String)]? = nil,
        cookies: [String: String] = [:]
    ) async throws -> PageResult {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty {
            headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let encoded = form.map {
                "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
            }
            body = ByteBuffer(string: encoded.joined(separator: "&"))
        }
        return try await execute(uri: path, method: method, headers: headers, body: body) { response in
            PageResult(
                status: Int(response.status.code),
                headers: response.headers,
                text: String(buffer: response.body)
            )
        }
    }
}
