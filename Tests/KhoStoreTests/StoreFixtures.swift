import Foundation
import Glibc
import KhoCore
@testable import KhoStore

/// A scratch folder removed at the end of the test.
final class Scratch: Sendable {
    let path: String

    init() {
        var template = Array("/tmp/kho-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String, _ contents: String) -> HostPath { file(name, bytes: Array(contents.utf8)) }

    func file(_ name: String, bytes: [UInt8]) -> HostPath {
        let full = "\(path)/\(name)"
        FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return HostPath(full)
    }

    func archive(lockTimeout: Double = 5) throws -> Archive {
        try Archive.create(HostPath("\(path)/archive"), lockTimeout: lockTimeout, agent: "test").archive
    }
}

func metadata(_ title: String = "Quyền con người", kind: ProductKind = .article, unit: String = "00004",
              published: String? = "2024-12-10", languages: [String] = ["vi"]) throws -> ProductMetadata {
    try ProductValidator().validate(ProductInput(title: title, kind: kind.rawValue, languages: languages, unit: unit,
                                                 published: published)).get().value
}

func blobFiles(_ archive: Archive) -> [String] { archive.blobs.allStoredNames().sorted() }

func mode(_ path: HostPath) -> mode_t { FS.fileStatus(path)!.st_mode & 0o777 }

/// Regular files anywhere under `path` (for checking that nothing was left behind).
func filesUnder(_ path: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: path) else { return [] }
    return walker.compactMap { $0 as? String }.filter { name in
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: "\(path)/\(name)", isDirectory: &isDir) && !isDir.boolValue && !name.hasSuffix(".lock")
    }
}
