import GatehouseCore
import Testing

@Suite struct ClientAddressTests {
    @Test func addressesParseInBothFamiliesAndMappedIPv4IsIPv4() throws {
        #expect(IPAddress("192.0.2.1")?.description == "192.0.2.1")
        #expect(IPAddress("[2001:db8::1]")?.description == "2001:db8::1")
        #expect(IPAddress("::ffff:192.0.2.1")?.isIPv4 == true)
        for bad in ["", "300.1.1.1", "1.2.3", "example.com", "2001:db8::1::2", "192.0.2.1%eth0"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
        #expect(IPAddress("127.9.9.9")?.isLoopback == true)
        #expect(IPAddress("::1")?.isLoopback == true)
        #expect(IPAddress("10.0.0.1")?.isLoopback == false)
        #expect(IPAddress.isLoopbackHost("localhost"))
        #expect(!IPAddress.isLoopbackHost("db.example.com"))
    }

    @Test func ipv6ClientsAreThrottledPerSlash64AndIPv4PerAddress() throws {
        let a = try #require(IPAddress("2001:db8:1:2:aaaa::1"))
        let b = try #require(IPAddress("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        let c = try #require(IPAddress("2001:db8:1:3::1"))
        #expect(a.throttleKey == b.throttleKey)
        #expect(a.throttleKey != c.throttleKey)
        #expect(IPAddress("192.0.2.1")?.throttleKey == "192.0.2.1")
        #expect(IPAddress("192.0.2.1")?.throttleKey != IPAddress("192.0.2.2")?.throttleKey)
    }

    @Test func networksContainWhatTheirPrefixCovers() throws {
        let network = try #require(IPNetwork("10.1.0.0/16"))
        #expect(network.contains(try #require(IPAddress("10.1.200.3"))))
        #expect(!network.contains(try #require(IPAddress("10.2.0.1"))))
        #expect(!network.contains(try #require(IPAddress("::1"))))
        let v6 = try #require(IPNetwork("2001:db8::/33"))
        #expect(v6.contains(try #require(IPAddress("2001:db8:7fff::1"))))
        #expect(!v6.contains(try #require(IPAddress("2001:db8:8000::1"))))
        #expect(IPNetwork("10.0.0.0/33") == nil)
        #expect(IPNetwork("10.0.0.1")?.prefixLength == 32)
        #expect(throws: TrustedProxiesError.self) { try TrustedProxies(parsing: "127.0.0.1, nonsense") }
    }

    @Test func onlyATrustedPeerIsBelievedAndOnlyForTheRightmostUntrustedHop() throws {
        let proxies = try TrustedProxies(parsing: "127.0.0.1,10.0.0.0/8")
        let proxy = try #require(IPAddress("127.0.0.1"))
        let stranger = try #require(IPAddress("203.0.113.9"))
        // An untrusted peer's headers are ignored.
        #expect(proxies.clientAddress(peer: stranger, forwarded: [], xForwardedFor: ["198.51.100.1"]) == nil)
        // The client may prepend anything; the proxies' own hops are skipped from the right.
        let client = proxies.clientAddress(
            peer: proxy,
            forwarded: [],
            xForwardedFor: ["6.6.6.6, 198.51.100.1", "10.1.1.1"]
        )
        #expect(client?.description == "198.51.100.1")
        let viaForwarded = proxies.clientAddress(
            peer: proxy,
            forwarded: [#"for=6.6.6.6, for="[2001:db8::7]:4711";proto=https"#],
            xForwardedFor: ["1.1.1.1"]
        )
        #expect(viaForwarded?.description == "2001:db8::7")
        // An unreadable hop ends the chain: nothing left of it is believed.
        #expect(proxies.clientAddress(peer: proxy, forwarded: [], xForwardedFor: ["1.1.1.1, garbage"]) == nil)
        #expect(proxies.clientAddress(peer: proxy, forwarded: [], xForwardedFor: []) == nil)
    }

    @Test func aPeerOnTheUnixSocketIsBelievedWithoutAnyTrustedNetwork() throws {
        // No network listed: only the socket's file permissions admit the peer.
        let none = TrustedProxies()
        let client = none.clientAddressFromTrustedPeer(forwarded: [], xForwardedFor: ["6.6.6.6, 198.51.100.1"])
        #expect(client?.description == "198.51.100.1")
        // Listed proxies in the chain are still skipped from the right.
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8")
        let behindTwo = proxies.clientAddressFromTrustedPeer(forwarded: [], xForwardedFor: ["198.51.100.1, 10.0.0.2"])
        #expect(behindTwo?.description == "198.51.100.1")
        #expect(none.clientAddressFromTrustedPeer(forwarded: [], xForwardedFor: []) == nil)
        #expect(none.clientAddressFromTrustedPeer(forwarded: [], xForwardedFor: ["garbage"]) == nil)
    }
}
