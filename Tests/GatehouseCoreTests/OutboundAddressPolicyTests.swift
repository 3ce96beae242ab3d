import GatehouseCore
import Testing

/// Which addresses a webhook may be sent to: public ones, and what the operator allows.
@Suite struct OutboundAddressPolicyTests {
    @Test(arguments: [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "192.0.2.10", "198.18.0.1", "224.0.0.1", "255.255.255.255", "::1", "::", "fc00::1", "fd12::1",
        "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2001:db8::1",
        // IPv6 forms that carry an IPv4 address or are not global: IPv4-compatible, SIIT, 6to4
        // (of 127.0.0.1), Teredo, site-local, documentation, SRv6.
        "::127.0.0.1", "::ffff:0:7f00:1", "2002:7f00:1::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "fec0::1",
        "3fff::1", "5f00::1",
    ])
    func aNonPublicAddressIsRefused(address: String) throws {
        #expect(!OutboundAddressPolicy().permits(try #require(IPAddress(address))))
    }

    @Test(arguments: ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:1.1.1.1"])
    func aPublicAddressIsAllowed(address: String) throws {
        #expect(OutboundAddressPolicy().permits(try #require(IPAddress(address))))
    }

    @Test func theOperatorCanAllowANetworkAndOnlyThatOne() throws {
        let policy = OutboundAddressPolicy(allowed: [try #require(IPNetwork("127.0.0.0/8"))])
        #expect(policy.permits(try #require(IPAddress("127.0.0.1"))))
        #expect(policy.permits(try #require(IPAddress("::ffff:127.0.0.2"))))
        #expect(!policy.permits(try #require(IPAddress("::1"))))
        #expect(!policy.permits(try #require(IPAddress("10.0.0.1"))))
    }
}
