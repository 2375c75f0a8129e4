// An S3 client: one endpoint (path-style addressing), one bucket, one set of keys. Each call is
// signed (SigV4, the payload's SHA-256 signed too), sent with async-http-client without following
// redirects (keys go nowhere else), and retried with backoff when the server is busy or the line
// drops before an answer; an error answer becomes one clear S3Error. Bodies are in memory and
// bounded (an object's part at most); answers are streamed to the caller. Connections close when
// the client goes.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

public final class S3Client: Sendable {
    public struct Configuration: Sendable {
        /// "http://127.0.0.1:8333", "https://s3.example.vn".
        public var endpoint: String
        public var region: String
        public var bucket: String
        public var credentials: S3Credentials
        /// Connections to keep open at once.
        public var connections: Int
        /// Seconds to wait for a connection before the attempt counts as failed.
        public var connectTimeout: Int64
        /// Seconds without a byte of the answer before the server counts as stopped. An answer
        /// is read as the task awaiting it takes its bytes: a process whose every thread of
        /// Swift's concurrency is busy elsewhere (a test run on two cores) reads nothing meanwhile.
        public var readTimeout: Int64

        public init(endpoint: String, region: String, bucket: String, credentials: S3Credentials, connections: Int = 8, connectTimeout: Int64 = 10,
                    readTimeout: Int64 = 120) {
            self.endpoint = endpoint
            self.region = region
            self.bucket = bucket
            self.credentials = credentials
            self.connections = connections
            self.connectTimeout = connectTimeout
            self.readTimeout = readTimeout
        }
    }

    public let configuration: Configuration
    let base: String
    let http: HTTPClient
    /// Seconds since 1970, for signatures.
    let now: @Sendable () -> Int64
    /// Waits between attempts (seconds); replaced in tests.
    let pause: @Sendable (Double) async -> Void
    public let maxAttempts: Int

    /// `now`: the clock signatures are dated by.
    public init(_ configuration: Configuration, now: @escaping @Sendable () -> Int64, maxAttempts: Int = 5,
                pause: @escaping @Sendable (Double) async -> Void = { try? await Task.sleep(nanoseconds: UInt64($0 * 1e9)) }) throws(S3Error) {
        guard let url = URL(string: configuration.endpoint), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.path.isEmpty || url.path == "/", url.query == nil, url.user == nil else {
            // Never printed whole: it may hold a user and a password.
            let shown = URL(string: configuration.endpoint)?.user != nil ? "(an address with a user and password in it)" : "'\(S3Error.visible(configuration.endpoint))'"
            throw S3Error(.other, "the S3 endpoint \(shown) is not an address like https://s3.example.vn or http://127.0.0.1:8333 (no path, no query, no user)")
        }
        guard S3Client.isBucketName(configuration.bucket) else {
            throw S3Error(.other, "'\(configuration.bucket)' is not a bucket name (3 to 63 of a-z, 0-9, '.', '-', starting and ending with a letter or digit)")
        }
        guard !configuration.region.isEmpty, configuration.region.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x2F }) else {
            throw S3Error(.other, "the S3 region '\(configuration.region)' is not a region name (e.g. us-east-1)")
        }
        self.configuration = configuration
        self.base = "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")"
        var http = HTTPClient.Configuration()
        http.redirectConfiguration = .disallow
        http.timeout = .init(connect: .seconds(max(1, configuration.connectTimeout)), read: .seconds(max(1, configuration.readTimeout)))
        http.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, configuration.connections))
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
        self.now = now
        self.pause = pause
        self.maxAttempts = max(1, maxAttempts)
    }

    /// Its connections are closed when the last reference goes.
    deinit { http.shutdown { _ in } }

    public var endpoint: String { base }

    public static func isBucketName(_ name: String) -> Bool {
        let b = Array(name.utf8)
        guard (3...63).contains(b.count) else { return false }
        func alnum(_ c: UInt8) -> Bool { (0x61...0x7A).contains(c) || (0x30...0x39).contains(c) }
        return alnum(b[0]) && alnum(b[b.count - 1]) && b.allSatisfy { alnum($0) || $0 == 0x2E || $0 == 0x2D } && !name.contains("..")
    }

    /// One request to send.
    struct Call: Sendable {
        var method: HTTPMethod
        /// The object's key; nil for the bucket itself.
        var key: String?
        var query: [(String, String)] = []
        var headers: [(String, String)] = []
        var body: ByteBuffer?
        /// Hex SHA-256 of the body (computed when nil).
        var payloadSHA256: String?
        /// What the call does, for messages ("PUT blobs/…").
        var what: String
        /// Time allowed for the whole exchange.
        var timeout: TimeAmount = .seconds(60)
    }

    /// Sends `call`, retrying when the server is busy or fails (5xx) or the line drops before an
    /// answer; returns the answer of a 2xx (its body still to read), or throws the error answer's
    /// meaning. `expect404`: a 404 is returned rather than thrown.
    func send(_ call: Call, expect404: Bool = false) async throws(S3Error) -> HTTPClientResponse {
        var attempt = 0
        while true {
            attempt += 1
            let failure: S3Error
            do {
                let response = try await http.execute(try request(call), timeout: call.timeout)
                let status = Int(response.status.code)
                if (200..<300).contains(status) || (expect404 && status == 404) { return response }
                // An error answer: its XML says which (HEAD answers carry none).
                let body = (try? await response.body.collect(upTo: 64 << 10)).map { Array($0.readableBytesView) } ?? []
                let xml = try? S3XML.parse(body)
                let code = xml?["Code"] ?? (status == 404 && call.method == .HEAD && call.key == nil ? "NoSuchBucket" : nil)
                let kind = S3Error.kind(status: status, code: code)
                failure = S3Error.explain(kind: kind, status: status, code: code, serverMessage: xml?["Message"], endpoint: base, bucket: configuration.bucket, what: call.what)
            } catch let error as S3Error {
                throw error
            } catch {
                failure = S3Error(.unreachable, "the S3 server at \(base) could not be reached or stopped answering (\(call.what): \(error))")
            }
            guard failure.kind == .server || failure.kind == .unreachable || (failure.kind == .badDigest && attempt < 2), attempt < maxAttempts else { throw failure }
            await pause(min(8, 0.25 * Double(1 << (attempt - 1))))
        }
    }

    /// The signed request for `call`.
    func request(_ call: Call) throws(S3Error) -> HTTPClientRequest {
        let path = "/\(configuration.bucket)" + (call.key.map { "/" + SigV4.encode($0, keepSlash: true) } ?? "/")
        let query = SigV4.canonicalQuery(call.query)
        var request = HTTPClientRequest(url: base + path + (query.isEmpty ? "" : "?" + query))
        request.method = call.method
        let payload = call.payloadSHA256 ?? call.body.map { Self.sha256Hex($0) } ?? SigV4.emptySHA256
        let amzDate = SigV4.amzDate(now())
        var headers = call.headers
        headers.append(("host", URL(string: base).map { u in u.host! + (u.port.map { ":\($0)" } ?? "") } ?? ""))
        headers.append(("x-amz-date", amzDate))
        headers.append(("x-amz-content-sha256", payload))
        if let token = configuration.credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        let signing = SigV4.Request(method: call.method.rawValue, encodedPath: path, query: call.query, headers: headers, payloadSHA256: payload)
        let authorization = SigV4.authorization(signing, credentials: configuration.credentials, region: configuration.region, amzDate: amzDate)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "authorization", value: authorization)
        if let body = call.body { request.body = .bytes(body) }
        return request
    }
}
