extension BlockContent {
    /// The text a reader sees in the block, without styling: for search and the console's page view.
    ///
    /// Rich text blocks give their text, media and bookmarks their caption (or URL), equations their
    /// expression, pages and databases their title, table rows their cells separated by ` | `.
    public func plainText(resolving resolver: some MentionResolver) -> String {
        if let richText { return richText.plainText(resolving: resolver) }
        switch type {
        case .equation: return expression ?? ""
        case .childPage, .childDatabase: return title ?? ""
        case .tableRow: return (cells ?? []).map { $0.plainText(resolving: resolver) }.joined(separator: " | ")
        case .bookmark, .embed, .linkPreview, .image, .file, .video, .pdf, .audio:
            let shown = caption?.plainText(resolving: resolver) ?? ""
            return shown.isEmpty ? (type == .file ? name ?? url ?? "" : url ?? "") : shown
        default: return ""
        }
    }
}
