// A resumable upload through a real `kho serve`, killed with SIGKILL half-way through a 100 MB
// chunk: started again, the server says the last durable byte, the upload goes on from there,
// and the file's SHA-256 is right.
import Crypto
import Foundation
import Glibc
import KhoTesting
import Testing

/// Just enough HTTP/1.1 over a socket to drive the server from outside, as a browser would.
struct RawHTTP {
    let port: Int

    func connect() -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { close(fd); return nil }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    static func head(_ method: String, _ path: String, port: Int, _ headers: [(String, String)], length: Int) -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Length: \(length)\r\n"
            + headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
    }

    /// Sends a request and reads the whole answer.
    func send(_ method: String, _ path: String, _ headers: [(String, String)] = [], body: [UInt8] = []) -> Response? {
        guard let fd = connect() else { return nil }
        defer { close(fd) }
        let bytes = Array(Self.head(method, path, port: port, headers, length: body.count).utf8) + body
        guard bytes.withUnsafeBytes({ Self.writeAll(fd, $0) }) else { return nil }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return Response(String(decoding: out, as: UTF8.self))
    }

    struct Response {
        let status: Int
        let headers: [String: String]
        let body: String
        init?(_ text: String) {
            guard let end = text.range(of: "\r\n\r\n") else { return nil }
            let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
            guard let code = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
            status = code
            var fields: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                // Several Set-Cookie lines: the session's is the one kept.
                if name == "set-cookie", !value.hasPrefix("kho_session=") { continue }
                fields[name] = value
            }
            headers = fields
            body = String(text[end.upperBound...])
        }
    }
}

/// A `kho serve` on a port the system picks, for one test.
final class ServerProcess {
    let process = Process()
    let port: Int

    init(archive: String) throws {
        process.executableURL = URL(fileURLWithPath: Kho.binary)
        process.arguments = ["serve", "--port", "0", "--storage", archive]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var said = ""
        var port: Int?
        let deadline = Date().addingTimeInterval(60)
        while port == nil, Date() < deadline, process.isRunning {
            said += String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
            port = said.firstMatch(of: /at http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) }
        }
        guard let port else { throw KhoTestFailure("the server did not start: \(said)") }
        self.port = port
        // Nobody reads standard error from here on: a full pipe must not stop the server.
        errors.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
    }

    func stop(_ signal: Int32 = SIGTERM) {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }
}

struct KhoTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@Suite struct UploadKillTests {
    @Test func anUploadKilledHalfWayResumesFromTheLastDurableByte() throws {
        let w = Workspace()
        let password = "một mật khẩu đủ dài"
        #expect(w.run(["users", "add", "xa.staff", "--role", "staff", "--unit", "21025", "--password-stdin"], input: password + "\n").status == 0)
        let size = 100 << 20
        var data = [UInt8](repeating: 0, count: size)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in stride(from: 0, to: size, by: 8) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            withUnsafeBytes(of: state) { for j in 0..<8 { data[i + j] = $0[j] } }
        }
        let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()

        var server = try ServerProcess(archive: w.archive)
        let http = RawHTTP(port: server.port)
        let form = "name=xa.staff&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        let login = try #require(http.send("POST", "/login", [("Content-Type", "application/x-www-form-urlencoded")], body: Array(form.utf8)))
        let cookie = try #require(login.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        let page = try #require(http.send("GET", "/", [("Cookie", cookie)]))
        let csrf = try #require(page.body.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) })
        let tus = [("Cookie", cookie), ("X-CSRF-Token", csrf), ("Tus-Resumable", "1.0.0")]
        let made = try #require(http.send("POST", "/api/v1/uploads", tus + [("Upload-Length", "\(size)"), ("Upload-Metadata", "filename dmlkZW8ubXA0")]))
        #expect(made.status == 201)
        let location = try #require(made.headers["location"])
        let id = try #require(location.split(separator: "/").last.map(String.init))

        // One PATCH for the whole file; SIGKILL once some of it is durable and more is on its way.
        let fd = try #require(http.connect())
        let head = RawHTTP.head("PATCH", location, port: server.port, tus + [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0")], length: size)
        #expect(Array(head.utf8).withUnsafeBytes { RawHTTP.writeAll(fd, $0) })
        let sent = 70 << 20
        #expect(data.withUnsafeBytes { RawHTTP.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<sent])) })
        let record = "\(w.archive)/tmp/uploads/\(id).json"
        func durable() -> Int {
            guard let bytes = FileManager.default.contents(atPath: record),
                  let json = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else { return -1 }
            return (json["offset"] as? Int) ?? -1
        }
        let deadline = Date().addingTimeInterval(60)
        while durable() < 32 << 20, Date() < deadline { usleep(20_000) }
        #expect(durable() >= 32 << 20, "some of the chunk was made durable before the kill")
        server.stop(SIGKILL)
        close(fd)

        server = try ServerProcess(archive: w.archive)
        defer { server.stop() }
        let again = RawHTTP(port: server.port)
        // The session outlives the restart; the upload is at its last durable byte.
        let state1 = try #require(again.send("HEAD", location, tus))
        let offset = try #require(state1.headers["upload-offset"].flatMap { Int($0) })
        #expect(state1.status == 200 && offset >= 32 << 20 && offset <= sent, "offset \(offset)")
        let rest = try #require(again.send("PATCH", location, tus + [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "\(offset)")],
                                           body: Array(data[offset...])))
        #expect(rest.status == 204 && rest.headers["upload-offset"] == "\(size)", "\(rest.status) \(rest.body)")
        #expect(rest.headers["kho-sha256"] == sha)
        let wrong = try #require(again.send("PATCH", location, tus + [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0")], body: [1]))
        #expect(wrong.status == 409)
        // A Content-Length near Int64.max once overflowed and stopped the server: now a plain 413.
        let fresh = try #require(again.send("POST", "/api/v1/uploads", tus + [("Upload-Length", "10")]))
        let small = try #require(fresh.headers["location"])
        #expect(again.send("PATCH", small, tus + [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0")], body: [7])?.status == 204)
        let fd2 = try #require(again.connect())
        let huge = RawHTTP.head("PATCH", small, port: server.port, tus + [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "1")],
                                length: Int(Int64.max))
        #expect(Array(huge.utf8).withUnsafeBytes { RawHTTP.writeAll(fd2, $0) })
        var answer = [UInt8](repeating: 0, count: 4096)
        let n = read(fd2, &answer, answer.count)
        close(fd2)
        #expect(n > 0 && String(decoding: answer[0..<max(n, 0)], as: UTF8.self).hasPrefix("HTTP/1.1 413"))
        #expect(again.send("GET", "/healthz")?.status == 200, "the server is still up")
    }
}
