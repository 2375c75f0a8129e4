import ArgumentParser
import KhoCore
import KhoStore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an archive.",
        discussion: "Creates DIR (default: the archive given by --storage, $KHO_STORAGE or ./Storage). An archive already there is left as it is.")

    @Argument(help: ArgumentHelp("Folder for the new archive.", valueName: "DIR"))
    var directory: String?

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let path = directory ?? options.resolvedRoot.path
        let (archive, created) = try Archive.create(HostPath(path), lockTimeout: ArchiveOptions.lockTimeout)
        defer { archive.close() }
        if options.json {
            struct Result: Encodable { var root: String; var archiveID: String; var created: Bool }
            Console.json(Result(root: path, archiveID: archive.info.archiveID, created: created))
        } else {
            Console.out(created ? "created archive at \(path)" : "\(path) is already an archive; nothing changed")
        }
    }
}
