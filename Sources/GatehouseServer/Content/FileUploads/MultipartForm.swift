import Foundation
import GatehouseCore
import Hummingbird
import MultipartKit
import NIOCore

/// A `multipart/form-data` body, parsed by MultipartKit: its parts in order.
struct MultipartForm {
    var parts: [MultipartPart]

    /// Parses `body` with the boundary its `contentType` names; anything else (another media
    /// type, no boundary, a body that is not multipart) is the API's `validation_error`.
    static func parse(_ body: ByteBuffer, contentType: String?) throws(APIError) -> MultipartForm {
        guard let contentType, let mediaType = MediaType(from: contentType), mediaType.isType(.multipartForm),
            let parameter = mediaType.parameter, parameter.name.lowercased() == "boundary", !parameter.value.isEmpty
        else {
            throw .validation(
                "Content-Type should be multipart/form-data with a boundary: send the file under the form field `file`."
            )
        }
        var parts: [MultipartPart] = []
        var headers = HTTPHeaders()
        var content = ByteBuffer()
        let parser = MultipartParser(boundary: parameter.value)
        parser.onHeader = { name, value in headers.add(name: name, value: value) }
        parser.onBody = { chunk in content.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append(MultipartPart(headers: headers, body: content))
            headers = HTTPHeaders()
            content = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            throw .validation("The body is not valid multipart/form-data: send the file under the form field `file`.")
        }
        return MultipartForm(parts: parts)
    }

    /// The first part named `name`.
    func part(named name: String) -> MultipartPart? {
        parts.first { $0.name == name }
    }
}

extension MultipartPart {
    /// The `filename` parameter of the part's `Content-Disposition`, unquoted.
    var filename: String? {
        guard let disposition = headers.first(name: "Content-Disposition") else { return nil }
        for parameter in disposition.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "filename" else {
                continue
            }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value
        }
        return nil
    }

    /// The part's own `Content-Type`, when it has one.
    var contentType: String? { headers.first(name: "Content-Type") }
}
