import GatehouseCore

/// Renders a page's `properties` object as responses show it, computed values included.
///
/// Users come from the ``MentionResolver``'s `userObject(id:)` (the caller omits e-mails there when
/// the integration lacks `user_info_with_email`), `{object: "user", id}` otherwise. Formulas are
/// not evaluated: they answer an empty string result; rollups an empty array.
public struct PropertyValueRenderer<Resolver: MentionResolver>: Sendable {
    public var schema: DataSourceSchema
    public var resolver: Resolver
    public var version: NotionVersion

    public init(schema: DataSourceSchema, resolver: Resolver, version: NotionVersion) {
        self.schema = schema
        self.resolver = resolver
        self.version = version
    }

    /// `{name: {id, type, <type>: value}}` for every property of the schema.
    public func render(_ values: [String: PropertyValue], metadata: PageMetadata) -> JSONValue {
        .object(schema.properties.map { ($0.name, render($0, values[$0.id], metadata: metadata)) })
    }

    /// One property's value object.
    public func render(_ property: PropertyDefinition, _ value: PropertyValue?, metadata: PageMetadata) -> JSONValue {
        var members: [(String, JSONValue)] = [("id", .string(property.id)), ("type", .string(property.type.rawValue))]
        members.append((property.type.rawValue, payload(property, value, metadata: metadata)))
        if property.type == .relation { members.append(("has_more", false)) }
        return .object(members)
    }

    /// The value under the type key.
    public func payload(_ property: PropertyDefinition, _ value: PropertyValue?, metadata: PageMetadata) -> JSONValue {
        switch (property.type, value) {
        case (_, .title(let text)?), (_, .richText(let text)?): return text.rendered(resolving: resolver)
        case (.title, _), (.richText, _), (.people, _), (.relation, _), (.multiSelect, _), (.files, _): break
        case (_, .number(let number)?): return number.map(JSONValue.number) ?? .null
        case (_, .checkbox(let flag)?): return .bool(flag)
        case (_, .url(let text)?), (_, .email(let text)?), (_, .phoneNumber(let text)?): return .optional(text)
        case (_, .select(let id)?), (_, .status(let id)?):
            return id.flatMap(property.option(id:)).map(SchemaRenderer.render) ?? .null
        case (_, .date(let date)?):
            guard let date else { return .null }
            return ["start": .string(date.start), "end": .optional(date.end), "time_zone": .optional(date.timeZone)]
        case (.checkbox, nil): return false
        case (.createdTime, _): return .string(ISODate.format(milliseconds: metadata.createdTime))
        case (.lastEditedTime, _): return .string(ISODate.format(milliseconds: metadata.lastEditedTime))
        case (.createdBy, _): return user(metadata.createdBy)
        case (.lastEditedBy, _): return user(metadata.lastEditedBy)
        case (.uniqueId, _):
            return [
                "prefix": .optional(property.prefix),
                "number": metadata.uniqueNumber.map { .number(Double($0)) } ?? .null,
            ]
        case (.formula, _): return ["type": "string", "string": .null]
        case (.rollup, _):
            let function = property.rollup?.value["function"] ?? "show_original"
            return ["type": "array", "array": [], "function": function]
        default: return .null
        }
        switch value {
        case .multiSelect(let ids)?: return .array(ids.compactMap(property.option(id:)).map(SchemaRenderer.render))
        case .people(let ids)?: return .array(ids.map(user))
        case .relation(let ids)?: return .array(ids.map { ["id": .string($0)] })
        case .files(let files)?: return .array(files.map { PropertyFiles.rendered($0, resolving: resolver) })
        default: return []
        }
    }

    func user(_ id: String) -> JSONValue {
        resolver.userObject(id: id) ?? ["object": "user", "id": .string(id)]
    }
}
