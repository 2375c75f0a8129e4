// Behind a trusted proxy the client's own address is the nearest untrusted hop of
// X-Forwarded-For; from anyone else the header is ignored (it could be forged).
@testable import KhoServer
import Testing

@Suite struct ClientAddressTests {
    @Test func forwardedAddressesAreBelievedOnlyFromTrustedProxies() {
        let trusted: Set<String> = ["10.0.0.5", "10.0.0.6"]
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["203.0.113.7"], trusted: trusted) == "203.0.113.7")
        // A client that writes the header itself: the proxy appends the real address, which wins.
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["1.2.3.4, 203.0.113.7"], trusted: trusted) == "203.0.113.7")
        // Two proxies in a row, both trusted.
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["203.0.113.7", "10.0.0.6"], trusted: trusted) == "203.0.113.7")
        #expect(ClientAddress.resolve(peer: "198.51.100.9", forwardedFor: ["203.0.113.7"], trusted: trusted) == "198.51.100.9", "not a trusted proxy")
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: [], trusted: trusted) == "10.0.0.5")
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["<script>, 203.0.113.7"], trusted: trusted) == "203.0.113.7")
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["203.0.113.7, x\r\ny"], trusted: trusted) == "10.0.0.5", "garbled: the proxy's own")
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["2001:DB8::1"], trusted: trusted) == "2001:db8::1")
        #expect(ServerOptions.checkAddress("10.0.0.256").isFailure && ServerOptions.checkAddress("proxy.local").isFailure)
        #expect((try? ServerOptions.checkAddress("::1").get()) == "::1")
        // One written form: a dual-stack socket's IPv4-mapped peer, and a longhand IPv6 proxy.
        #expect(ClientAddress.resolve(peer: "::ffff:10.0.0.5", forwardedFor: ["203.0.113.7"], trusted: trusted) == "203.0.113.7")
        #expect((try? ServerOptions.checkAddress("2001:DB8:0:0::5").get()) == "2001:db8::5")
        // A hop with a port is not an address: the proxy's own is used, not a key per connection.
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["203.0.113.7:51234"], trusted: trusted) == "10.0.0.5")
    }
}

extension Result {
    var isFailure: Bool { if case .failure = self { true } else { false } }
}
