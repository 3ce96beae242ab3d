/// Where a file upload is attached, which decides the files it may hold: an image block shows
/// images, as do a page's icon and cover, a video block videos, an audio block sounds, a PDF block
/// PDFs, a file block and a `files` property anything.
public enum FileUploadPlacement: Sendable, Equatable {
    case block(BlockType)
    /// An entry of a `files` property: any file.
    case filesProperty
    /// A page's icon or cover: an image.
    case pageIcon, pageCover

    /// Whether a file of `contentType` may be attached here.
    public func accepts(_ contentType: String) -> Bool {
        let type = FileTypes.normalized(contentType)
        switch self {
        case .block(.image), .pageIcon, .pageCover: return type.hasPrefix("image/")
        case .block(.video): return type.hasPrefix("video/") || type == "application/mp4"
        case .block(.audio): return type.hasPrefix("audio/") || type == "application/mp4"
        case .block(.pdf): return type == "application/pdf"
        case .block, .filesProperty: return true
        }
    }

    /// The place in words, for an error message (`an image block`).
    public var described: String {
        switch self {
        case .block(let type): "a\(type == .image || type == .audio ? "n" : "") \(type.rawValue) block"
        case .filesProperty: "a files property"
        case .pageIcon: "a page icon"
        case .pageCover: "a page cover"
        }
    }
}

extension BlockContent {
    /// The upload this block shows and where, when it shows one.
    public var fileUploadPlacement: (id: String, placement: FileUploadPlacement)? {
        fileUpload.map { ($0, .block(type)) }
    }
}

extension BlockContent {
    /// The content with a `file` block that shows an upload and has no name named after its
    /// file (`names`: file names by upload id), as the API names it.
    public func naming(uploads names: [String: String]) -> BlockContent {
        guard type == .file, name == nil, let fileUpload, let filename = names[fileUpload] else { return self }
        var named = self
        named.name = filename
        return named
    }
}

extension BlockDraft {
    /// The uploads the block and the blocks under it show, in document order.
    public var fileUploadPlacements: [(id: String, placement: FileUploadPlacement)] {
        (content.fileUploadPlacement.map { [$0] } ?? []) + children.flatMap(\.fileUploadPlacements)
    }

    /// ``BlockContent/naming(uploads:)`` over the block and the blocks under it.
    public func naming(uploads names: [String: String]) -> BlockDraft {
        BlockDraft(content: content.naming(uploads: names), children: children.map { $0.naming(uploads: names) })
    }
}
