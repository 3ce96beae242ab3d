import GatehouseCore

/// The `icon` and `cover` of `POST /v1/pages` and `PATCH /v1/pages/{id}`.
///
/// An icon is an emoji, an external image or an uploaded file, a cover an external image or an
/// uploaded file (notion-sdk-js `src/api-endpoints/pages.ts`: `icon`, `cover` of
/// `CreatePageBodyParameters` and `UpdatePageBodyParameters`); `null` removes one. Custom emojis
/// are refused: Gatehouse has none.
public struct PageAppearance: Equatable, Sendable {
    /// `nil` when the body leaves the icon as it is; `.some(nil)` when it removes it.
    public var icon: Icon??
    /// The cover, in the same way.
    public var cover: PageCover??

    public init(icon: Icon?? = nil, cover: PageCover?? = nil) {
        self.icon = icon
        self.cover = cover
    }

    /// Reads `body.icon` and `body.cover`.
    public static func parse(_ body: JSONValue) throws -> PageAppearance {
        var appearance = PageAppearance()
        if let icon = body["icon"] {
            appearance.icon = .some(icon.isNull ? nil : try parseIcon(icon, at: "body.icon"))
        }
        if let cover = body["cover"] {
            appearance.cover = .some(cover.isNull ? nil : try parseCover(cover, at: "body.cover"))
        }
        return appearance
    }

    /// Sets what the body set on `page`.
    public func apply(to page: inout PageRecord) {
        if let icon { page.icon = icon }
        if let cover { page.cover = cover }
    }

    /// The uploads the body sets as the icon or the cover, with their places.
    public var fileUploadPlacements: [(id: String, placement: FileUploadPlacement)] {
        var placements: [(id: String, placement: FileUploadPlacement)] = []
        if case .fileUpload(let id)?? = icon { placements.append((id, .pageIcon)) }
        if case .fileUpload(let id)?? = cover { placements.append((id, .pageCover)) }
        return placements
    }

    /// An icon in the response form; an uploaded file as a hosted `file` with its link.
    public static func renderedIcon(_ icon: Icon, resolving resolver: some MentionResolver) -> JSONValue {
        guard case .fileUpload(let id) = icon else { return icon.rendered }
        return hostedFile(id, resolving: resolver)
    }

    /// A cover in the response form: `{type: "external", external: {url}}`, or an uploaded file
    /// as a hosted `file` with its link.
    public static func renderedCover(_ cover: PageCover, resolving resolver: some MentionResolver) -> JSONValue {
        switch cover {
        case .external(let url): ["type": "external", "external": ["url": .string(url)]]
        case .fileUpload(let id): hostedFile(id, resolving: resolver)
        }
    }

    /// The request form of an icon or a cover (what a workspace fixture keeps): an uploaded file
    /// by id, anything else as rendered.
    public static func requestForm(of icon: Icon) -> JSONValue {
        guard case .fileUpload(let id) = icon else { return icon.rendered }
        return ["type": "file_upload", "file_upload": ["id": .string(id)]]
    }

    public static func requestForm(of cover: PageCover) -> JSONValue {
        switch cover {
        case .external: renderedCover(cover, resolving: UnresolvedMentions())
        case .fileUpload(let id): ["type": "file_upload", "file_upload": ["id": .string(id)]]
        }
    }

    static func hostedFile(_ id: String, resolving resolver: some MentionResolver) -> JSONValue {
        let link = resolver.fileLink(uploadID: id, name: nil)
        return [
            "type": "file",
            "file": ["url": .string(link?.url ?? ""), "expiry_time": link.map { .string($0.expiryTime) } ?? .null],
        ]
    }

    /// `{type?: "emoji", emoji}`, `{type?: "external", external: {url}}` or
    /// `{type?: "file_upload", file_upload: {id}}`.
    private static func parseIcon(_ value: JSONValue, at path: String) throws -> Icon {
        _ = try FieldReading.object(value, at: path)
        let type = try FieldReading.typeKey(
            of: value,
            at: path,
            known: ["emoji", "external", "file_upload", "custom_emoji"]
        )
        switch type {
        case "file_upload": return .fileUpload(id: try uploadID(value, at: path))
        case "custom_emoji":
            throw ContentValidationError(
                path: "\(path).custom_emoji",
                message: "\(path).custom_emoji is not supported by Gatehouse: it has no custom emojis."
            )
        default: return try Icon.parse(value, at: path)
        }
    }

    /// `{type?: "external", external: {url}}` or `{type?: "file_upload", file_upload: {id}}`.
    private static func parseCover(_ value: JSONValue, at path: String) throws -> PageCover {
        _ = try FieldReading.object(value, at: path)
        let type = try FieldReading.typeKey(of: value, at: path, known: ["external", "file_upload"])
        switch type {
        case "file_upload":
            return .fileUpload(id: try uploadID(value, at: path))
        case "external":
            _ = try FieldReading.object(value["external"], at: "\(path).external")
            return .external(url: try BlockContent.url(value["external"]?["url"], at: "\(path).external.url"))
        default:
            throw ContentValidationError(
                path: "\(path).\(type)",
                message: "\(path).\(type) is not a cover: send `external` or `file_upload`."
            )
        }
    }

    private static func uploadID(_ value: JSONValue, at path: String) throws -> String {
        _ = try FieldReading.object(value["file_upload"], at: "\(path).file_upload")
        return try FieldReading.id(value["file_upload"]?["id"], at: "\(path).file_upload.id")
    }
}
