/// Where appended blocks go among their siblings, and the ordering keys that say so.
///
/// Keys are integers with gaps: siblings are numbered ``gap`` apart, so appending at either end is
/// one key past the last (or before the first), and inserting `n` blocks between two siblings
/// spreads them evenly over the gap between those two keys, touching no other row. Only when the gap
/// is too narrow for the blocks does a placement renumber the siblings (``Placement/renumbered``),
/// which happens after about twenty successive insertions at the same spot. The store sorts
/// siblings by `position` (then id, for safety) with an ordinary integer index.
public enum SiblingOrder {
    /// The distance between consecutive keys when numbering: 2^20.
    public static let gap: Int64 = 1 << 20

    /// The keys for new blocks, and any sibling keys to rewrite first.
    public struct Placement: Sendable, Equatable {
        /// The keys of the new blocks, in request order, ascending.
        public var positions: [Int64]
        /// Existing siblings with new keys, to update in the same transaction; usually empty.
        public var renumbered: [(id: String, position: Int64)]

        public static func == (lhs: Placement, rhs: Placement) -> Bool {
            lhs.positions == rhs.positions
                && lhs.renumbered.elementsEqual(rhs.renumbered) { $0.id == $1.id && $0.position == $1.position }
        }
    }

    /// Places `count` new blocks at `position` among `siblings` (the parent's current children,
    /// ascending by key, trashed ones included).
    ///
    /// Throws when `after_block` names no sibling, with `path` (`body.position.after_block.id` or
    /// `body.after`).
    public static func placement(
        inserting count: Int,
        at position: AppendPosition,
        among siblings: [(id: String, position: Int64)]
    ) throws -> Placement {
        let lower: Int64?
        let upper: Int64?
        switch position {
        case .end:
            lower = siblings.last?.position
            upper = nil
        case .start:
            lower = nil
            upper = siblings.first?.position
        case .afterBlock(let id, let path):
            guard let index = siblings.firstIndex(where: { $0.id == id }) else {
                throw ContentValidationError(
                    path: path,
                    message: "\(path) should be the id of a child of the parent block, instead was `\"\(id)\"`."
                )
            }
            lower = siblings[index].position
            upper = index + 1 < siblings.count ? siblings[index + 1].position : nil
        }
        if let keys = keys(count: count, above: lower, below: upper) {
            return Placement(positions: keys, renumbered: [])
        }
        return renumbering(inserting: count, at: position, among: siblings)
    }

    /// `count` evenly spread keys strictly between the bounds, or `nil` if they do not fit (or
    /// would leave the range of `Int64`, which only damaged keys could make happen).
    private static func keys(count: Int, above lower: Int64?, below upper: Int64?) -> [Int64]? {
        guard count > 0 else { return [] }
        let step = Int64(count)
        let start: Int64
        let spacing: Int64
        switch (lower, upper) {
        case (nil, nil):
            (start, spacing) = (0, gap)
        case (let lower?, nil):
            (start, spacing) = (lower, gap)
        case (nil, let upper?):
            let (below, overflow) = upper.subtractingReportingOverflow((step + 1) * gap)
            guard !overflow else { return nil }
            (start, spacing) = (below, gap)
        case (let lower?, let upper?):
            let (width, overflow) = upper.subtractingReportingOverflow(lower)
            guard !overflow, width / (step + 1) >= 1 else { return nil }
            (start, spacing) = (lower, width / (step + 1))
        }
        var keys: [Int64] = []
        keys.reserveCapacity(count)
        for index in 1...step {
            let (key, overflow) = start.addingReportingOverflow(index * spacing)
            guard !overflow else { return nil }
            keys.append(key)
        }
        return keys
    }

    /// Renumbers every sibling and the new blocks `gap` apart, in their final order.
    private static func renumbering(
        inserting count: Int,
        at position: AppendPosition,
        among siblings: [(id: String, position: Int64)]
    ) -> Placement {
        let insertAt =
            switch position {
            case .start: 0
            case .end: siblings.count
            case .afterBlock(let id, _): (siblings.firstIndex { $0.id == id } ?? siblings.count - 1) + 1
            }
        var renumbered: [(id: String, position: Int64)] = []
        var positions: [Int64] = []
        var next: Int64 = gap
        for (index, sibling) in siblings.enumerated() {
            if index == insertAt {
                for _ in 0..<count {
                    positions.append(next)
                    next += gap
                }
            }
            renumbered.append((sibling.id, next))
            next += gap
        }
        while positions.count < count {
            positions.append(next)
            next += gap
        }
        return Placement(positions: positions, renumbered: renumbered)
    }
}
