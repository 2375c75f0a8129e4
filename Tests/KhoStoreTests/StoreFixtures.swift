// Helpers for the store tests: archives in scratch folders, valid metadata, the blob folder.
import Foundation
import Glibc
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

/// The environment every test archive opens with: the real clock and identifiers.
let testEnvironment = ArchiveEnvironment(clock: .system, ids: .system, lockTimeout: 5)

extension Scratch {
    /// Writes a file and returns its path as the store takes it.
    func hostFile(_ name: String, _ contents: String) -> HostPath { HostPath(file(name, contents)) }
    func hostFile(_ name: String, bytes: [UInt8]) -> HostPath { HostPath(file(name, bytes: bytes)) }

    func archive(lockTimeout: Double = 5, agent: String = "test") throws -> Archive {
        var environment = testEnvironment
        environment.lockTimeout = lockTimeout
        return try Archive.create(HostPath("\(path)/archive"), agent: agent, environment: environment).archive
    }
}

func metadata(_ title: String = "Quyền con người", kind: ProductKind = .article, unit: String = "00004",
              published: String? = "2024-12-10", languages: [String] = ["vi"]) throws -> ProductMetadata {
    try ProductValidator().validate(ProductInput(title: title, kind: kind.rawValue, languages: languages, unit: unit,
                                                 published: published)).get().value
}

func blobFiles(_ archive: Archive) -> [String] { archive.blobs.allStoredNames().sorted() }

func mode(_ path: HostPath) -> mode_t { FS.fileStatus(path)!.st_mode & 0o777 }
