import Foundation
import Yams

/// The OpenAPI 3.1 description of the HTTP API: `Resources/openapi.yaml` (also at
/// `docs/openapi.yaml`), served as JSON at `/v1/openapi.json`.
struct OpenAPIDocument: Sendable {
    /// The JSON served, made on the first request for it: reading the YAML costs 25 ms and 4 MiB,
    /// which a server nobody asks for its document should not pay at start-up. (A static `let` is
    /// initialized once, thread-safely; `OpenAPIContractTests` proves the bundled file loads.)
    static let served = Result { try OpenAPIDocument.load().json }

    /// The document as JSON, keys sorted.
    let json: [UInt8]
    /// Every operation the document describes, as `METHOD /path` with `{name}` parameters.
    let operations: Set<String>

    static func load() throws -> OpenAPIDocument {
        guard let url = HTMLPages.resources?.appendingPathComponent("openapi.yaml") else {
            throw OpenAPIDocumentError("openapi.yaml is missing from the bundle")
        }
        return try OpenAPIDocument(yaml: String(contentsOf: url, encoding: .utf8))
    }

    init(yaml: String) throws {
        guard let document = try Yams.load(yaml: yaml) as? [String: Any],
            let paths = document["paths"] as? [String: Any]
        else { throw OpenAPIDocumentError("openapi.yaml has no paths") }
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        var operations = Set<String>()
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where methods.contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        self.operations = operations
        json = Array(try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
    }
}

struct OpenAPIDocumentError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
