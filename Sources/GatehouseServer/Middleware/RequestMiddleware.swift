import Foundation
import GatehouseCore
import GatehouseStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The outermost middleware: gives each request its id, turns every error into the API's error
/// object (never HTML, never a stack trace), stamps `x-notion-request-id`, and logs one line per
/// request with the path redacted.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = GatehouseRequestContext
    let logger: Logger
    let metrics: ServerMetrics
    /// Proxies whose forwarding headers are believed (empty: the peer is the client).
    var trustedProxies = TrustedProxies()

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let requestID = context.requestID
        var context = context
        context.remoteAddress = clientAddress(peer: context.remoteAddress, headers: request.headers)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = JSONResponse.error(
                Self.apiError(for: error, logger: logger, requestID: requestID),
                requestID: requestID
            )
        }
        // Appended, not set: only this middleware writes the field, so there is none to replace.
        response.headers.append(HTTPField(name: .notionRequestID, value: requestID))
        recordFinished(
            route: context.endpointPath ?? "unmatched",
            method: request.method,
            path: request.uri.path,
            status: response.status,
            requestID: requestID,
            elapsed: ContinuousClock.now - start
        )
        return response
    }

    /// Counts a finished request in the metrics and logs its line (the path redacted). Requests
    /// answered before the router (``InlineAnswerHandler``) are recorded here too.
    func recordFinished(
        route: String,
        method: HTTPRequest.Method,
        path: String,
        status: HTTPResponse.Status,
        requestID: String,
        elapsed: Duration
    ) {
        metrics.recordRequest(route: route, method: method.rawValue, status: Int(status.code), duration: elapsed)
        logger.info(
            "request",
            metadata: [
                "request_id": .string(requestID),
                "method": .string(method.rawValue),
                "path": .string(SecretRedactor.redact(path)),
                "status": .stringConvertible(status.code),
                "duration_ms": .string(Self.milliseconds(elapsed)),
            ]
        )
    }

    /// The client's address: `peer`, or the address a trusted proxy at `peer` says it forwards for.
    /// A peer on the Unix socket (`serve --unix-socket`) is always such a proxy: the socket file's
    /// permissions decide who can connect.
    func clientAddress(peer: SocketAddress?, headers: HTTPFields) -> SocketAddress? {
        let onUnixSocket = peer?.protocol == .unix
        guard onUnixSocket || !trustedProxies.isEmpty else { return peer }
        let forwarded = headers[values: .forwarded]
        let xForwardedFor = headers[values: .xForwardedFor]
        guard !forwarded.isEmpty || !xForwardedFor.isEmpty else { return peer }
        let client: IPAddress?
        if onUnixSocket {
            client = trustedProxies.clientAddressFromTrustedPeer(forwarded: forwarded, xForwardedFor: xForwardedFor)
        } else if let peerText = peer?.ipAddress, let peerIP = IPAddress(peerText) {
            client = trustedProxies.clientAddress(peer: peerIP, forwarded: forwarded, xForwardedFor: xForwardedFor)
        } else {
            client = nil
        }
        guard let client else { return peer }
        return (try? SocketAddress(ipAddress: client.description, port: 0)) ?? peer
    }

    /// `duration` in milliseconds with three decimals (`12.345`), rounded to the microsecond;
    /// written with integers, as `String(format:)` costs a few microseconds a line.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let microseconds = max(0, seconds * 1_000_000 + (attoseconds + 500_000_000_000) / 1_000_000_000_000)
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// The API error to report for anything a handler threw.
    static func apiError(for error: any Error, logger: Logger, requestID: String) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case is NIOTooManyBytesError:
            return .bodyTooLarge(limit: APIRoutes.maxBodyBytes)
        case let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed:
            return .invalidRequestURL
        case let error as HTTPError where error.status == .contentTooLarge:
            return .bodyTooLarge(limit: APIRoutes.maxBodyBytes)
        case let error as HTTPError where (400..<500).contains(error.status.code):
            return .validation(error.body.map(SecretRedactor.redact) ?? "Invalid request.")
        case let error as StoreError where error.code == .unavailable:
            logger.error("store unavailable", metadata: ["request_id": .string(requestID)])
            return .serviceUnavailable
        case let error as StoreError where error.code == .conflict:
            // The API's answer to a write that collided with another.
            return APIError(
                status: 409,
                code: "conflict_error",
                message: "Conflict occurred while saving. Please try again."
            )
        default:
            logger.error(
                "unexpected error",
                metadata: [
                    "request_id": .string(requestID),
                    "error": .string(StoreError.diagnostic(for: error)),
                ]
            )
            return .internalError
        }
    }
}

extension HTTPField.Name {
    static let notionRequestID = HTTPField.Name("x-notion-request-id")!
    static let notionVersion = HTTPField.Name("Notion-Version")!
}

extension HTTPField.Name {
    static let forwarded = HTTPField.Name("Forwarded")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
