import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The server-rendered pages (sign-in, consent, errors): mustache templates from the target's
/// resources, every response with the headers that keep them out of frames and caches.
struct HTMLPages: Sendable {
    let library: MustacheLibrary

    /// The copied `Resources` folder of this target, wherever the platform's bundle layout puts it.
    static var resources: URL? { Bundle.module.url(forResource: "Resources", withExtension: nil) }

    /// Loads every `.mustache` file under `Resources/Templates` (names without the extension).
    static func load() throws -> HTMLPages {
        guard let directory = resources?.appendingPathComponent("Templates") else {
            throw HTMLPagesError("the template folder is missing from the bundle")
        }
        var templates: [String: String] = [:]
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        for file in files where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            templates[String(file.dropLast(".mustache".count))] = text
        }
        return try HTMLPages(templates: templates)
    }

    /// The pages from template sources by name. Every template and partial is rendered with
    /// ``ScalarHTMLEscaping`` (swift-mustache's own HTML escaping works per grapheme cluster and
    /// lets `"` followed by a combining mark through): the pragma that selects it is put in front of
    /// each source here, so a new template cannot forget it, and a template that picks a content
    /// type of its own is refused.
    init(templates: [String: String]) throws {
        MustacheContentTypes.register(ScalarHTMLEscaping(), named: ScalarHTMLEscaping.name)
        var library = MustacheLibrary()
        for (name, text) in templates {
            guard !text.contains("CONTENT_TYPE") else {
                throw HTMLPagesError("the template \(name) must not choose its own CONTENT_TYPE")
            }
            try library.register("{{% CONTENT_TYPE: \(ScalarHTMLEscaping.name) }}\n" + text, named: name)
        }
        self.library = library
    }

    /// A static asset (`gatehouse.css`, `console.js`) from `Resources/Assets`.
    static func asset(_ name: String) throws -> ByteBuffer {
        guard let url = resources?.appendingPathComponent("Assets/\(name)") else {
            throw HTMLPagesError("the asset \(name) is missing from the bundle")
        }
        return ByteBuffer(bytes: try Data(contentsOf: url))
    }

    /// `template` rendered with `values` (each `{{value}}` escaped by ``ScalarHTMLEscaping``), as a response.
    /// A page whose form leads to another origin (the consent page, whose post is answered with a
    /// redirect to the client) names that URI in `formTarget`: browsers check `form-action` against
    /// every redirect that follows a form submission too.
    func render(
        _ template: String,
        _ values: [String: Any],
        status: HTTPResponse.Status = .ok,
        formTarget: String? = nil
    ) -> Response {
        let html = library.render(values, withTemplate: template) ?? "<!doctype html><title>Gatehouse</title>"
        var response = Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html))
        )
        Self.secure(&response.headers, formTarget: formTarget)
        return response
    }

    /// An error page: for requests that must not be redirected (unknown client, bad redirect URI).
    func error(title: String, message: String, status: HTTPResponse.Status = .badRequest) -> Response {
        render("error", ["title": title, "message": message], status: status)
    }

    /// A 303 to `location` (after a form post, so the browser follows with GET).
    static func redirect(to location: String) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        secure(&response.headers)
        return response
    }

    /// Never framed (clickjacking), never cached, never leaking the URL in a Referer; forms submit
    /// only to this origin (and to the origin of `formTarget`, when given), so markup that slips
    /// into a page cannot send a form, and the CSRF token in it, elsewhere.
    static func secure(_ headers: inout HTTPFields, formTarget: String? = nil) {
        var formAction = "form-action 'self'"
        if let formTarget, let source = formActionSource(formTarget) { formAction += " " + source }
        headers[.xFrameOptions] = "DENY"
        headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; \(formAction)"
        headers[.cacheControl] = "no-store"
        headers[.referrerPolicy] = "no-referrer"
        headers[.xContentTypeOptions] = "nosniff"
    }
}

/// HTML escaping per UTF-8 byte: `<`, `>`, `&`, `"` and `'` become character references wherever
/// they occur, whatever follows them (a combining mark after `"` must not hide it, as it does from
/// an escaper that looks at whole `Character`s).
struct ScalarHTMLEscaping: MustacheContentType {
    static let name = "GATEHOUSE_HTML"

    func escapeText(_ text: String) -> String {
        Self.escape(text)
    }

    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x3C || $0 == 0x3E || $0 == 0x26 || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case 0x3C: bytes.append(contentsOf: "&lt;".utf8)
            case 0x3E: bytes.append(contentsOf: "&gt;".utf8)
            case 0x26: bytes.append(contentsOf: "&amp;".utf8)
            case 0x22: bytes.append(contentsOf: "&quot;".utf8)
            case 0x27: bytes.append(contentsOf: "&#39;".utf8)
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension HTMLPages {
    /// The CSP source expression that admits redirects to `uri`: its origin (`https://app.example:8443`)
    /// when CSP can name the host, otherwise its scheme (`com.example.app:`, or `http:` for an IPv6
    /// loopback literal, which CSP's host grammar cannot express); `nil` for anything else.
    static func formActionSource(_ uri: String) -> String? {
        guard let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased(),
            let first = scheme.unicodeScalars.first, ("a"..."z").contains(first),
            scheme.unicodeScalars.allSatisfy({ isASCIIAlphanumeric($0) || "+-.".unicodeScalars.contains($0) })
        else { return nil }
        guard scheme == "http" || scheme == "https" else { return scheme + ":" }
        guard let host = components.host?.lowercased(), !host.isEmpty,
            host.unicodeScalars.allSatisfy({ isASCIIAlphanumeric($0) || $0 == "-" || $0 == "." })
        else { return scheme + ":" }
        return components.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

struct HTMLPagesError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
