import GatehouseCore

/// Where an append puts its blocks: `position` (`start`, `end`, `after_block`) or the older `after`.
public enum AppendPosition: Sendable, Equatable {
    case end
    case start
    /// After the sibling `id`; `path` names the field for the error if it is not a sibling.
    case afterBlock(id: String, path: String)
}

/// The body of `PATCH /v1/blocks/{id}/children`, validated.
public struct AppendRequest: Sendable, Equatable {
    public var children: [BlockDraft]
    public var position: AppendPosition

    /// Parses the body for `version`: `after` is refused from 2026-03-11 on, where `position`
    /// replaces it; giving both is refused. `parent` is the stored content of the block appended
    /// to (`nil` for a page, including a `child_page` block): rows appended to a table must be as
    /// wide as it. The whole body is checked before anything is written.
    public static func parse(
        _ body: JSONValue,
        version: NotionVersion,
        parent: BlockContent? = nil
    ) throws -> AppendRequest {
        let parentType = parent?.type
        _ = try FieldReading.object(body, at: "body")
        if parent?.syncedFrom != nil {
            throw ContentValidationError(
                path: "body.children",
                message: "A synced_block copy cannot have children: append to the original block."
            )
        }
        if let parentType, !parentType.acceptsChildren {
            throw ContentValidationError(
                path: "body.children",
                message: "Block type \(parentType.rawValue) does not support children."
            )
        }
        let children = try BlockDraft.parseChildren(
            body["children"],
            at: "body.children",
            version: version,
            under: parentType
        )
        if let parent, parent.type == .table {
            for (index, row) in children.enumerated() where row.content.cells?.count != parent.tableWidth {
                throw ContentValidationError(
                    path: "body.children[\(index)].table_row.cells",
                    message: "body.children[\(index)].table_row.cells should have \(parent.tableWidth ?? 0) cells, "
                        + "the table_width, instead had \(row.content.cells?.count ?? 0)."
                )
            }
        }
        let position = try parsePosition(body, version: version)
        return AppendRequest(children: children, position: position)
    }

    private static func parsePosition(_ body: JSONValue, version: NotionVersion) throws -> AppendPosition {
        let after = body["after"]
        if let after, version.value >= "2026-03-11" {
            throw ContentValidationError.expected("not present (use `position`)", at: "body.after", got: after)
        }
        guard let position = body["position"] else {
            guard let after else { return .end }
            return .afterBlock(id: try FieldReading.id(after, at: "body.after"), path: "body.after")
        }
        if let after {
            throw ContentValidationError.expected("not present with `position`", at: "body.after", got: after)
        }
        _ = try FieldReading.object(position, at: "body.position")
        let type = try FieldReading.string(position["type"], at: "body.position.type")
        switch type {
        case "end": return .end
        case "start": return .start
        case "after_block":
            _ = try FieldReading.object(position["after_block"], at: "body.position.after_block")
            let path = "body.position.after_block.id"
            return .afterBlock(id: try FieldReading.id(position["after_block"]?["id"], at: path), path: path)
        default:
            throw ContentValidationError.expected(
                "`\"after_block\"`, `\"start\"`, or `\"end\"`",
                at: "body.position.type",
                got: position["type"]
            )
        }
    }
}
