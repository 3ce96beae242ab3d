import GatehouseCore

/// The `icon` and `cover` of `POST /v1/pages` and `PATCH /v1/pages/{id}`.
///
/// An icon is an emoji or an external image, a cover an external image (notion-sdk-js
/// `src/api-endpoints/pages.ts`: `icon`, `cover` of `CreatePageBodyParameters` and
/// `UpdatePageBodyParameters`); `null` removes one. File uploads and custom emojis are refused:
/// Gatehouse keeps no files.
public struct PageAppearance: Equatable, Sendable {
    /// `nil` when the body leaves the icon as it is; `.some(nil)` when it removes it.
    public var icon: Icon??
    /// The cover's external URL, in the same way.
    public var cover: String??

    public init(icon: Icon?? = nil, cover: String?? = nil) {
        self.icon = icon
        self.cover = cover
    }

    /// Reads `body.icon` and `body.cover`.
    public static func parse(_ body: JSONValue) throws -> PageAppearance {
        var appearance = PageAppearance()
        if let icon = body["icon"] {
            appearance.icon = .some(icon.isNull ? nil : try Icon.parse(icon, at: "body.icon"))
        }
        if let cover = body["cover"] {
            appearance.cover = .some(cover.isNull ? nil : try coverURL(cover, at: "body.cover"))
        }
        return appearance
    }

    /// Sets what the body set on `page`.
    public func apply(to page: inout PageRecord) {
        if let icon { page.icon = icon }
        if let cover { page.cover = cover }
    }

    /// A cover in the response form, `{type: "external", external: {url}}`.
    public static func renderedCover(_ url: String) -> JSONValue {
        ["type": "external", "external": ["url": .string(url)]]
    }

    /// `{type?: "external", external: {url}}`.
    private static func coverURL(_ value: JSONValue, at path: String) throws -> String {
        _ = try FieldReading.object(value, at: path)
        let type = try FieldReading.typeKey(of: value, at: path, known: ["external", "file_upload"])
        guard type == "external" else {
            throw ContentValidationError(
                path: "\(path).\(type)",
                message: "\(path).\(type) is not supported by Gatehouse; use an `external` url."
            )
        }
        _ = try FieldReading.object(value["external"], at: "\(path).external")
        return try BlockContent.url(value["external"]?["url"], at: "\(path).external.url")
    }
}
