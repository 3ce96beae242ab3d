import GatehouseCore

/// The body of `PATCH /v1/blocks/{id}`, merged into the stored content.
public struct BlockUpdate: Sendable, Equatable {
    /// The stored content with the request's fields applied (unchanged if only trash was sent).
    public var content: BlockContent
    /// The trash state asked for (`in_trash`, or `archived` before 2026-03-11); `nil` to keep it.
    public var inTrash: Bool?

    /// Types whose content no request may change: pages and databases are renamed through their own
    /// endpoints, link previews and unsupported blocks are read-only. Trashing them is allowed.
    static let readOnlyTypes: Set<BlockType> = [.childPage, .childDatabase, .linkPreview, .unsupported, .columnList]

    /// Parses `body` against the block's `current` content for `version`.
    ///
    /// The type cannot change: only the current type's key may carry a payload, and within it only
    /// the fields that type has (`checked` for `to_do`, `is_toggleable` for headings, `cells` of the
    /// same width for `table_row`…). `table_width` and `children` are refused.
    public static func parse(_ body: JSONValue, current: BlockContent, version: NotionVersion) throws -> BlockUpdate {
        let members = try FieldReading.object(body, at: "body")
        let inTrash = try parseTrash(body, version: version)
        let typeName = current.unsupportedType ?? current.type.rawValue
        if let declared = body["type"], declared.stringValue != typeName {
            throw ContentValidationError.expected("`\"\(typeName)\"`, the block's type", at: "body.type", got: declared)
        }
        let typeNames = Set(BlockType.allCases.map(\.rawValue)).union(BlockType.storedAsUnsupported)
        for (key, value) in members where typeNames.contains(key) && key != typeName {
            throw ContentValidationError(
                path: "body.\(key)",
                message: "body.\(key) should be not present: the block is a \(typeName) and its type cannot change, "
                    + "instead was \(value.typeName)."
            )
        }
        guard let payload = body[typeName] else {
            return BlockUpdate(content: current, inTrash: inTrash)
        }
        let path = "body.\(typeName)"
        let fields = try FieldReading.object(payload, at: path)
        if readOnlyTypes.contains(current.type), !fields.isEmpty {
            throw ContentValidationError(
                path: path,
                message:
                    "\(path) cannot be updated: a \(typeName) block is changed through its own endpoint or not at all."
            )
        }
        if let children = payload["children"] {
            throw ContentValidationError.expected(
                "not present (append children instead)",
                at: "\(path).children",
                got: children
            )
        }
        let content = try current.applying(fields, at: path, version: version, creating: false)
        return BlockUpdate(content: content, inTrash: inTrash)
    }

    /// `in_trash`, or before 2026-03-11 its deprecated alias `archived`; both must agree.
    private static func parseTrash(_ body: JSONValue, version: NotionVersion) throws -> Bool? {
        let inTrash = try body["in_trash"].map { try FieldReading.bool($0, at: "body.in_trash", default: false) }
        guard let archivedValue = body["archived"] else { return inTrash }
        if version.value >= "2026-03-11" {
            throw ContentValidationError.expected(
                "not present (use `in_trash`)",
                at: "body.archived",
                got: archivedValue
            )
        }
        let archived = try FieldReading.bool(archivedValue, at: "body.archived", default: false)
        if let inTrash, inTrash != archived {
            throw ContentValidationError.expected("the same as `in_trash`", at: "body.archived", got: archivedValue)
        }
        return archived
    }
}
