import GatehouseCore

/// One block of an append request with the blocks nested under it, validated as a whole.
public struct BlockDraft: Sendable, Equatable {
    public var content: BlockContent
    public var children: [BlockDraft]

    public init(content: BlockContent, children: [BlockDraft] = []) {
        self.content = content
        self.children = children
    }

    /// Parses a `children` array at `path` (`body.children`) with everything nested in it.
    ///
    /// Enforces the API's rules: at most 100 blocks per array, two levels of nesting below the
    /// array, 1,000 blocks in all; `table` holds only `table_row`s as wide as the table;
    /// `column_list` holds two or more `column`s, each with at least one child; a synced copy has
    /// no children. `parentType` is the type of the block appended to (`nil` for a page).
    public static func parseChildren(
        _ value: JSONValue?,
        at path: String,
        version: NotionVersion,
        under parentType: BlockType? = nil
    ) throws -> [BlockDraft] {
        var total = 0
        return try parseArray(value, at: path, version: version, depth: 0, parent: parentType, total: &total)
    }

    private static func parseArray(
        _ value: JSONValue?,
        at path: String,
        version: NotionVersion,
        depth: Int,
        parent: BlockType?,
        total: inout Int
    ) throws -> [BlockDraft] {
        let elements = try FieldReading.array(value, at: path)
        guard elements.count <= BlockLimits.childrenPerArray else {
            throw ContentValidationError.expected(
                "≤ `\(BlockLimits.childrenPerArray)`",
                at: "\(path).length",
                got: .number(Double(elements.count))
            )
        }
        var drafts: [BlockDraft] = []
        for (index, element) in elements.enumerated() {
            let blockPath = "\(path)[\(index)]"
            total += 1
            guard total <= BlockLimits.blocksPerRequest else {
                throw ContentValidationError(
                    path: blockPath,
                    message: "body should have at most \(BlockLimits.blocksPerRequest) blocks in all, "
                        + "instead had more at \(blockPath)."
                )
            }
            let (content, childrenValue) = try BlockContent.parse(element, at: blockPath, version: version)
            try checkPlacement(of: content.type, under: parent, at: blockPath)
            var children: [BlockDraft] = []
            let childrenPath = "\(blockPath).\(content.unsupportedType ?? content.type.rawValue).children"
            if let childrenValue {
                guard depth < BlockLimits.nestingLevels else {
                    throw ContentValidationError.expected("not present", at: childrenPath, got: childrenValue)
                }
                if content.syncedFrom != nil {
                    throw ContentValidationError.expected("not present", at: childrenPath, got: childrenValue)
                }
                children = try parseArray(
                    childrenValue,
                    at: childrenPath,
                    version: version,
                    depth: depth + 1,
                    parent: content.type,
                    total: &total
                )
            }
            try checkChildren(children, of: content, at: childrenPath)
            drafts.append(BlockDraft(content: content, children: children))
        }
        return drafts
    }

    /// `table_row` only in a table, `column` only in a column list.
    private static func checkPlacement(of type: BlockType, under parent: BlockType?, at path: String) throws {
        if type == .tableRow, parent != .table {
            throw ContentValidationError(
                path: path,
                message: "\(path) should be in a table: a table_row's parent is a table."
            )
        }
        if type == .column, parent != .columnList {
            throw ContentValidationError(
                path: path,
                message: "\(path) should be in a column_list: a column's parent is a column_list."
            )
        }
        if parent == .table, type != .tableRow {
            throw ContentValidationError(path: path, message: "\(path) should be a table_row: a table holds only rows.")
        }
        if parent == .columnList, type != .column {
            throw ContentValidationError(
                path: path,
                message: "\(path) should be a column: a column_list holds only columns."
            )
        }
    }

    /// The children a table, a column list or a column must have.
    private static func checkChildren(_ children: [BlockDraft], of content: BlockContent, at path: String) throws {
        switch content.type {
        case .table:
            guard !children.isEmpty else {
                throw ContentValidationError.expected("an array of at least one table_row", at: path, got: nil)
            }
            for (index, row) in children.enumerated() where row.content.cells?.count != content.tableWidth {
                throw ContentValidationError(
                    path: "\(path)[\(index)].table_row.cells",
                    message: "\(path)[\(index)].table_row.cells should have \(content.tableWidth ?? 0) cells, "
                        + "the table_width, instead had \(row.content.cells?.count ?? 0)."
                )
            }
        case .columnList:
            guard children.count >= 2 else {
                throw ContentValidationError(
                    path: path,
                    message: "\(path) should have at least 2 columns, instead had \(children.count)."
                )
            }
        case .column:
            guard !children.isEmpty else {
                throw ContentValidationError(
                    path: path,
                    message: "\(path) should have at least 1 block, instead had 0."
                )
            }
        default:
            break
        }
    }

    /// How many blocks this draft holds, itself included.
    public var blockCount: Int { 1 + children.reduce(0) { $0 + $1.blockCount } }
}
