import GatehouseCore

/// What a page write produced: the page's values after the write, the schema (with any select
/// options created on first use), and the ids the caller must check exist.
public struct PropertyWrite: Equatable, Sendable {
    /// Every stored value of the page, keyed by property id (the existing ones with the written ones over them).
    public var values: [String: PropertyValue]
    /// The schema, with new select and multi-select options appended; persist it when ``schemaChanged``.
    public var schema: DataSourceSchema
    public var schemaChanged: Bool
    /// Users named by people values: the caller answers `validation_error` for any that does not exist.
    public var referencedUserIds: Set<String>
    /// Pages named by relation values: the caller checks they exist in the related data source.
    public var referencedPageIds: Set<String>
    /// The properties (ids) the request set.
    public var writtenIds: Set<String> = []
    /// File uploads named by files values: the caller checks it may attach them
    /// (``FileUploadPlacement/filesProperty``) and names the entries without a name.
    public var referencedFileUploads: Set<String> = []
}

/// Validates the `properties` of `POST /v1/pages` and `PATCH /v1/pages/{id}` against a schema.
public struct PropertyValueParser: Sendable {
    public var schema: DataSourceSchema

    /// The schema of a page whose parent is a page, not a data source: only `title` may be written.
    public static let pageParentSchema = DataSourceSchema(properties: [
        PropertyDefinition(id: "title", name: "title", type: .title)
    ])

    public init(schema: DataSourceSchema) { self.schema = schema }

    /// Parses `properties` (keys: property names or ids) over `existing` values.
    public func parse(
        _ properties: JSONValue?,
        existing: [String: PropertyValue] = [:],
        at path: String = "body.properties",
        ids: inout some ShortIdSource
    ) throws -> PropertyWrite {
        var write = PropertyWrite(
            values: existing,
            schema: schema,
            schemaChanged: false,
            referencedUserIds: [],
            referencedPageIds: []
        )
        guard let properties, !properties.isNull else { return write }
        for (key, value) in try PropertyJSONReader.object(properties, at: path) {
            let propertyPath = "\(path).\(key)"
            guard let index = write.schema.index(of: key) else {
                throw ContentValidationError(
                    path: propertyPath,
                    message: "\(key) is not a property that exists."
                )
            }
            let property = write.schema.properties[index]
            guard !property.type.isReadOnly else {
                throw ContentValidationError(
                    path: propertyPath,
                    message: "\(property.name) is a \(property.type.rawValue) property, which cannot be written."
                )
            }
            let members = try PropertyJSONReader.object(value, at: propertyPath)
            guard let payload = members.last(where: { $0.0 == property.type.rawValue })?.1 else {
                throw ContentValidationError(
                    path: propertyPath,
                    message: "\(property.name) is expected to be \(property.type.rawValue)."
                )
            }
            let valuePath = "\(propertyPath).\(property.type.rawValue)"
            var definition = property
            let parsed = try self.value(payload, of: &definition, at: valuePath, ids: &ids)
            if definition != property {
                write.schema.properties[index] = definition
                write.schemaChanged = true
            }
            switch parsed {
            case .people(let users): write.referencedUserIds.formUnion(users)
            case .relation(let pages): write.referencedPageIds.formUnion(pages)
            case .files(let files): write.referencedFileUploads.formUnion(files.compactMap(PropertyFiles.uploadID))
            default: break
            }
            write.values[property.id] = parsed
            write.writtenIds.insert(property.id)
        }
        return write
    }

    /// One value of `property` (whose options may grow), from the payload under its type key.
    func value(
        _ payload: JSONValue,
        of property: inout PropertyDefinition,
        at path: String,
        ids: inout some ShortIdSource
    ) throws -> PropertyValue {
        switch property.type {
        case .title: return .title(try RichText.parse(payload, at: path))
        case .richText: return .richText(try RichText.parse(payload, at: path))
        case .number: return .number(payload.isNull ? nil : try PropertyJSONReader.number(payload, at: path))
        case .checkbox: return .checkbox(try PropertyJSONReader.bool(payload, at: path))
        case .url: return .url(try optionalText(payload, at: path, limit: PropertyValueLimits.urlLength))
        case .email: return .email(try optionalText(payload, at: path, limit: PropertyValueLimits.emailLength))
        case .phoneNumber:
            return .phoneNumber(try optionalText(payload, at: path, limit: PropertyValueLimits.phoneNumberLength))
        case .select:
            if payload.isNull { return .select(optionId: nil) }
            return .select(optionId: try option(payload, of: &property, at: path, creating: true, ids: &ids))
        case .status:
            if payload.isNull { return .status(optionId: nil) }
            return .status(optionId: try option(payload, of: &property, at: path, creating: false, ids: &ids))
        case .multiSelect:
            let items = try list(payload, at: path, limit: PropertyValueLimits.multiSelectOptions)
            var chosen: [String] = []
            for (index, item) in items.enumerated() {
                let id = try option(item, of: &property, at: "\(path)[\(index)]", creating: true, ids: &ids)
                if !chosen.contains(id) { chosen.append(id) }
            }
            return .multiSelect(optionIds: chosen)
        case .date:
            if payload.isNull { return .date(nil) }
            return .date(try date(payload, at: path))
        case .people:
            return .people(userIds: try identifiers(payload, at: path, limit: PropertyValueLimits.people))
        case .relation:
            return .relation(pageIds: try identifiers(payload, at: path, limit: PropertyValueLimits.relatedPages))
        case .files:
            return .files(
                try list(payload, at: path, limit: .max).enumerated().map { try file($1, at: "\(path)[\($0)]") }
            )
        case .formula, .rollup, .uniqueId, .createdTime, .lastEditedTime, .createdBy, .lastEditedBy:
            throw ContentValidationError(path: path, message: "\(property.name) cannot be written.")
        }
    }

    func optionalText(_ payload: JSONValue, at path: String, limit: Int) throws -> String? {
        payload.isNull ? nil : try PropertyJSONReader.string(payload, at: path, maxLength: limit)
    }

    func list(_ payload: JSONValue, at path: String, limit: Int) throws -> [JSONValue] {
        let items = try PropertyJSONReader.array(payload, at: path)
        guard items.count <= limit else {
            throw ContentValidationError(
                path: path,
                message: "\(path).length should be ≤ `\(limit)`, instead was `\(items.count)`."
            )
        }
        return items
    }

    /// An option named by `{id}` or `{name}`: an unknown id is refused; an unknown name creates the
    /// option (select, multi-select) or is refused (status: the API does not create status options).
    func option(
        _ payload: JSONValue,
        of property: inout PropertyDefinition,
        at path: String,
        creating: Bool,
        ids: inout some ShortIdSource
    ) throws -> String {
        _ = try PropertyJSONReader.object(payload, at: path)
        if let id = try PropertyJSONReader.optionalString(payload["id"], at: "\(path).id") {
            guard property.option(id: id) != nil else {
                throw ContentValidationError(
                    path: "\(path).id",
                    message: "Invalid option id: \(id) is not an option of \(property.name)."
                )
            }
            return id
        }
        let name = try PropertyJSONReader.string(payload["name"], at: "\(path).name", maxLength: 100)
        if let existing = property.option(named: name) { return existing.id }
        guard creating else {
            throw ContentValidationError(
                path: "\(path).name",
                message: "Invalid status option. Status option \"\(name)\" does not exist."
            )
        }
        try PropertyValueLimits.checkOptionName(name, at: "\(path).name")
        let color = try PropertyJSONReader.optionalString(payload["color"], at: "\(path).color") ?? "default"
        guard SelectOption.colors.contains(color) else {
            throw ContentValidationError.expected("a select color", at: "\(path).color", got: payload["color"])
        }
        var id = ids.nextShortId()
        while property.option(id: id) != nil { id = ids.nextShortId() }
        property.options.append(SelectOption(id: id, name: name, color: color))
        return id
    }

    func date(_ payload: JSONValue, at path: String) throws -> DateValue {
        _ = try PropertyJSONReader.object(payload, at: path)
        let start = try PropertyJSONReader.string(payload["start"], at: "\(path).start")
        guard ISODate.parse(start) != nil else {
            throw ContentValidationError.expected("an ISO 8601 date", at: "\(path).start", got: payload["start"])
        }
        let end = try PropertyJSONReader.optionalString(payload["end"], at: "\(path).end")
        if let end, ISODate.parse(end) == nil {
            throw ContentValidationError.expected("an ISO 8601 date", at: "\(path).end", got: payload["end"])
        }
        let timeZone = try PropertyJSONReader.optionalString(payload["time_zone"], at: "\(path).time_zone")
        return DateValue(start: start, end: end, timeZone: timeZone)
    }

    /// `[{"id": …}]` (users or pages) as ids, without duplicates.
    func identifiers(_ payload: JSONValue, at path: String, limit: Int) throws -> [String] {
        var found: [String] = []
        for (index, item) in try list(payload, at: path, limit: limit).enumerated() {
            let id = try PropertyJSONReader.string(item["id"], at: "\(path)[\(index)].id")
            if !found.contains(id) { found.append(id) }
        }
        return found
    }

    /// A file entry: `{name?, external: {url}}` (stored in response form), or an uploaded file,
    /// `{name?, file_upload: {id}}` (stored with the canonical id; shown as a hosted `file`).
    func file(_ payload: JSONValue, at path: String) throws -> JSONValue {
        _ = try PropertyJSONReader.object(payload, at: path)
        let (type, content) = try PropertyJSONReader.variant(
            try PropertyJSONReader.object(payload, at: path).filter { $0.0 != "name" },
            among: ["external", "file", "file_upload"],
            at: path
        )
        let name = try PropertyJSONReader.optionalString(payload["name"], at: "\(path).name")
        if type == "file_upload" {
            let id = try FieldReading.id(content["id"], at: "\(path).file_upload.id")
            return .object([
                ("name", .string(name ?? "")), ("type", "file_upload"), ("file_upload", ["id": .string(id)]),
            ])
        }
        let url = try PropertyJSONReader.string(
            content["url"],
            at: "\(path).\(type).url",
            maxLength: PropertyValueLimits.urlLength
        )
        return .object([("name", .string(name ?? url)), ("type", .string(type)), (type, content)])
    }
}

/// The entries of a files value, as stored: `{name, type, <type>: …}`.
public enum PropertyFiles {
    /// The upload an entry names, when it is an uploaded file.
    public static func uploadID(_ entry: JSONValue) -> String? {
        entry["type"] == "file_upload" ? entry["file_upload"]?["id"]?.stringValue : nil
    }

    /// `entries` with each uploaded file left without a name named `names[upload id]`.
    public static func naming(_ entries: [JSONValue], _ names: [String: String]) -> [JSONValue] {
        entries.map { entry in
            guard let id = uploadID(entry), entry["name"] == "", let name = names[id], case .object(var members) = entry
            else { return entry }
            members[0] = ("name", .string(name))
            return .object(members)
        }
    }

    /// An entry in response form: an uploaded file as a hosted `file` with its link.
    static func rendered(_ entry: JSONValue, resolving resolver: some MentionResolver) -> JSONValue {
        guard let id = uploadID(entry) else { return entry }
        let name = entry["name"]?.stringValue ?? ""
        let link = resolver.fileLink(uploadID: id, name: name.isEmpty ? nil : name)
        return [
            "name": .string(name),
            "type": "file",
            "file": ["url": .string(link?.url ?? ""), "expiry_time": link.map { .string($0.expiryTime) } ?? .null],
        ]
    }
}
