import GatehouseCore

/// A block's parent: a page (a page's top-level content) or another block.
public enum BlockParent: Sendable, Equatable, Codable {
    case page(id: String)
    case block(id: String)

    /// The parent object of a block response: `{type: "page_id", page_id}` or `{type: "block_id", block_id}`.
    public var rendered: JSONValue {
        switch self {
        case .page(let id): ["type": "page_id", "page_id": .string(id)]
        case .block(let id): ["type": "block_id", "block_id": .string(id)]
        }
    }
}

/// A block ready to insert: what the store writes, one row per block, parents before children.
public struct NewBlock: Sendable, Equatable {
    public var id: String
    public var parent: BlockParent
    /// The ordering key among its siblings (see ``SiblingOrder``).
    public var position: Int64
    public var content: BlockContent
    public var hasChildren: Bool
}

extension Array where Element == BlockDraft {
    /// The drafts and everything nested in them as rows in pre-order (each parent before its
    /// children), ids from `makeID`; the top-level drafts take `positions`, nested ones are
    /// numbered ``SiblingOrder/gap`` apart.
    ///
    /// - Precondition: `positions.count == count`, as ``SiblingOrder/placement(inserting:at:among:)`` gives.
    public func flattened(
        under parent: BlockParent,
        positions: [Int64],
        makeID: () -> String
    ) -> [NewBlock] {
        var rows: [NewBlock] = []
        rows.reserveCapacity(reduce(0) { $0 + $1.blockCount })
        for (draft, position) in zip(self, positions) {
            draft.append(to: &rows, parent: parent, position: position, makeID: makeID)
        }
        return rows
    }
}

extension BlockDraft {
    fileprivate func append(
        to rows: inout [NewBlock],
        parent: BlockParent,
        position: Int64,
        makeID: () -> String
    ) {
        let id = makeID()
        rows.append(
            NewBlock(id: id, parent: parent, position: position, content: content, hasChildren: !children.isEmpty)
        )
        for (index, child) in children.enumerated() {
            child.append(
                to: &rows,
                parent: .block(id: id),
                position: SiblingOrder.gap * Int64(index + 1),
                makeID: makeID
            )
        }
    }
}
