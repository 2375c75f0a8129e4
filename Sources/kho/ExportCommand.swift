import ArgumentParser
import Foundation
import KhoBundle
import KhoCore
import KhoStore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the products of a unit and period as one BagIt 1.0 bag (tar, tar.gz, tar.zst or zip).",
        discussion: """
            The bag holds bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt (and \
            SHA-512 ones with --sha512) and, per product, data/<product-id>/ with its files under their \
            original names, metadata.json (everything Kho knows, with its event history) and dc.xml \
            (Dublin Core). The scope is chosen as for kho report. Restricted products are never \
            exported. The same scope exported twice from an unchanged archive gives the same bytes. \
            The file appears only when it is complete and flushed to disk.
            """)

    @Option(name: .long, help: ArgumentHelp("The unit (default: the whole archive).", valueName: "CODE"))
    var unit: String?

    @Option(name: .customLong("unit-table"), help: ArgumentHelp("For a code in both unit tables: before-2025 or from-2025.", valueName: "TABLE"))
    var unitTable: String?

    @Option(name: .long, help: ArgumentHelp("Only products whose reference date is in this period (default: all).", valueName: "PERIOD"))
    var period: String?

    @Option(name: .long, help: ArgumentHelp("tar, tar.gz, tar.zst or zip (default: from the -o file's name).", valueName: "FORMAT"))
    var format: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("The bag file to write.", valueName: "FILE"))
    var output: String

    @Flag(name: .long, help: "Replace the -o file if it exists.")
    var force = false

    @Flag(name: .long, help: "Add SHA-512 manifests beside the SHA-256 ones.")
    var sha512 = false

    @Flag(name: .customLong("since-last"), help: "Only what changed since the last completed export of the same scope (new products, new files, new metadata).")
    var sinceLast = false

    @Option(name: .long, help: ArgumentHelp("Only products changed on or after this day (Vietnam time).", valueName: "YYYY-MM-DD"))
    var since: String?

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let chosen: BundleFormat
        if let format {
            guard let f = BundleFormat(rawValue: format.lowercased()) else {
                throw KhoError("invalid_choice", "--format '\(format)': expected tar, tar.gz, tar.zst or zip")
            }
            chosen = f
        } else {
            guard let f = BundleFormat.from(fileName: output) else {
                throw KhoError("invalid_choice", "-o \(output): name it .tar, .tar.gz, .tar.zst or .zip, or say which with --format")
            }
            chosen = f
        }
        let era = try parseOption(unitTable, option: "--unit-table", parseUnitTable)
        let archive = try options.openArchive()
        defer { archive.close() }
        let chosenPeriod = try period.map { text throws(KhoError) in
            try parseOption(text, option: "--period") { Period.parse($0, campaigns: archive.config.campaigns) }!
        }
        if sinceLast && since != nil { throw KhoError("invalid_choice", "--since-last and --since exclude each other; give one") }
        let sinceDate = try parseOption(since, option: "--since", CalendarDate.parse)
        let mode: ExportSince = sinceLast ? .lastExport : sinceDate.map { .date($0) } ?? .everything
        let selection = try archive.exportSelection(unitCode: unit, unitEra: era, period: chosenPeriod, since: mode)
        let sinceLabel: String
        switch mode {
        case .everything: sinceLabel = "everything"
        case .lastExport: sinceLabel = "changes after export \(selection.follows?.exportID ?? "")"
        case .date(let d): sinceLabel = "changes from \(d)"
        }
        let periodLabel = chosenPeriod.map { "\($0.label) (\($0.from)..\($0.to))" } ?? "all dates"
        let out = try FileOutput.create(at: HostPath(output), overwrite: force)
        let exporter = Exporter(archive: archive, selection: selection, periodLabel: periodLabel, format: chosen, sha512: sha512, sinceLabel: sinceLabel)
        let result = try exporter.write(to: out.fileDescriptor) { _ in }
        try out.commit()
        // The record (and with it the cursor of --since-last) only once the bundle is in place.
        try archive.recordExport(ExportRecord(
            exportID: result.exportID, scopeKey: selection.scopeKey, scope: exporter.scopeText, period: periodLabel,
            follows: selection.follows?.exportID, createdAt: archive.now(), file: URL(fileURLWithPath: output).standardizedFileURL.path,
            format: chosen.rawValue, bundleSHA256: result.summary.bundleSHA256, payloadBytes: result.summary.payloadBytes,
            cursor: selection.cursor, productIDs: selection.ids.map(\.description)))
        if options.json {
            Console.json(Summary(exportID: result.exportID, file: output, format: chosen.rawValue, products: result.products,
                                 productIDs: selection.ids.map(\.description), payloadFiles: result.summary.payloadFiles,
                                 payloadBytes: result.summary.payloadBytes, bundleSHA256: result.summary.bundleSHA256,
                                 restrictedLeftOut: selection.restrictedLeftOut, follows: selection.follows?.exportID))
        } else {
            Console.out("exported \(result.products) product(s), \(result.summary.payloadFiles) payload files (\(Formatting.bytes(result.summary.payloadBytes))) to \(output) as bag kho-export-\(result.exportID)"
                + (selection.restrictedLeftOut > 0 ? "; \(selection.restrictedLeftOut) restricted product(s) left out" : ""))
        }
    }

    struct Summary: Encodable {
        var exportID: String
        var file: String
        var format: String
        var products: Int
        var productIDs: [String]
        var payloadFiles: Int
        var payloadBytes: Int64
        var bundleSHA256: String
        var restrictedLeftOut: Int
        var follows: String?
    }
}
