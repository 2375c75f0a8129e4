import ArgumentParser
import Foundation
import KhoCore
import KhoStore

struct TargetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "The targets and definitions reports use, and the campaigns they know.",
        discussion: """
            The scheme's targets (digitized 100%, digital platform 15–20%, diversified 15–20%) apply \
            unless the archive's kho-config.json sets its own ("targets"). With --json the output is \
            in the shape of kho-config.json: save it there and change the numbers or the digital \
            channels to set a province's own plan.
            """)

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let archive = try options.openArchive()
        defer { archive.close() }
        let targets = archive.config.targets
        if options.json {
            func band(_ b: TargetBand) -> [String: Any] { ["min": b.min, "max": b.max] }
            var digital = band(targets.digitalPlatform)
            digital["channels"] = targets.digitalChannels.map(\.rawValue).sorted()
            let own = archive.config.campaigns.filter { c in !Period.builtInCampaigns.contains(c) }
            let campaigns = Dictionary(uniqueKeysWithValues: own.map {
                ($0.key, ["name": $0.name, "from": $0.from.description, "to": $0.to.description])
            })
            let object: [String: Any] = [
                "targets": ["digitized": band(targets.digitized), "digitalPlatform": digital, "diversified": band(targets.diversified)],
                "minorityLanguages": archive.config.minorityLanguages.sorted(),
                "campaigns": campaigns,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            Console.out(String(decoding: data, as: UTF8.self))
            return
        }
        let t = ReportText(.en)
        Console.out("Targets from: \(targets.source)")
        for key in IndicatorKey.allCases {
            Console.out("  \(key.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)) \(t.band(targets.band(key)).padding(toLength: 8, withPad: " ", startingAt: 0)) \(key.english)")
        }
        Console.out("Digital channels: \(targets.digitalChannels.map(\.rawValue).sorted().joined(separator: ", "))")
        Console.out("Minority languages: \(archive.config.minorityLanguages.sorted().joined(separator: ", "))")
        Console.out("Campaigns (for --period):")
        for c in archive.config.campaigns { Console.out("  \(c.key)  \(c.from)..\(c.to)  \(c.name)") }
    }
}
