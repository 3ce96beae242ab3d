/// Which addresses Gatehouse may connect to on an outside party's behalf (a webhook's URL):
/// public addresses only, unless the operator allows some networks.
///
/// Refused: every special-purpose block of RFC 6890 and its successors that is not globally
/// reachable — loopback, private (RFC 1918, unique local, site-local), link-local (cloud metadata
/// services live there), carrier-grade NAT, documentation, benchmarking, multicast, reserved, and
/// the prefixes that can wrap an IPv4 address (IPv4-compatible, SIIT, NAT64, 6to4, Teredo).
/// An IPv4-mapped address (`::ffff:a.b.c.d`) is judged as its IPv4 address.
public struct OutboundAddressPolicy: Sendable, Equatable {
    /// Networks the operator allows although they are not public (`127.0.0.0/8` for a receiver
    /// on the same machine, say).
    public var allowed: [IPNetwork]

    public init(allowed: [IPNetwork] = []) {
        self.allowed = allowed
    }

    static let notPublic: [IPNetwork] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        // IPv6: IPv4-compatible (with the unspecified and loopback addresses), SIIT-translated,
        // NAT64, discard, Teredo and the other IETF blocks, documentation, 6to4, unique local,
        // site-local, link-local, multicast, and the newer documentation and SRv6 SID blocks.
        "::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
        "2002::/16", "3fff::/20", "5f00::/16", "fc00::/7", "fec0::/10", "fe80::/10", "ff00::/8",
    ].map { IPNetwork($0)! }

    /// Whether a connection to `address` is allowed.
    public func permits(_ address: IPAddress) -> Bool {
        if allowed.contains(where: { $0.contains(address) }) { return true }
        return !Self.notPublic.contains { $0.contains(address) }
    }
}
