// kho users and kho serve as an administrator uses them: passwords from standard input or made
// up, JSON listings, clear refusals; a server that answers, refuses a busy port, and stops
// cleanly on SIGTERM.
import Foundation
import Glibc
import KhoTesting
import Testing

extension Workspace {
    /// Runs kho with `input` on standard input.
    func run(_ arguments: [String], input: String) -> Run {
        let stdin = "\(path)/stdin-\(UInt32.random(in: 0...UInt32.max))"
        FileManager.default.createFile(atPath: stdin, contents: Data(input.utf8))
        defer { try? FileManager.default.removeItem(atPath: stdin) }
        return run(executable: "/bin/sh", ["-c", "exec \"$0\" \"$@\" < \"\(stdin)\"", Kho.binary] + arguments, env: ["KHO_STORAGE": archive])
    }
}

@Suite struct UsersCLITests {
    @Test func addListPasswdDisable() {
        let w = Workspace()
        let added = w.run(["users", "add", "Lan.Nguyen", "--role", "staff", "--unit", "51", "--password-stdin"], input: "một mật khẩu dài\n")
        #expect(added.status == 0 && added.out.contains("added lan.nguyen: staff, unit 51"), "\(added.stderr)")
        let generated = w.run(["users", "add", "admin", "--role", "admin", "--generate-password", "--json"])
        #expect(generated.status == 0)
        #expect((generated.object["password"] as? String)?.count == 20 && generated.object["unit"] == nil)
        let list = w.run(["users", "list", "--json"])
        #expect(list.array.map { $0["name"] as? String } == ["admin", "lan.nguyen"])
        #expect(!list.out.contains("password"), "a listing never shows a password or its hash")
        let passwd = w.run(["users", "passwd", "lan.nguyen", "--generate-password"])
        #expect(passwd.status == 0 && passwd.out.contains("password (shown once): "))
        #expect(w.run(["users", "disable", "lan.nguyen"]).status == 0)
        #expect(w.run(["users", "list"]).out.contains("lan.nguyen\tstaff\t51\tdisabled"))
        #expect(w.run(["users", "enable", "lan.nguyen"]).status == 0)
    }

    @Test func apiTokensAreShownOnceListedAndRevoked() {
        let w = Workspace()
        #expect(w.run(["users", "add", "may.xuat", "--role", "exporter", "--unit", "51", "--generate-password"]).status == 0)
        let made = w.run(["users", "token", "may.xuat", "--days", "30", "--label", "gửi tỉnh", "--json"])
        #expect(made.status == 0, "\(made.stderr)")
        let token = made.object["token"] as? String
        let id = (made.object["info"] as? [String: Any])?["id"] as? String
        #expect(token?.count == 43 && id?.count == 12)
        let list = w.run(["users", "tokens"])
        #expect(list.out.contains("\(id ?? "?")\tmay.xuat\tuntil ") && list.out.contains("gửi tỉnh") && !list.out.contains(token ?? "?"))
        let revoked = w.run(["users", "revoke-token", id ?? ""])
        #expect(revoked.status == 0 && revoked.out.contains("revoked token \(id ?? "?") of may.xuat"))
        #expect(w.run(["users", "tokens"]).out.contains("\trevoked\t"))
        #expect(w.run(["users", "token", "nobody"]).status == 1)
        #expect(w.run(["users", "token", "may.xuat", "--days", "0"]).status == 1)
        #expect(w.run(["users", "revoke-token", "000000000000"]).status == 1)
    }

    @Test func refusalsSayWhatIsWrong() {
        let w = Workspace()
        let noTerminal = w.run(["users", "add", "lan", "--role", "staff"])
        #expect(noTerminal.status == 2 && noTerminal.stderr.contains("--password-stdin"))
        let role = w.run(["users", "add", "lan", "--role", "boss", "--generate-password"])
        #expect(role.status == 1 && role.stderr.contains("admin, staff, auditor, exporter"))
        let weak = w.run(["users", "add", "lan", "--role", "staff", "--password-stdin"], input: "ngắn\n")
        #expect(weak.status == 1 && weak.stderr.contains("at least 10 characters") && !weak.stderr.contains("ngắn"))
        let oldUnit = w.run(["users", "add", "lan", "--role", "staff", "--unit", "62", "--generate-password"])
        #expect(oldUnit.status == 1 && oldUnit.stderr.contains("51"))
        #expect(w.run(["users", "passwd", "nobody", "--generate-password"]).status == 1)
        #expect(w.run(["users", "list"]).out.contains("no users yet"))
    }
}

@Suite struct ServeCLITests {
    /// `GET path` on 127.0.0.1:port; the status line and the whole response, or nil if nothing listens.
    static func get(_ path: String, port: Int) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { return nil }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n"
        _ = request.withCString { write(fd, $0, strlen($0)) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func servesAnswersAndStopsOnSigterm() throws {
        let w = Workspace()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Kho.binary)
        process.arguments = ["serve", "--port", "0", "--storage", w.archive]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The port the system chose, from the "serving … at http://127.0.0.1:PORT" line.
        var said = ""
        var port: Int?
        let deadline = Date().addingTimeInterval(60)
        while port == nil, Date() < deadline, process.isRunning {
            let chunk = errors.fileHandleForReading.availableData
            said += String(decoding: chunk, as: UTF8.self)
            port = said.firstMatch(of: /at http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) }
        }
        let found = try #require(port, "the server said: \(said)")
        #expect(said.contains("no users yet"))
        let health = Self.get("/healthz", port: found)
        #expect(health?.hasPrefix("HTTP/1.1 200") == true && health?.contains(#"{"status":"ok"}"#) == true, "\(health ?? "nothing")")
        let home = Self.get("/", port: found)
        #expect(home?.hasPrefix("HTTP/1.1 302") == true && home?.lowercased().contains("location: /login") == true)
        // The base URL is the port really taken, not :0 (OAI-PMH gives it to harvesters).
        let identify = Self.get("/oai?verb=Identify", port: found)
        #expect(identify?.contains("<baseURL>http://127.0.0.1:\(found)/oai</baseURL>") == true, "\(identify ?? "nothing")")
        // A second server on the same port says so.
        let busy = w.run(executable: "/usr/bin/timeout", ["30", Kho.binary, "serve", "--port", String(found)], env: ["KHO_STORAGE": w.archive])
        #expect(busy.status != 0 && busy.stderr.contains("the server stopped"), "\(busy.stderr)")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(Self.get("/healthz", port: found) == nil)
    }
}
