import Foundation
import GatehouseCore

/// The File Upload API's rules, without I/O: what a create request asks for, what a part sent
/// does to an upload, and when an upload may be completed. Every refusal is a
/// ``ContentValidationError`` (400 `validation_error`); nothing is written after one.
public enum FileUploadRules {
    static let mebibyte: Int64 = 1 << 20
    /// The most a `single_part` send, or one part of a `multi_part` upload, may carry.
    public static let partLimit: Int64 = 20 * mebibyte
    /// The least every part of a `multi_part` upload but its last must carry.
    public static let minimumPartSize: Int64 = 5 * mebibyte
    public static let maximumParts = 1000
    /// `filename`'s limit, in UTF-8 bytes, its extension included.
    public static let filenameLimit = 900
    /// How long an upload may wait to be attached before it expires.
    public static let lifetime: TimeInterval = 3600

    /// The largest file a workspace on `plan` may upload: 5 MiB on the free plan, 5 GiB on the
    /// others (`workspace_limits.max_file_upload_size_in_bytes` of its bots).
    public static func maximumFileSize(for plan: Plan) -> Int64 {
        plan == .free ? 5 * mebibyte : 5 * 1024 * mebibyte
    }

    /// What `POST /v1/file_uploads` asks for, checked.
    public struct Creation: Equatable, Sendable {
        public var mode: FileUploadRecord.Mode
        /// The name with its extension (inferred from `contentType` when the name had none).
        public var filename: String?
        public var contentType: String?
        public var numberOfParts: Int?
        public var externalURL: String?

        public init(
            mode: FileUploadRecord.Mode,
            filename: String? = nil,
            contentType: String? = nil,
            numberOfParts: Int? = nil,
            externalURL: String? = nil
        ) {
            self.mode = mode
            self.filename = filename
            self.contentType = contentType
            self.numberOfParts = numberOfParts
            self.externalURL = externalURL
        }
    }

    /// Reads a create request's body: `mode` (default `single_part`), `filename`, `content_type`,
    /// `number_of_parts` (1 to 1,000, required for `multi_part`, as is `filename`) and
    /// `external_url` (an `https` URL, required for `external_url` with a `filename`).
    public static func creation(from body: JSONValue) throws -> Creation {
        var mode = FileUploadRecord.Mode.singlePart
        if let value = body["mode"], value != .null {
            guard let name = value.stringValue, let parsed = FileUploadRecord.Mode(rawValue: name) else {
                throw ContentValidationError.expected(
                    "one of `single_part`, `multi_part`, `external_url`",
                    at: "body.mode",
                    got: value
                )
            }
            mode = parsed
        }
        let contentType = try optionalString(body["content_type"], at: "body.content_type").map(FileTypes.normalized)
        if let contentType { try checkSupported(contentType) }
        var filename = try optionalString(body["filename"], at: "body.filename")
        if let name = filename { filename = try named(name, contentType: contentType, at: "body.filename") }
        var creation = Creation(mode: mode, filename: filename, contentType: contentType)
        if creation.contentType == nil, let name = creation.filename,
            let fileExtension = FileTypes.fileExtension(of: name)
        {
            creation.contentType = FileTypes.types(forExtension: fileExtension)?.first
        }
        switch mode {
        case .singlePart:
            break
        case .multiPart:
            guard filename != nil else {
                throw ContentValidationError.expected(
                    "defined when `mode` is `multi_part`",
                    at: "body.filename",
                    got: nil
                )
            }
            let parts = body["number_of_parts"]
            guard case .number(let count)? = parts, count.rounded() == count, (1...Double(maximumParts)).contains(count)
            else {
                throw ContentValidationError.expected(
                    "an integer between 1 and \(maximumParts) when `mode` is `multi_part`",
                    at: "body.number_of_parts",
                    got: parts
                )
            }
            creation.numberOfParts = Int(count)
        case .externalURL:
            let value = body["external_url"]
            guard let text = value?.stringValue, let url = URL(string: text), url.scheme?.lowercased() == "https",
                url.host?.isEmpty == false
            else {
                throw ContentValidationError.expected(
                    "an https URL when `mode` is `external_url`",
                    at: "body.external_url",
                    got: value
                )
            }
            guard filename != nil else {
                throw ContentValidationError.expected(
                    "defined when `mode` is `external_url`",
                    at: "body.filename",
                    got: nil
                )
            }
            creation.externalURL = text
        }
        return creation
    }

    /// A part as `POST /v1/file_uploads/{id}/send` received it.
    public struct Part: Equatable, Sendable {
        /// `part_number` as sent (a form field, so text); `nil` when absent.
        public var number: String?
        public var size: Int64
        /// The part's own `Content-Type` and file name, when it had them.
        public var contentType: String?
        public var filename: String?

        public init(number: String?, size: Int64, contentType: String?, filename: String?) {
            self.number = number
            self.size = size
            self.contentType = contentType
            self.filename = filename
        }
    }

    /// The part number under which `part` is stored in `upload`: 1 for a `single_part` upload,
    /// `part_number` (1 to the upload's number of parts) for a `multi_part` one.
    public static func partNumber(of part: Part, in upload: FileUploadRecord) throws -> Int {
        guard upload.mode == .multiPart, let total = upload.numberOfParts else { return 1 }
        guard let text = part.number else {
            throw ContentValidationError.expected(
                "defined for a `multi_part` file upload",
                at: "body.part_number",
                got: nil
            )
        }
        guard let number = Int(text.trimmingCharacters(in: .whitespaces)), (1...total).contains(number) else {
            throw ContentValidationError.expected(
                "an integer between 1 and \(total)",
                at: "body.part_number",
                got: .string(text)
            )
        }
        return number
    }

    /// The upload once `part` is stored as part `number`; `sizes` holds every stored part's size
    /// by number, `part` included (a part sent again replaces the one before). Refused when the
    /// upload is no longer pending or takes no parts, the part breaks the size rules, its type
    /// is not the upload's, or the file outgrows `maximumFileSize`.
    public static func receiving(
        _ part: Part,
        as number: Int,
        into upload: FileUploadRecord,
        sizes: [Int: Int64],
        maximumFileSize: Int64,
        at now: Date
    ) throws -> FileUploadRecord {
        try requirePending(upload, at: now)
        var upload = upload
        switch upload.mode {
        case .externalURL:
            throw ContentValidationError(
                path: "body.file",
                message: "This file upload imports its file from `external_url`; it takes no content sent to it."
            )
        case .singlePart:
            guard part.size <= partLimit else {
                throw ContentValidationError(
                    path: "body.file",
                    message:
                        "The file is larger than 20 MiB, the most a `single_part` file upload takes. Create a `multi_part` file upload to send it in parts."
                )
            }
            if upload.filename == nil, let name = part.filename, !name.isEmpty {
                upload.filename = try named(name, contentType: upload.contentType, at: "body.file.filename")
            }
        case .multiPart:
            let total = upload.numberOfParts ?? 1
            let isLast = number == total
            guard part.size <= partLimit, isLast || part.size >= minimumPartSize else {
                throw ContentValidationError(
                    path: "body.file",
                    message:
                        "Part \(number) is \(part.size) bytes; each part must be between 5 and 20 MiB, but for the last, which may be smaller."
                )
            }
        }
        if let sent = part.contentType.map(FileTypes.normalized),
            sent != "application/octet-stream" || upload.contentType == nil
        {
            try checkSupported(sent)
            if let expected = upload.contentType, sent != expected, !extensionAllows(sent, upload.filename) {
                throw ContentValidationError(
                    path: "body.file",
                    message:
                        "The content type \(sent) of the file sent does not match the file upload's content type \(expected)."
                )
            }
            upload.contentType = sent
        }
        if upload.contentType == nil, let name = upload.filename, let fileExtension = FileTypes.fileExtension(of: name)
        {
            upload.contentType = FileTypes.types(forExtension: fileExtension)?.first
        }
        guard let contentType = upload.contentType else {
            throw ContentValidationError(
                path: "body.file",
                message: "Provided `filename` has an extension that is not supported for the File Upload API."
            )
        }
        if let name = upload.filename {
            // The type may have come with the part: the name must agree with it, or take its extension.
            upload.filename = try named(name, contentType: contentType, at: "body.file.filename")
        }
        let total = sizes.values.reduce(0, +)
        try checkSize(total, limit: maximumFileSize)
        upload.contentLength = total
        upload.partsSent = sizes.count
        upload.lastEditedAt = now
        if upload.mode == .singlePart { upload.storedStatus = .uploaded }
        return upload
    }

    /// The upload completed: a pending `multi_part` upload whose every part was sent.
    public static func completing(_ upload: FileUploadRecord, at now: Date) throws -> FileUploadRecord {
        try requirePending(upload, at: now)
        guard upload.mode == .multiPart, let total = upload.numberOfParts else {
            throw ContentValidationError(
                path: "body",
                message: "Only a `multi_part` file upload is completed; this one is `\(upload.mode.rawValue)`."
            )
        }
        guard upload.partsSent == total else {
            throw ContentValidationError(
                path: "body",
                message:
                    "Send every part before completing the file upload: \(upload.partsSent) of \(total) parts were sent."
            )
        }
        var upload = upload
        upload.storedStatus = .uploaded
        upload.lastEditedAt = now
        return upload
    }

    static func requirePending(_ upload: FileUploadRecord, at now: Date) throws {
        let status = upload.status(at: now)
        guard status == .pending else {
            throw ContentValidationError(
                path: "body",
                message:
                    "File upload \(upload.id) is `\(status.rawValue)`; only a `pending` file upload takes content or is completed."
            )
        }
    }

    static func checkSize(_ size: Int64, limit: Int64) throws {
        guard size <= limit else {
            let shown = limit >= 1024 * mebibyte ? "\(limit / (1024 * mebibyte)) GiB" : "\(limit / mebibyte) MiB"
            throw ContentValidationError(
                path: "body.file",
                message:
                    "The file size is not within the allowed limit of \(shown). Please try again with a new file upload."
            )
        }
    }

    static func checkSupported(_ type: String) throws {
        guard FileTypes.isSupported(type: type) else {
            throw ContentValidationError(
                path: "body.content_type",
                message: "The content type \(type.prefix(100)) is not supported for the File Upload API."
            )
        }
    }

    /// Whether the extension of `filename` takes `type` too (`.mp4` is sent as `video/mp4` as
    /// well as the `application/mp4` inferred from it).
    static func extensionAllows(_ type: String, _ filename: String?) -> Bool {
        guard let filename, let fileExtension = FileTypes.fileExtension(of: filename) else { return false }
        return FileTypes.types(forExtension: fileExtension)?.contains(type) ?? false
    }

    /// `name` checked: at most 900 bytes, its extension supported and agreeing with
    /// `contentType`; a name without an extension is given `contentType`'s.
    static func named(_ name: String, contentType: String?, at path: String) throws -> String {
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ContentValidationError.expected(
                "a file name without control characters",
                at: path,
                got: .string(name)
            )
        }
        var name = name
        if let fileExtension = FileTypes.fileExtension(of: name) {
            guard let types = FileTypes.types(forExtension: fileExtension) else {
                throw ContentValidationError(
                    path: path,
                    message: "Provided `filename` has an extension that is not supported for the File Upload API."
                )
            }
            if let contentType, !types.contains(contentType) {
                throw ContentValidationError(
                    path: path,
                    message:
                        "Provided `filename` has the extension .\(fileExtension), which does not match the content type \(contentType)."
                )
            }
        } else if let contentType, let fileExtension = FileTypes.preferredExtension(for: contentType) {
            name += ".\(fileExtension)"
        }
        guard name.utf8.count <= filenameLimit else {
            throw ContentValidationError.expected("at most \(filenameLimit) bytes long", at: path, got: .string(name))
        }
        return name
    }

    static func optionalString(_ value: JSONValue?, at path: String) throws -> String? {
        guard let value, value != .null else { return nil }
        guard let text = value.stringValue else {
            throw ContentValidationError.expected("a string", at: path, got: value)
        }
        return text
    }
}
