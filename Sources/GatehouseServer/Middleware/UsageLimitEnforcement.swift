import GatehouseCore
import GatehouseStore
import Hummingbird

/// Usage-limited keys: a key made with a number of requests (`--max-uses`) is refused once it has
/// made them all, counted in the store for the whole cluster. Keys without a limit never reach the
/// store here (callers check ``Principal/maxUses`` first).
struct UsageLimitEnforcement: Sendable {
    let store: any Store

    /// The refusal for a request of `principal`'s that has no use left, or `nil` (and one use
    /// counted) when it may go on.
    func refusal(for principal: Principal, requestID: String) async -> Response? {
        guard let maxUses = principal.maxUses else { return nil }
        do {
            if try await store.consumeUse(tokenID: principal.tokenID) { return nil }
        } catch {
            return JSONResponse.error(.serviceUnavailable, requestID: requestID)
        }
        return JSONResponse.error(Self.exhausted(maxUses), requestID: requestID)
    }

    static func exhausted(_ maxUses: Int) -> APIError {
        APIError(
            status: 403,
            code: "restricted_resource",
            message: "This API key was limited to \(maxUses) requests and has made them all. Ask for a new key.",
            additionalData: ["usage_limit": String(maxUses)]
        )
    }
}
