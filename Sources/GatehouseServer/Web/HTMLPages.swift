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
        var library = MustacheLibrary()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        for file in files where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        return HTMLPages(library: library)
    }

    /// A static asset (`gatehouse.css`, `console.js`) from `Resources/Assets`.
    static func asset(_ name: String) throws -> ByteBuffer {
        guard let url = resources?.appendingPathComponent("Assets/\(name)") else {
            throw HTMLPagesError("the asset \(name) is missing from the bundle")
        }
        return ByteBuffer(bytes: try Data(contentsOf: url))
    }

    /// `template` rendered with `values` (HTML-escaped by mustache), as a response.
    func render(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(values, withTemplate: template) ?? "<!doctype html><title>Gatehouse</title>"
        var response = Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html))
        )
        Self.secure(&response.headers)
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

    /// Never framed (clickjacking), never cached, never leaking the URL in a Referer.
    static func secure(_ headers: inout HTTPFields) {
        headers[.xFrameOptions] = "DENY"
        headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"
        headers[.cacheControl] = "no-store"
        headers[.referrerPolicy] = "no-referrer"
        headers[.xContentTypeOptions] = "nosniff"
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
