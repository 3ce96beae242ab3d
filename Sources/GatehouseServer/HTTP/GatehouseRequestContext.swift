import Crypto
import Foundation
import GatehouseCore
import Hummingbird
import NIOCore
import Synchronization

/// Per-request state: the request id, and once the middleware has run, the API version and the
/// authenticated principal.
public struct GatehouseRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The UUID reported as `request_id` and `x-notion-request-id`.
    public var requestID: String
    /// The `Notion-Version` sent; set by ``NotionVersionMiddleware``.
    public var notionVersion: NotionVersion?
    /// Who the bearer token acts as; set by ``BearerAuthMiddleware``.
    public var principal: Principal?

    /// The peer's address, if it has one (router tests have none).
    public var remoteAddress: SocketAddress?

    /// The peer's IP address (`unknown` when there is none), formatted when asked for.
    public var clientIP: String { remoteAddress?.ipAddress ?? "unknown" }

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.requestID = UUIDv4.string()
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The principal, which every route behind ``BearerAuthMiddleware`` has.
    public func requirePrincipal() throws(APIError) -> Principal {
        guard let principal else { throw .unauthorized }
        return principal
    }

    /// The version, which every route behind ``NotionVersionMiddleware`` has.
    public var version: NotionVersion { notionVersion ?? NotionVersion("2022-06-28")! }
}

/// Random (version 4) UUIDs in lowercase, the form the API uses for ids.
///
/// Written here rather than with Foundation's `UUID`, which on Linux opens and reads
/// `/dev/urandom` for every value: a request id is made for every request. The bits come from
/// the system's generator too, drawn 4 KiB at a time (one system call per 256 ids).
enum UUIDv4 {
    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let pool = Mutex(RandomPool())

    /// Random words from the system generator, drawn in batches.
    private struct RandomPool {
        var words = [UInt64](repeating: 0, count: 512)
        var next = 512

        mutating func pair() -> (UInt64, UInt64) {
            if next >= words.count {
                // swift-crypto's key generation reads the system's secure generator in one call.
                let bytes = SymmetricKey(size: SymmetricKeySize(bitCount: words.count * 64))
                bytes.withUnsafeBytes { source in
                    words.withUnsafeMutableBytes { $0.copyMemory(from: source) }
                }
                next = 0
            }
            defer { next += 2 }
            return (words[next], words[next + 1])
        }
    }

    static func string() -> String {
        let (random1, random2) = pool.withLock { $0.pair() }
        let high = random1 & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000  // version 4
        let low = random2 & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000  // RFC 9562 variant
        // 32 hex digits, most significant first, with dashes after the 8th, 12th, 16th and 20th.
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            for digit in 0..<32 {
                if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
                    buffer[index] = UInt8(ascii: "-")
                    index += 1
                }
                let word = digit < 16 ? high : low
                buffer[index] = hexDigits[Int((word >> UInt64(60 - 4 * (digit % 16))) & 0xF)]
                index += 1
            }
            return index
        }
    }
}
