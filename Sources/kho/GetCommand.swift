import ArgumentParser
import KhoCore
import KhoStore

struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Write a stored file out, bit-exact (to standard output by default).",
        discussion: """
            The bytes are checked against their SHA-256 on the way out; a mismatch is an error (exit 3) \
            and no output file is left behind. With -o DIR the file keeps its original name.
            """)

    @Argument(help: "The product ID.")
    var id: String

    @Option(name: .long, help: "Which file (as numbered by kho show); default: the first master.")
    var file: Int?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write to this file or folder instead of standard output.", valueName: "FILE"))
    var output: String?

    @Flag(name: .long, help: "Replace an existing output file.")
    var force = false

    @OptionGroup var options: ArchiveOptions

    func validate() throws {
        if options.json && output == nil {
            throw ValidationError("--json needs -o FILE: standard output carries the file's bytes")
        }
    }

    func run() throws {
        Console.jsonMode = options.json
        let productID = try parseProductID(id)
        let archive = try options.openArchive()
        defer { archive.close() }
        let product = try archive.product(productID)
        let target: HostPath?
        if let output {
            var path = RawArguments.path(output)
            if FileOutput.isDirectory(path) {
                let chosen = file.flatMap { n in product.files.first { $0.n == n } } ?? product.files.first { $0.role == .master } ?? product.files.first
                if let chosen { path = HostPath(bytes: path.bytes + [UInt8(ascii: "/")] + chosen.name.original) }
            }
            target = path
        } else {
            target = nil
            let chosen = file.flatMap { n in product.files.first { $0.n == n } } ?? product.files.first { $0.role == .master }
            if Console.stdoutIsTerminal, let chosen, !chosen.mediaType.hasPrefix("text/") {
                throw KhoError("output_is_terminal", "file \(chosen.n) of \(productID) is \(chosen.mediaType); write it with -o FILE or redirect: kho get \(productID) > \(chosen.name.display)")
            }
        }
        let sink = try target.map { path throws(KhoError) in try FileOutput.create(at: path, overwrite: force) } ?? FileOutput.standardOutput()
        let written = try archive.streamFile(productID, n: file) { chunk throws(KhoError) in try sink.write(chunk) }
        try sink.commit()
        if options.json {
            struct Result: Encodable { var id: String; var file: FileDocument; var output: String }
            Console.json(Result(id: productID.description, file: FileDocument(written), output: target?.description ?? "-"))
        } else if let target {
            Console.note("wrote file \(written.n) of \(productID) (\(written.name.display), \(Formatting.bytes(written.size))) to \(target)")
        }
    }
}
