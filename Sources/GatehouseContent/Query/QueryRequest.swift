import GatehouseCore

/// A parsed `POST /v1/data_sources/{id}/query` (or pre-2025 `POST /v1/databases/{id}/query`).
public struct QueryRequest: Equatable, Sendable {
    public var filter: QueryFilter?
    public var sorts: [QuerySort]
    /// 1…100; 100 when absent.
    public var pageSize: Int
    public var startCursor: String?
    /// Property ids the response keeps (the `filter_properties` query parameter); empty for all.
    public var filterProperties: [String]
    /// Whether the query reads the pages in the trash instead of the live ones (`in_trash`, or the
    /// deprecated `archived`, set to `true`).
    public var inTrash: Bool
    /// `result_type: "data_source"`: only data sources, which a data source (not a wiki) never
    /// holds, so nothing; `page` or absent: its pages.
    public var onlyDataSources: Bool

    /// Parses the body and the `filter_properties` query values against `parser`'s schema.
    public static func parse(
        body: JSONValue?,
        filterProperties: [String] = [],
        parser: FilterParser
    ) throws -> QueryRequest {
        let body = body ?? .object([])
        _ = try PropertyJSONReader.object(body, at: "body")
        var pageSize = PropertyValueLimits.pageSize
        if let size = body["page_size"], !size.isNull {
            let number = try PropertyJSONReader.number(size, at: "body.page_size")
            guard number.rounded() == number, (1...Double(PropertyValueLimits.pageSize)).contains(number) else {
                throw ContentValidationError.expected(
                    "an integer between 1 and \(PropertyValueLimits.pageSize)",
                    at: "body.page_size",
                    got: size
                )
            }
            pageSize = Int(number)
        }
        let properties = try parser.schema.propertyIDs(filtering: filterProperties)
        // `in_trash`, or when it is absent its deprecated name `archived`.
        let trashKey = body["in_trash"].map { !$0.isNull } == true ? "in_trash" : "archived"
        var inTrash = false
        if let flag = body[trashKey], !flag.isNull {
            inTrash = try PropertyJSONReader.bool(flag, at: "body.\(trashKey)")
        }
        let resultType = try PropertyJSONReader.optionalString(body["result_type"], at: "body.result_type")
        guard resultType == nil || resultType == "page" || resultType == "data_source" else {
            throw ContentValidationError.expected(
                "`page` or `data_source`",
                at: "body.result_type",
                got: body["result_type"]
            )
        }
        return QueryRequest(
            filter: try parser.parse(body["filter"]),
            sorts: try QuerySort.parse(body["sorts"], schema: parser.schema),
            pageSize: pageSize,
            startCursor: try PropertyJSONReader.optionalString(body["start_cursor"], at: "body.start_cursor"),
            filterProperties: properties,
            inTrash: inTrash,
            onlyDataSources: resultType == "data_source"
        )
    }
}

extension DataSourceSchema {
    /// The ids of the properties that `filter_properties` query values name (by name or id), for
    /// a page or a query's pages to keep only those; refused when one names no property.
    public func propertyIDs(filtering keys: [String]) throws -> [String] {
        try keys.map { key in
            guard let property = property(named: key) else {
                throw ContentValidationError(
                    path: "query.filter_properties",
                    message: "Could not find property with name or id: \(key)"
                )
            }
            return property.id
        }
    }
}
