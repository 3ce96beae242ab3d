import GatehouseCore

extension BlockContent {
    /// Parses one block of an append request at `path` (`body.children[3]`): its content, and its
    /// nested `children` array (not parsed here) if the payload has one.
    ///
    /// `type` may be omitted when the object has exactly one type key. Types the API has but
    /// Gatehouse does not model become `unsupported`; unknown ones, `child_page`, `child_database`
    /// and `link_preview` are refused.
    public static func parse(
        _ value: JSONValue,
        at path: String,
        version: NotionVersion
    ) throws -> (content: BlockContent, children: JSONValue?) {
        _ = try FieldReading.object(value, at: path)
        let known = BlockType.allCases.map(\.rawValue) + BlockType.storedAsUnsupported
        let typeName = try FieldReading.typeKey(of: value, at: path, known: known, otherKeys: ["object"])
        if let object = value["object"], object != "block" {
            throw ContentValidationError.expected("`\"block\"`", at: "\(path).object", got: object)
        }
        let payloadPath = "\(path).\(typeName)"
        let payload = value[typeName]
        if BlockType.storedAsUnsupported.contains(typeName) {
            _ = try FieldReading.object(payload, at: payloadPath)
            var content = BlockContent(type: .unsupported)
            content.unsupportedType = typeName
            return (content, nil)
        }
        guard let type = BlockType(rawValue: typeName), type.isCreatableByAppend else {
            throw ContentValidationError(
                path: "\(path).type",
                message: "\(path).type should be a block type that can be appended, instead was `\"\(typeName)\"`."
            )
        }
        let members = try FieldReading.object(payload, at: payloadPath)
        let content = try BlockContent(type: type).applying(members, at: payloadPath, version: version, creating: true)
        let children = type.acceptsChildren ? payload?["children"] : nil
        if !type.acceptsChildren, let extra = payload?["children"] {
            throw ContentValidationError.expected("not present", at: "\(payloadPath).children", got: extra)
        }
        return (content, children)
    }

    /// This content with the payload `members` applied: every field required when `creating`,
    /// only the given ones changed otherwise.
    func applying(
        _ members: [(String, JSONValue)],
        at path: String,
        version: NotionVersion,
        creating: Bool
    ) throws -> BlockContent {
        let payload = JSONValue.object(members)
        var content = self
        func member(_ key: String) -> JSONValue? { payload[key] }
        func required(_ key: String) throws -> JSONValue? {
            if creating, member(key) == nil {
                throw ContentValidationError.expected("defined", at: "\(path).\(key)", got: nil)
            }
            return member(key)
        }

        if type.hasRichText {
            let key = version.value < "2022-02-22" && member("rich_text") == nil ? "text" : "rich_text"
            if let value = try required(key) {
                content.richText = try RichText.parse(value, at: "\(path).\(key)")
            }
            if type != .code, creating || member("color") != nil {
                content.color = try ContentColor.parse(member("color"), at: "\(path).color")
            }
        }
        switch type {
        case .heading1, .heading2, .heading3:
            if creating || member("is_toggleable") != nil {
                content.isToggleable = try FieldReading.bool(
                    member("is_toggleable"),
                    at: "\(path).is_toggleable",
                    default: false
                )
            }
        case .toDo:
            if creating || member("checked") != nil {
                content.checked = try FieldReading.bool(member("checked"), at: "\(path).checked", default: false)
            }
        case .callout:
            if let icon = member("icon") {
                content.icon = icon.isNull ? nil : try BlockIcon.parse(icon, at: "\(path).icon")
            }
        case .code:
            if let language = member("language") {
                guard let name = language.stringValue, CodeLanguage.all.contains(name) else {
                    throw ContentValidationError.expected(
                        "a language the API lists",
                        at: "\(path).language",
                        got: language
                    )
                }
                content.language = name
            } else if creating {
                content.language = "plain text"
            }
            try content.applyCaption(member("caption"), at: path, creating: creating)
        case .tableOfContents:
            if creating || member("color") != nil {
                content.color = try ContentColor.parse(member("color"), at: "\(path).color")
            }
        case .equation:
            if let value = try required("expression") {
                content.expression = try FieldReading.string(
                    value,
                    at: "\(path).expression",
                    maxLength: RichTextLimits.equationExpressionLength
                )
            }
        case .bookmark, .embed:
            if let value = try required("url") {
                content.url = try Self.url(value, at: "\(path).url")
            }
            try content.applyCaption(member("caption"), at: path, creating: creating)
        case .image, .file, .video, .pdf, .audio:
            try content.applyMedia(payload, at: path, creating: creating)
        case .table:
            if creating {
                let width = try required("table_width")
                guard case .number(let number)? = width, number.rounded() == number, number >= 1, number <= 1_000 else {
                    throw ContentValidationError.expected("a positive integer", at: "\(path).table_width", got: width)
                }
                content.tableWidth = Int(number)
            } else if let width = member("table_width") {
                throw ContentValidationError.expected("not present", at: "\(path).table_width", got: width)
            }
            if creating || member("has_column_header") != nil {
                content.hasColumnHeader = try FieldReading.bool(
                    member("has_column_header"),
                    at: "\(path).has_column_header",
                    default: false
                )
            }
            if creating || member("has_row_header") != nil {
                content.hasRowHeader = try FieldReading.bool(
                    member("has_row_header"),
                    at: "\(path).has_row_header",
                    default: false
                )
            }
        case .tableRow:
            if let value = try required("cells") {
                let cells = try FieldReading.array(value, at: "\(path).cells")
                content.cells = try cells.enumerated().map { index, cell in
                    try RichText.parse(cell, at: "\(path).cells[\(index)]")
                }
                if !creating, let stored = cells.count == self.cells?.count ? nil : self.cells?.count {
                    throw ContentValidationError.expected(
                        "an array of \(stored) cells, the table's width",
                        at: "\(path).cells",
                        got: value
                    )
                }
            }
        case .syncedBlock:
            if creating {
                let source = member("synced_from")
                if let source, !source.isNull {
                    _ = try FieldReading.object(source, at: "\(path).synced_from")
                    content.syncedFrom = try FieldReading.id(source["block_id"], at: "\(path).synced_from.block_id")
                }
            }
        case .linkToPage:
            if creating || !members.isEmpty {
                content.linkTarget = try LinkTarget.parse(payload, at: path)
            }
        default:
            break
        }
        return content
    }

    private mutating func applyCaption(_ value: JSONValue?, at path: String, creating: Bool) throws {
        if let value {
            caption = try RichText.parse(value, at: "\(path).caption")
        } else if creating {
            caption = RichText()
        }
    }

    /// `external {url}` or `file_upload {id}` (an uploaded file), `caption`, and `name` for files.
    private mutating func applyMedia(_ payload: JSONValue, at path: String, creating: Bool) throws {
        let external = payload["external"]
        let upload = payload["file_upload"]
        if external != nil, upload != nil {
            throw ContentValidationError(
                path: path,
                message: "\(path) should name either `external` or `file_upload`, not both."
            )
        }
        if let external {
            _ = try FieldReading.object(external, at: "\(path).external")
            url = try Self.url(external["url"], at: "\(path).external.url")
            fileUpload = nil
        } else if let upload {
            _ = try FieldReading.object(upload, at: "\(path).file_upload")
            fileUpload = try FieldReading.id(upload["id"], at: "\(path).file_upload.id")
            url = nil
        } else if creating {
            throw ContentValidationError.expected("defined", at: "\(path).external", got: nil)
        }
        if let declared = payload["type"], declared != "external", declared != "file_upload" {
            throw ContentValidationError.expected(
                "`\"external\"` or `\"file_upload\"`",
                at: "\(path).type",
                got: declared
            )
        }
        try applyCaption(payload["caption"], at: path, creating: creating)
        if type == .file, let value = payload["name"] {
            name = try FieldReading.string(value, at: "\(path).name")
        }
    }

    static func url(_ value: JSONValue?, at path: String) throws -> String {
        let text = try FieldReading.string(value, at: path, maxLength: BlockLimits.urlLength)
        guard URLText.isWebURL(text) else {
            throw ContentValidationError.expected("a valid URL", at: path, got: value)
        }
        return text
    }
}

extension BlockIcon {
    /// `{type?: "emoji", emoji}` or `{type?: "external", external: {url}}`.
    static func parse(_ value: JSONValue, at path: String) throws -> BlockIcon {
        _ = try FieldReading.object(value, at: path)
        let type = try FieldReading.typeKey(of: value, at: path, known: ["emoji", "external"])
        switch type {
        case "emoji":
            let emoji = try FieldReading.string(value["emoji"], at: "\(path).emoji")
            guard emoji.count == 1 else {
                throw ContentValidationError.expected("an emoji", at: "\(path).emoji", got: value["emoji"])
            }
            return .emoji(emoji)
        case "external":
            _ = try FieldReading.object(value["external"], at: "\(path).external")
            return .external(url: try BlockContent.url(value["external"]?["url"], at: "\(path).external.url"))
        default:
            throw ContentValidationError.expected(
                "`\"emoji\"` or `\"external\"`",
                at: "\(path).type",
                got: .string(type)
            )
        }
    }
}

extension LinkTarget {
    /// `{type?: "page_id", page_id}` or `{type?: "database_id", database_id}`.
    static func parse(_ value: JSONValue, at path: String) throws -> LinkTarget {
        let type = try FieldReading.typeKey(of: value, at: path, known: ["page_id", "database_id"])
        switch type {
        case "page_id": return .page(id: try FieldReading.id(value["page_id"], at: "\(path).page_id"))
        case "database_id": return .database(id: try FieldReading.id(value["database_id"], at: "\(path).database_id"))
        default:
            throw ContentValidationError.expected(
                "`\"page_id\"` or `\"database_id\"`",
                at: "\(path).type",
                got: .string(type)
            )
        }
    }
}
