import Foundation
import GatehouseContent
import GatehouseCore
import NIOCore

/// The form fields a send request carries in its `multipart/form-data` body, parsed by
/// multipart-kit's parser (``MultipartParser``, vendored): the parts named in `keeping`, the first
/// of each name. Other parts are skipped as they stream by, and a body of more than
/// ``maximumParts`` parts is refused, so no body makes the server hold more than its own bytes.
struct MultipartForm {
    /// One part: its headers (names lowercased) and content.
    struct Part {
        var headers: [(name: String, value: String)]
        var body: ByteBuffer

        func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

        /// The `filename` parameter of the part's `Content-Disposition`.
        var filename: String? {
            header("content-disposition").flatMap { HeaderParameters.value(of: "filename", in: $0) }
        }

        /// The part's own `Content-Type`, when it has one.
        var contentType: String? { header("content-type") }
    }

    static let maximumParts = 16

    var parts: [String: Part]

    /// Parses `body` with the boundary its `contentType` names; anything else (another media
    /// type, no boundary, a body that is not multipart) is the API's `validation_error`.
    static func parse(
        _ body: ByteBuffer,
        contentType: String?,
        keeping names: Set<String>
    ) throws(APIError)
        -> MultipartForm
    {
        guard let contentType,
            FileTypes.normalized(contentType) == "multipart/form-data",
            let boundary = HeaderParameters.value(of: "boundary", in: contentType),
            !boundary.isEmpty, boundary.utf8.count <= 200
        else {
            throw .validation(
                "Content-Type should be multipart/form-data with a boundary: send the file under the form field `file`."
            )
        }
        var kept: [String: Part] = [:]
        var count = 0
        var current = Part(headers: [], body: ByteBuffer())
        // The name the current part is kept under, decided once its headers are read (at its
        // first chunk of content, or its end); `.some(nil)`: skipped.
        var keptName: String??
        func decide() -> String? {
            if let decided = keptName { return decided }
            let name = current.header("content-disposition").flatMap { HeaderParameters.value(of: "name", in: $0) }
            let decided = name.flatMap { names.contains($0) && kept[$0] == nil ? $0 : nil }
            keptName = .some(decided)
            return decided
        }
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in current.headers.append((name.lowercased(), value)) }
        parser.onBody = { chunk in
            // Only the content of a part that is kept is held.
            if decide() != nil { current.body.writeBuffer(&chunk) }
        }
        parser.onPartComplete = {
            count += 1
            if let name = decide() { kept[name] = current }
            current = Part(headers: [], body: ByteBuffer())
            keptName = nil
        }
        do {
            try parser.execute(body)
        } catch {
            throw .validation("The body is not valid multipart/form-data: send the file under the form field `file`.")
        }
        guard count <= maximumParts else {
            throw .validation("The form has \(count) parts; send the file under `file` and, for a part, `part_number`.")
        }
        return MultipartForm(parts: kept)
    }
}

/// Reading one parameter of a header value such as `form-data; name="file"; filename="a; b.png"`
/// or `multipart/form-data; charset=utf-8; boundary=x`: a token or a quoted string (RFC 9110
/// §5.6.6), whose `\` escapes are undone. Parameter names compare without case; the text is read
/// scalar by scalar, so a combining mark never merges with a quote or a separator.
enum HeaderParameters {
    static func value(of parameter: String, in header: String) -> String? {
        var scalars = Substring(header).unicodeScalars
        // Past the value before the first `;` (the media type or disposition).
        guard skipToSemicolon(&scalars) else { return nil }
        while !scalars.isEmpty {
            scalars = scalars.drop { $0 == " " || $0 == "\t" }
            let name = String(String.UnicodeScalarView(scalars.prefix { $0 != "=" && $0 != ";" }))
            scalars = scalars.dropFirst(name.unicodeScalars.count)
            guard scalars.first == "=" else {
                if !skipToSemicolon(&scalars) { return nil }
                continue
            }
            scalars = scalars.dropFirst().drop { $0 == " " || $0 == "\t" }
            var value = String.UnicodeScalarView()
            if scalars.first == "\"" {
                scalars = scalars.dropFirst()
                var escaped = false
                while let scalar = scalars.first {
                    scalars = scalars.dropFirst()
                    if escaped {
                        value.append(scalar)
                        escaped = false
                    } else if scalar == "\\" {
                        escaped = true
                    } else if scalar == "\"" {
                        break
                    } else {
                        value.append(scalar)
                    }
                }
            } else {
                let token = scalars.prefix { $0 != ";" }
                scalars = scalars.dropFirst(token.count)
                value.append(contentsOf: token)
            }
            if name.trimmingCharacters(in: .whitespaces).lowercased() == parameter {
                return String(value).trimmingCharacters(in: .whitespaces)
            }
            if !skipToSemicolon(&scalars) { return nil }
        }
        return nil
    }

    /// Moves past the next `;` outside quotes; false when there is none.
    private static func skipToSemicolon(_ scalars: inout Substring.UnicodeScalarView) -> Bool {
        var quoted = false
        var escaped = false
        while let scalar = scalars.first {
            scalars = scalars.dropFirst()
            if escaped {
                escaped = false
            } else if quoted, scalar == "\\" {
                escaped = true
            } else if scalar == "\"" {
                quoted.toggle()
            } else if scalar == ";", !quoted {
                return true
            }
        }
        return false
    }
}
