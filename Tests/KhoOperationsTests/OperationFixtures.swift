// Archives for the operation tests: in a scratch folder, with a clock that moves one second
// per reading from a fixed instant and identifiers from a seed, so runs repeat exactly.
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform
import KhoTesting
import Synchronization

/// A clock that starts at `start` (UTC) and moves one second each time it is read.
func steppingClock(from start: String = "2024-12-20T03:00:00.000Z") -> Clock {
    let base = epochSeconds(start)
    let tick = Tick()
    return Clock(now: { Timestamp(epochSeconds: base + Double(tick.next())) }, uptime: { Double(tick.peek()) })
}

final class Tick: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { v in defer { v += 1 }; return v } }
    func peek() -> Int { value.withLock { $0 } }
}

func epochSeconds(_ iso: String) -> Double {
    let day = try! CalendarDate.parse(String(iso.prefix(10))).get()
    let h = Double(iso.dropFirst(11).prefix(2))!, m = Double(iso.dropFirst(14).prefix(2))!, s = Double(iso.dropFirst(17).prefix(2))!
    return Double(day.daysSince1970) * 86400 + h * 3600 + m * 60 + s
}

/// A scratch folder with an archive, opened for a clerk.
struct Office {
    let scratch: Scratch
    let session: Session
    var archivePath: String { "\(scratch.path)/archive" }
    static let clerk = Actor(agent: "clerk@xa-ba-dinh")

    init(seed: UInt64 = 1, clock: Clock = steppingClock(), actor: Actor = Office.clerk, scratch: Scratch = Scratch(prefix: "kho-ops")) throws {
        self.scratch = scratch
        let environment = ArchiveEnvironment(clock: clock, ids: .seeded(seed), lockTimeout: 5)
        _ = try InitArchive(path: HostPath("\(scratch.path)/archive")).run(for: actor, environment: environment)
        session = try ArchiveLocation(path: HostPath("\(scratch.path)/archive"), isDefault: false).open(for: actor, environment: environment).session
    }

    func file(_ name: String, _ contents: String) -> HostPath { HostPath(scratch.file(name, contents)) }
    func file(_ name: String, bytes: [UInt8]) -> HostPath { HostPath(scratch.file(name, bytes: bytes)) }

    /// Valid metadata for a product of Phường Trúc Bạch (00004).
    static func metadata(_ title: String, kind: String = "article", languages: [String] = ["vi"], published: String? = "2024-12-10",
                         channels: [String] = [], access: String? = nil) -> ProductInput {
        ProductInput(title: title, kind: kind, languages: languages, unit: "00004", published: published, channels: channels, access: access)
    }

    @discardableResult
    func ingest(_ title: String, _ contents: String, access: String? = nil, channels: [String] = []) throws -> PutDocument {
        try Ingest(metadata: Self.metadata(title, channels: channels, access: access), files: [file("\(title).txt", contents)], jobs: 1).run(in: session)
    }
}

/// Runs `body` and returns the KhoError it threw (nil when it did not throw one).
func khoError<T>(_ body: () throws -> T) -> KhoError? {
    do { _ = try body() } catch let e as KhoError { return e } catch { return nil }
    return nil
}
