import GatehouseCore
import Hummingbird

/// The `/v1` API's first step (``APIMiddleware``): a `Notion-Version` header the API accepts.
/// 400 `missing_version` without one, 400 `validation_error` (naming the accepted values) for an
/// unknown one.
///
/// Checked before authentication, so a request without a version learns nothing about its token.
enum VersionRequirement {
    /// The request's version, or the error refusing it.
    static func version(of request: Request) throws(APIError) -> NotionVersion {
        switch request.headers.single(.notionVersion) {
        case .absent:
            throw .missingVersion
        case .one(let header):
            guard let known = NotionVersion(header) else { throw .unsupportedVersion(header) }
            return known
        case .repeated:
            throw .unsupportedVersion(request.headers[values: .notionVersion].joined(separator: ", "))
        }
    }
}
