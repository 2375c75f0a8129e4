// What `kho serve` is told: where to listen, the address people reach it at, and the limits of
// sessions and logins. Plain values, checked once at start.
import Glibc
import KhoCore
import KhoOperations

public struct ServerOptions: Sendable {
    public var host: String
    public var port: Int
    /// The address users reach the server at (behind a proxy, the proxy's). An https base URL
    /// makes the session cookie Secure.
    public var baseURL: String
    /// A session ends after this long without a request...
    public var sessionIdleSeconds: Double
    /// ...and this long after login, whatever happens.
    public var sessionAbsoluteSeconds: Double
    public var hashing: PasswordHashing
    /// The largest file one upload may bring (refused before any byte is sent).
    public var maxUploadBytes: Int64
    /// An unfinished upload is removed this long after its last chunk.
    public var uploadLifetimeSeconds: Double
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed: behind them, the login
    /// slowdown and the log see each client's own address, not the proxy's.
    public var trustedProxies: Set<String> = []

    public static let defaultMaxUploadBytes: Int64 = 10 << 30

    public init(host: String = "127.0.0.1", port: Int = 8080, baseURL: String? = nil, sessionIdleSeconds: Double = 2 * 3600,
                sessionAbsoluteSeconds: Double = 12 * 3600, hashing: PasswordHashing = .init(),
                maxUploadBytes: Int64 = defaultMaxUploadBytes, uploadLifetimeSeconds: Double = 7 * 86_400) {
        self.maxUploadBytes = maxUploadBytes
        self.uploadLifetimeSeconds = uploadLifetimeSeconds
        self.host = host
        self.port = port
        self.baseURL = baseURL ?? Self.localBase(host: host, port: port)
        baseURLGiven = baseURL != nil
        self.sessionIdleSeconds = sessionIdleSeconds
        self.sessionAbsoluteSeconds = sessionAbsoluteSeconds
        self.hashing = hashing
    }

    /// Whether the base URL was given (else it is the address listened on, with the port the
    /// server really took when asked for any free one).
    public private(set) var baseURLGiven = false

    /// The address of a server listening on `host` and `port`.
    public static func localBase(host: String, port: Int) -> String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// The same options once the server listens on `port` (for --port 0).
    public func listening(on port: Int) -> ServerOptions {
        guard !baseURLGiven, port != self.port else { return self }
        var bound = self
        bound.port = port
        bound.baseURL = Self.localBase(host: host, port: port)
        return bound
    }

    /// Whether cookies must be Secure: the server is reached over https.
    public var secureCookies: Bool { baseURL.lowercased().hasPrefix("https://") }

    /// The origin (scheme, host, port) browsers send in `Origin` for the server's own pages.
    public var origin: String {
        let lower = baseURL.lowercased()
        guard let schemeEnd = lower.range(of: "://") else { return lower }
        let rest = lower[schemeEnd.upperBound...]
        let host = rest.prefix { $0 != "/" }
        return String(lower[..<schemeEnd.upperBound]) + host
    }

    /// A base URL Kho can use: http or https, a host, no query or fragment.
    public static func checkBaseURL(_ text: String) -> Result<String, Problem> {
        let lower = text.lowercased()
        let ok = (lower.hasPrefix("http://") || lower.hasPrefix("https://")) && !text.contains("?") && !text.contains("#")
            && text.split(separator: "/", omittingEmptySubsequences: true).count >= 2 && !text.contains(" ")
        guard ok else {
            return .failure(Problem(code: .usage, field: "--base-url", value: text, expected: "an http:// or https:// address without query, e.g. https://kho.example.gov.vn"))
        }
        return .success(text.hasSuffix("/") ? String(text.dropLast()) : text)
    }

    /// An address given to --trusted-proxy: an IPv4 or IPv6 literal.
    public static func checkAddress(_ text: String) -> Result<String, Problem> {
        guard let address = ClientAddress.literal(text) else {
            return .failure(Problem(code: .usage, field: "--trusted-proxy", value: text, expected: "an IPv4 or IPv6 address, e.g. 10.0.0.5"))
        }
        return .success(address)
    }
}

/// Who sent a request: the connection's address, or behind trusted proxies the address the
/// nearest untrusted hop of `X-Forwarded-For` names. A forwarded address is believed only from
/// a trusted proxy (anyone else could write the header).
public enum ClientAddress {
    static func resolve(peer given: String, forwardedFor: [String], trusted: Set<String>) -> String {
        let peer = literal(given) ?? given
        guard trusted.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { String($0).trimmingWhitespace() }
        for hop in hops.reversed() {
            guard let address = literal(hop) else { return peer }  // a garbled header: the proxy's own address
            if !trusted.contains(address) { return address }
        }
        return peer
    }

    /// `text` as an IP address in its one written form (inet_ntop: "2001:DB8:0::5" is
    /// "2001:db8::5", an IPv4-mapped "::ffff:10.0.0.5" is "10.0.0.5"), or nil: no ports, no
    /// brackets, nothing but an address.
    static func literal(_ text: String) -> String? {
        let t = text.trimmingWhitespace()
        guard (2...45).contains(t.utf8.count) else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, t, &v4) == 1 { return written(AF_INET, &v4, length: INET_ADDRSTRLEN) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, t, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        return written(AF_INET6, &v6, length: INET6_ADDRSTRLEN)
    }

    private static func written<T>(_ family: Int32, _ address: inout T, length: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(length))
        guard inet_ntop(family, &address, &buffer, socklen_t(length)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
