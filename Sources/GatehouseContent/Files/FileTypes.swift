import Foundation

/// The file types the File Upload API accepts: each extension with the MIME types a file of it
/// may be sent as, the first being the one inferred when none is given (Notion's "Supported file
/// types"; `.mp4` is inferred as `application/mp4`, as the API does).
public enum FileTypes {
    /// In the order extensions are preferred when one is inferred from a type.
    static let table: [(String, [String])] = {
        let audio: [(String, [String])] = [
            ("aac", ["audio/aac"]), ("adts", ["audio/aac"]), ("mid", ["audio/midi"]), ("midi", ["audio/midi"]),
            ("mp3", ["audio/mpeg"]), ("mpga", ["audio/mpeg"]), ("m4a", ["audio/mp4"]), ("m4b", ["audio/mp4"]),
            ("oga", ["audio/ogg"]), ("ogg", ["audio/ogg"]), ("wav", ["audio/wav"]), ("wma", ["audio/x-ms-wma"]),
        ]
        let word = "application/vnd.openxmlformats-officedocument.wordprocessingml"
        let sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        let slides = "application/vnd.openxmlformats-officedocument.presentationml"
        let documents: [(String, [String])] = [
            ("pdf", ["application/pdf"]), ("txt", ["text/plain"]), ("json", ["application/json"]),
            ("doc", ["application/msword"]), ("dot", ["application/msword"]),
            ("docx", ["\(word).document"]), ("dotx", ["\(word).template"]),
            ("xls", ["application/vnd.ms-excel"]), ("xlt", ["application/vnd.ms-excel"]),
            ("xla", ["application/vnd.ms-excel"]), ("xlsx", ["\(sheet).sheet"]), ("xltx", ["\(sheet).template"]),
            ("ppt", ["application/vnd.ms-powerpoint"]), ("pot", ["application/vnd.ms-powerpoint"]),
            ("pps", ["application/vnd.ms-powerpoint"]), ("ppa", ["application/vnd.ms-powerpoint"]),
            ("pptx", ["\(slides).presentation"]), ("potx", ["\(slides).template"]),
        ]
        let images: [(String, [String])] = [
            ("gif", ["image/gif"]), ("heic", ["image/heic"]), ("jpeg", ["image/jpeg"]), ("jpg", ["image/jpeg"]),
            ("png", ["image/png"]), ("svg", ["image/svg+xml"]), ("tif", ["image/tiff"]), ("tiff", ["image/tiff"]),
            ("webp", ["image/webp"]), ("ico", ["image/vnd.microsoft.icon"]),
        ]
        let videos: [(String, [String])] = [
            ("mp4", ["application/mp4", "video/mp4", "audio/mp4"]), ("amv", ["video/x-amv"]),
            ("asf", ["video/x-ms-asf"]), ("wmv", ["video/x-ms-asf"]),
            ("avi", ["video/x-msvideo"]), ("f4v", ["video/x-f4v"]), ("flv", ["video/x-flv"]),
            ("gifv", ["video/mp4"]), ("m4v", ["video/mp4"]),
            ("mkv", ["video/webm"]), ("webm", ["video/webm"]), ("mov", ["video/quicktime"]),
            ("qt", ["video/quicktime"]), ("mpeg", ["video/mpeg"]),
        ]
        return audio + documents + images + videos
    }()

    static let byExtension = Dictionary(uniqueKeysWithValues: table)

    /// Every MIME type accepted.
    static let supportedTypes = Set(byExtension.values.joined())

    /// `type` without parameters, lowercased (`Text/Plain; charset=utf-8` is `text/plain`).
    public static func normalized(_ type: String) -> String {
        type.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
    }

    public static func isSupported(type: String) -> Bool {
        supportedTypes.contains(normalized(type))
    }

    /// The extension of `filename` (lowercased, without the dot), `nil` when it has none.
    public static func fileExtension(of filename: String) -> String? {
        guard let dot = filename.lastIndex(of: "."), dot != filename.startIndex else { return nil }
        let name = filename[filename.index(after: dot)...]
        return name.isEmpty || name.contains("/") ? nil : name.lowercased()
    }

    /// The types a file with extension `fileExtension` may be sent as; `nil` when unsupported.
    public static func types(forExtension fileExtension: String) -> [String]? {
        byExtension[fileExtension]
    }

    /// The extension a file of `type` is given when its name has none.
    public static func preferredExtension(for type: String) -> String? {
        let type = normalized(type)
        return table.first { $0.1.contains(type) }?.0
    }
}
