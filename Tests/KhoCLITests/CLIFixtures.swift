// Runs the built `kho` binary as a user would, and checks what it prints and returns.
import Foundation
import Glibc
import KhoTesting
import Testing

struct Run {
    var status: Int32
    var stdout: Data
    var stderr: String
    var out: String { String(decoding: stdout, as: UTF8.self) }
    var json: Any? { try? JSONSerialization.jsonObject(with: stdout) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
}

enum Kho {
    /// The `kho` next to the test bundle (`swift build` puts both in the same folder), or $KHO_BIN.
    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["KHO_BIN"] { return explicit }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("kho").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return "kho"
    }()
}

/// A scratch folder with an archive in it, and a way to run kho against it.
final class Workspace: Sendable {
    let path: String
    var archive: String { "\(path)/archive" }

    init(initArchive: Bool = true) {
        var template = Array("/tmp/kho-cli-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        if initArchive { _ = run(["init", archive]) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func run(_ arguments: [String], env: [String: String] = [:], cwd: String? = nil, storage: Bool = true) -> Run {
        run(executable: Kho.binary, arguments, env: env.merging(storage ? ["KHO_STORAGE": archive] : [:]) { a, _ in a }, cwd: cwd)
    }

    func run(executable: String, _ arguments: [String], env: [String: String] = [:], cwd: String? = nil) -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "KHO_STORAGE")
        environment["KHO_AGENT"] = "cli-test"
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: cwd ?? path)
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return Run(status: -1, stdout: Data(), stderr: "\(error)") }
        // Read both pipes while the process runs so a large output cannot block it.
        let errData = Mutex(Data())
        let errReader = Thread { errData.withLock { $0 = errPipe.fileHandleForReading.readDataToEndOfFile() } }
        errReader.start()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while errReader.isExecuting || !errReader.isFinished { usleep(1000) }
        return Run(status: process.terminationStatus, stdout: out, stderr: String(decoding: errData.withLock { $0 }, as: UTF8.self))
    }

    @discardableResult
    func file(_ name: String, _ contents: String) -> String { file(name, bytes: Array(contents.utf8)) }

    @discardableResult
    func file(_ name: String, bytes: [UInt8]) -> String {
        let full = "\(path)/\(name)"
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return full
    }

    /// Starts kho with `arguments` on this archive and kills it (SIGKILL) `delay` microseconds later.
    func runKilled(_ arguments: [String], after delay: useconds_t, env: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Kho.binary)
        process.arguments = arguments
        process.environment = ["KHO_STORAGE": archive, "PATH": "/usr/bin:/bin"].merging(env) { a, _ in a }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Ingests one file with valid metadata and returns the new ID.
    func ingest(_ file: String, title: String = "Quyền con người", extra: [String] = []) -> String {
        let r = run(["ingest", file, "--title", title, "--kind", "article", "--lang", "vi", "--unit", "00004"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func sha256(of path: String) -> String {
        let r = run(executable: "/usr/bin/sha256sum", [path])
        return String(r.out.prefix(64))
    }
}

import Synchronization
