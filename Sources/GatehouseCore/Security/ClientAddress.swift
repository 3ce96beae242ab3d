import Foundation

/// An IPv4 or IPv6 address, parsed by the C library's `inet_pton`.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6 (an IPv4-mapped IPv6 address is kept as its IPv4 address).
    public let bytes: [UInt8]

    /// Reads `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]` or `::ffff:192.0.2.1`; `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let all = withUnsafeBytes(of: &v6) { Array($0) }
        let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
        bytes = Array(all.prefix(12)) == mappedPrefix ? Array(all.suffix(4)) : all
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// 127.0.0.0/8 and `::1`.
    public var isLoopback: Bool {
        isIPv4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// Whether `host` (a name or an address, IPv6 possibly in brackets) never leaves this machine:
    /// `localhost`, 127.0.0.0/8 or `::1`.
    public static func isLoopbackHost(_ host: String) -> Bool {
        host.lowercased() == "localhost" || IPAddress(host)?.isLoopback == true
    }

    /// The key a failure throttle counts this client under: the address for IPv4, its /64 network
    /// for IPv6, since one IPv6 client usually holds a whole /64 and could otherwise rotate through it.
    public var throttleKey: String {
        guard !isIPv4 else { return description }
        return bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: ".") + "/64"
    }

    public var description: String {
        var copy = bytes
        let family = isIPv4 ? AF_INET : AF_INET6
        var buffer = [CChar](repeating: 0, count: 64)
        let written = copy.withUnsafeMutableBytes { inet_ntop(family, $0.baseAddress, &buffer, 64) }
        guard written != nil else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A network in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`; a bare address is a /32 or /128).
public struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let address = IPAddress(first) else { return nil }
        let maximum = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...maximum).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = maximum
        }
        self.address = address
    }

    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for (mine, theirs) in zip(address.bytes, candidate.bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            guard mine & mask == theirs & mask else { return false }
            remaining -= 8
        }
        return true
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// The reverse proxies whose `Forwarded` / `X-Forwarded-For` headers are believed.
///
/// A request from any other peer is attributed to the peer itself, whatever it claims. From a
/// trusted peer, the client is the rightmost address in the forwarding chain that is not itself a
/// trusted proxy: addresses to its left were written by the client and prove nothing.
public struct TrustedProxies: Sendable, Equatable {
    public let networks: [IPNetwork]

    public init(_ networks: [IPNetwork] = []) {
        self.networks = networks
    }

    /// Reads a comma- or space-separated list of networks; throws naming the first bad entry.
    public init(parsing text: String) throws(TrustedProxiesError) {
        var networks: [IPNetwork] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " }) where !entry.isEmpty {
            guard let network = IPNetwork(entry) else { throw TrustedProxiesError(entry: String(entry.prefix(60))) }
            networks.append(network)
        }
        self.networks = networks
    }

    public var isEmpty: Bool { networks.isEmpty }

    public func trusts(_ address: IPAddress) -> Bool { networks.contains { $0.contains(address) } }

    /// The client's address for a request from `peer` carrying these header values (each header
    /// field's value, in order), or `nil` to keep the peer's.
    public func clientAddress(peer: IPAddress, forwarded: [String], xForwardedFor: [String]) -> IPAddress? {
        guard trusts(peer) else { return nil }
        return clientAddressFromTrustedPeer(forwarded: forwarded, xForwardedFor: xForwardedFor)
    }

    /// The client's address for a request from a peer trusted whatever its address — one on the
    /// server's Unix socket, which only the processes the socket file's permissions admit can
    /// reach — or `nil` to keep the peer's. The chain is read as for a trusted peer address.
    public func clientAddressFromTrustedPeer(forwarded: [String], xForwardedFor: [String]) -> IPAddress? {
        let chain =
            forwarded.isEmpty ? Self.addresses(xForwardedFor: xForwardedFor) : Self.addresses(forwarded: forwarded)
        guard !chain.isEmpty else { return nil }
        for hop in chain.reversed() {
            guard let address = hop else { return nil }  // an unreadable hop: believe nothing left of it
            if !trusts(address) { return address }
        }
        return chain.first ?? nil
    }

    /// The `for=` values of RFC 7239 `Forwarded` fields, leftmost first (`nil` for an obfuscated or
    /// unknown one).
    static func addresses(forwarded: [String]) -> [IPAddress?] {
        forwarded.flatMap { $0.split(separator: ",") }.compactMap { element -> IPAddress?? in
            for pair in element.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "for" else {
                    continue
                }
                var value = parts[1].trimmingCharacters(in: .whitespaces)
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                    value = String(value.dropFirst().dropLast())
                }
                return .some(IPAddress(Self.withoutPort(value)))
            }
            return nil
        }
    }

    /// The addresses of `X-Forwarded-For` fields, leftmost first.
    static func addresses(xForwardedFor: [String]) -> [IPAddress?] {
        xForwardedFor.flatMap { $0.split(separator: ",") }.map {
            IPAddress(Self.withoutPort($0.trimmingCharacters(in: .whitespaces)))
        }
    }

    /// `[v6]:port` → `v6`, `v4:port` → `v4`; a bare IPv6 address is left alone.
    static func withoutPort(_ value: String) -> String {
        if value.hasPrefix("["), let end = value.firstIndex(of: "]") {
            return String(value[value.index(after: value.startIndex)..<end])
        }
        if value.filter({ $0 == ":" }).count == 1, let colon = value.firstIndex(of: ":") {
            return String(value[..<colon])
        }
        return value
    }
}

/// A trusted-proxy entry that is not an address or a network.
public struct TrustedProxiesError: Error, Sendable, CustomStringConvertible {
    public let entry: String
    public var description: String {
        "'\(entry)' is not an IP address or a network such as 10.0.0.0/8 or 2001:db8::/32"
    }
}
