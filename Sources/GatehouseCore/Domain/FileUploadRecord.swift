import Foundation

/// A file upload as stored: a file an integration sends (in one request or in parts) to attach
/// to blocks, `files` properties, icons and covers afterwards.
public struct FileUploadRecord: Sendable, Equatable {
    /// How the file reaches the server.
    public enum Mode: String, Sendable, CaseIterable {
        case singlePart = "single_part"
        case multiPart = "multi_part"
        case externalURL = "external_url"
    }

    /// Where the upload stands; `expired` is never stored but read off the clock (``status(at:)``).
    public enum Status: String, Sendable, CaseIterable {
        case pending, uploaded, expired, failed
    }

    public var id: String
    public var workspaceID: String
    /// The bot user of the integration that created it: the only one that sees it.
    public var createdBy: String
    public var createdAt: Date
    public var lastEditedAt: Date
    /// When an upload not yet attached expires; `nil` once it was attached somewhere.
    public var expiresAt: Date?
    /// `pending`, `uploaded` or `failed`, as stored.
    public var storedStatus: Status
    public var mode: Mode
    public var filename: String?
    public var contentType: String?
    /// The bytes received so far (the sum of the parts sent), `nil` before any.
    public var contentLength: Int64?
    /// How many parts a `multi_part` upload has, and how many of them were sent.
    public var numberOfParts: Int?
    public var partsSent: Int
    /// The URL an `external_url` upload names.
    public var externalURL: String?
    /// Why an import failed, as the `file_import_result.error` it is shown with.
    public var importError: FileImportError?

    public init(
        id: String,
        workspaceID: String,
        createdBy: String,
        createdAt: Date,
        lastEditedAt: Date,
        expiresAt: Date?,
        storedStatus: Status,
        mode: Mode,
        filename: String? = nil,
        contentType: String? = nil,
        contentLength: Int64? = nil,
        numberOfParts: Int? = nil,
        partsSent: Int = 0,
        externalURL: String? = nil,
        importError: FileImportError? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.lastEditedAt = lastEditedAt
        self.expiresAt = expiresAt
        self.storedStatus = storedStatus
        self.mode = mode
        self.filename = filename
        self.contentType = contentType
        self.contentLength = contentLength
        self.numberOfParts = numberOfParts
        self.partsSent = partsSent
        self.externalURL = externalURL
        self.importError = importError
    }

    /// The status at `now`: a pending or uploaded upload whose expiry has passed is `expired`.
    public func status(at now: Date) -> Status {
        guard storedStatus != .failed, let expiresAt, expiresAt <= now else { return storedStatus }
        return .expired
    }
}

/// Why importing a file failed: the `error` of a file upload's `file_import_result`.
public struct FileImportError: Sendable, Equatable, Codable {
    /// `validation_error`, `internal_system_error`, `download_error` or `upload_error`.
    public var type: String
    public var code: String
    public var message: String
    public var parameter: String?

    public init(type: String, code: String, message: String, parameter: String?) {
        self.type = type
        self.code = code
        self.message = message
        self.parameter = parameter
    }
}
