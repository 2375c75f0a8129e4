// A server on a scratch archive for the router tests: a clock the test moves by hand, users
// with cheap password hashes, and a client that keeps the session cookie like a browser.
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KhoCore
import KhoOperations
import KhoPlatform
import KhoServer
import KhoTesting
import Logging
import Synchronization

/// A clock that stays where the test puts it.
final class HandClock: Sendable {
    private let seconds: Mutex<Double>
    init(_ iso: String = "2026-03-02T01:00:00.000Z") { seconds = Mutex(Timestamp(iso: iso).epochSeconds!) }
    func advance(_ s: Double) { seconds.withLock { $0 += s } }
    var clock: Clock {
        Clock(now: { [self] in Timestamp(epochSeconds: seconds.withLock { $0 }) }, uptime: { [self] in seconds.withLock { $0 } })
    }
}

struct ServerFixture {
    let scratch = Scratch(prefix: "kho-server")
    let hand = HandClock()
    let session: Session
    static let hashing = PasswordHashing(cost: 4)
    static let password = "mật khẩu đủ dài 1"

    init() throws {
        let environment = ArchiveEnvironment(clock: hand.clock, ids: .seeded(7), lockTimeout: 5)
        let path = HostPath("\(scratch.path)/archive")
        _ = try InitArchive(path: path).run(for: Actor(agent: "test"), environment: environment)
        session = try ArchiveLocation(path: path, isDefault: false).open(for: Actor(agent: "kho test"), environment: environment).session
    }

    @discardableResult
    func addUser(_ name: String, role: String = "staff", unit: String? = "51") throws -> UserAccount {
        try AddUser(name: name, role: role, unit: unit, password: Self.password, hashing: Self.hashing).run(in: session)
    }

    func app(baseURL: String? = nil, idle: Double = 3600, absolute: Double = 8 * 3600,
             maxUpload: Int64 = ServerOptions.defaultMaxUploadBytes) throws -> some ApplicationProtocol {
        var logger = Logger(label: "kho.test")
        logger.logLevel = .error
        return try makeApplication(session, options: ServerOptions(baseURL: baseURL, sessionIdleSeconds: idle, sessionAbsoluteSeconds: absolute,
                                                                   hashing: Self.hashing, maxUploadBytes: maxUpload), logger: logger)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var bytes: [UInt8] { body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? [] }
    /// The session cookie's value that the response sets, if it sets one.
    var sessionCookie: String? {
        headers[values: .setCookie].first { $0.hasPrefix("kho_session=") }.map { String($0.dropFirst(12).prefix { $0 != ";" }) }
    }
    /// The CSRF token of the page (the hidden field of its forms).
    var csrf: String? { text.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) } }
}

func form(_ fields: [(String, String)]) -> ByteBuffer {
    let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
    return ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
}

let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

func headers(cookie: String? = nil, _ more: [(String, String)] = []) -> HTTPFields {
    var out: HTTPFields = formType
    if let cookie { out[.cookie] = "kho_session=\(cookie)" }
    for (name, value) in more { out.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
    return out
}

/// Logs in and returns the session cookie.
func logIn(_ client: some TestClientProtocol, _ name: String, password: String = ServerFixture.password) async throws -> String? {
    try await client.execute(uri: "/login", method: .post, headers: formType, body: form([("name", name), ("password", password)])).sessionCookie
}
