// Writing a stored file out, bit-exact, checked against its SHA-256 on the way: a mismatch is
// an error and leaves no output file.
import KhoCore
import KhoPlatform
import KhoStore

public struct GetFile: ArchiveOperation {
    public enum Destination: Sendable, Equatable {
        /// Standard output; with `refuseBinary` (a terminal), a file that is not text is refused.
        case standardOutput(refuseBinary: Bool)
        /// A file (replaced only with `replace`), or a folder: the file keeps its original name there.
        case path(HostPath, replace: Bool)
    }

    public var id: ProductID
    /// The file as numbered by `show`; nil: the first master (else the first file).
    public var n: Int?
    public var destination: Destination

    public init(id: ProductID, n: Int? = nil, destination: Destination) {
        self.id = id
        self.n = n
        self.destination = destination
    }

    public func run(in session: Session) throws(KhoError) -> GetDocument {
        let archive = session.archive
        let product = try archive.product(id)
        let chosen = n.flatMap { n in product.files.first { $0.n == n } } ?? product.files.first { $0.role == .master }
        let sink: FileOutput
        let target: HostPath?
        switch destination {
        case .standardOutput(let refuseBinary):
            if refuseBinary, let chosen, !chosen.mediaType.hasPrefix("text/") {
                throw KhoError(.outputIsTerminal, "file \(chosen.n) of \(id) is \(chosen.mediaType); write it with -o FILE or redirect: kho get \(id) > \(chosen.name.display)")
            }
            sink = FileOutput.standardOutput()
            target = nil
        case .path(var path, let replace):
            if FS.isDirectory(path), let file = chosen ?? product.files.first {
                // One safe component, whatever an older catalog holds: the file stays in the folder.
                let folder = path.bytes.last == UInt8(ascii: "/") ? path.bytes : path.bytes + [UInt8(ascii: "/")]
                path = HostPath(bytes: folder + file.name.asComponent.original)
            }
            sink = try OutputFile(path: path, replace: replace).create(outside: archive.root)
            target = path
        }
        let written = try archive.streamFile(id, n: n) { chunk throws(KhoError) in try sink.write(chunk) }
        try sink.commit()
        return GetDocument(id: id.description, file: FileDocument(written), output: target?.description ?? "-")
    }
}

public struct GetDocument: Codable, Sendable, Equatable {
    public var id: String
    public var file: FileDocument
    /// The file written, or `-` for standard output.
    public var output: String
}
