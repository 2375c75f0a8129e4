// Scratch folders for tests, removed when the test ends, and small helpers around them.
import Foundation
import Glibc

/// A scratch folder under /tmp, removed when released.
public final class Scratch: Sendable {
    public let path: String

    public init(prefix: String = "kho-test") {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes a file (making its folders); returns its full path.
    @discardableResult
    public func file(_ name: String, _ contents: String) -> String { file(name, bytes: Array(contents.utf8)) }

    @discardableResult
    public func file(_ name: String, bytes: [UInt8]) -> String {
        let full = "\(path)/\(name)"
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return full
    }

    /// Runs a program found on $PATH; stdout and stderr together.
    @discardableResult
    public func run(_ arguments: [String], cwd: String? = nil) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return (-1, "could not run \(arguments)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Regular files anywhere under `path`, relative to it (for checking that nothing was left
/// behind); lock files of live temporary areas are not counted.
public func filesUnder(_ path: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: path) else { return [] }
    return walker.compactMap { $0 as? String }.filter { name in
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: "\(path)/\(name)", isDirectory: &isDir) && !isDir.boolValue && !name.hasSuffix(".lock")
    }
}

/// Bytes that look random, the same for the same seed.
public func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}

/// The repository's root folder.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
