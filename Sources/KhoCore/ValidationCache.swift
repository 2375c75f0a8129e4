// Manifests repeat the same few values ("vi", "facebook|loudspeaker", "00004") in thousands of
// rows: each distinct value is resolved once and remembered, safely across threads.
import Synchronization

public final class ValidationCache: Sendable {
    struct Languages: Sendable { var tags: [LanguageTag]; var warnings: [String]; var problems: [Problem] }
    struct Channels: Sendable { var channels: [Channel]; var problems: [Problem] }
    struct UnitKey: Hashable, Sendable { var code: String; var era: AdminUnit.Era? }

    private let languages = Mutex<[[String]: Languages]>([:])
    private let channels = Mutex<[[String]: Channels]>([:])
    private let units = Mutex<[UnitKey: Problem?]>([:])

    public init() {}

    func languages(_ key: [String], _ make: () -> Languages) -> Languages {
        if let hit = languages.withLock({ $0[key] }) { return hit }
        let value = make()
        languages.withLock { $0[key] = value }
        return value
    }

    func channels(_ key: [String], _ make: () -> Channels) -> Channels {
        if let hit = channels.withLock({ $0[key] }) { return hit }
        let value = make()
        channels.withLock { $0[key] = value }
        return value
    }

    func unit(_ key: UnitKey, _ make: () -> Problem?) -> Problem? {
        if let hit = units.withLock({ $0[key] }) { return hit }
        let value = make()
        units.withLock { $0[key] = value }
        return value
    }
}
