import ArgumentParser
import KhoCore
import KhoStore

struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change a product's metadata; the change is recorded in its event log.",
        discussion: """
            Only the options given change. --lang, --channel and --topic replace the whole list. \
            --clear removes a field: produced, published, channels, topics, campaign, description, creator.
            """)

    @Argument(help: "The product ID.")
    var id: String

    @OptionGroup var metadata: MetadataOptions

    @Option(name: .long, help: ArgumentHelp("Field to empty (repeatable).", valueName: "FIELD"))
    var clear: [String] = []

    @OptionGroup var options: ArchiveOptions

    static let clearable = ["produced", "published", "channels", "topics", "campaign", "description", "creator"]

    func run() throws {
        Console.jsonMode = options.json
        let productID = try parseProductID(id)
        if let bad = clear.first(where: { !Self.clearable.contains($0) }) {
            throw KhoError("unknown_field", "--clear '\(bad)': expected one of \(Self.clearable.joined(separator: ", "))")
        }
        let archive = try options.openArchive()
        defer { archive.close() }
        let current = try archive.product(productID)
        var input = ProductInput(current.metadata)
        let given = metadata.input
        if let v = given.title { input.title = v }
        if let v = given.kind { input.kind = v }
        if !given.languages.isEmpty { input.languages = given.languages }
        if let v = given.unit { input.unit = v }
        if let v = given.produced { input.produced = v }
        if let v = given.published { input.published = v }
        if !given.channels.isEmpty { input.channels = given.channels }
        if !given.topics.isEmpty { input.topics = given.topics }
        if let v = given.campaign { input.campaign = v }
        if let v = given.description { input.description = v }
        if let v = given.creator { input.creator = v }
        if let v = given.access { input.access = v }
        for field in clear {
            switch field {
            case "produced": input.produced = nil
            case "published": input.published = nil
            case "channels": input.channels = []
            case "topics": input.topics = []
            case "campaign": input.campaign = nil
            case "description": input.description = nil
            default: input.creator = nil
            }
        }
        let validated = try ProductValidator().validate(input).get()
        let result = try archive.updateMetadata(productID, from: current, to: validated.value)
        report(result, warnings: validated.warnings, json: options.json, registry: archive.registry)
    }
}
