import ArgumentParser
import KhoCore
import KhoStore

struct RegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Record a product that exists only physically: counted, not yet digitized.",
        discussion: """
            The product counts in the reports' denominator until its digitized master is attached \
            with kho attach. The carrier defaults from the kind: poster, banner → print; photo → photo; \
            radio kinds → audio_tape; tv_report, video_clip, skit → video_tape; others → paper.
            """)

    @OptionGroup var metadata: MetadataOptions

    @Option(name: .long, help: ArgumentHelp("Physical carrier: paper, print, photo, audio_tape, video_tape, film.", valueName: "CARRIER"))
    var carrier: String?

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let validated = try ProductValidator().validate(metadata.input).get()
        let carrier = try parseOption(carrier, option: "--carrier") { text in
            Carrier.parse(text).map { .success($0) } ?? .failure(Problem(
                code: "unknown_carrier", field: "carrier", value: text,
                expected: "one of \(Carrier.allCases.map(\.rawValue).joined(separator: ", "))"))
        } ?? Carrier.typical(for: validated.value.kind)
        let archive = try options.openArchive()
        defer { archive.close() }
        report(try archive.register(validated.value, carrier: carrier), warnings: validated.warnings, json: options.json, registry: archive.registry)
    }
}
