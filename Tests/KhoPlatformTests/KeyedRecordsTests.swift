import Foundation
import Testing
import KhoCore
import KhoTesting
@testable import KhoPlatform

@Suite struct KeyedRecordsTests {
    /// Records come back in key order, those of one key in the order they came, whether the
    /// table stayed in memory, spilled in a few runs or in hundreds; each key is found, and
    /// a key never added is not.
    @Test(arguments: [1 << 20, 4096, 40])
    func recordsComeBackInKeyOrderAndAreFound(memory: Int) throws {
        let folder = Scratch(prefix: "kho-keyed")
        let table = KeyedRecords(width: 24, memoryBytes: memory, scratchIn: HostPath(folder.path))
        var generator = SplitMix64(seed: 7)
        // 3,000 records over 1,000 keys: most keys come more than once.
        var added: [(key: KeyDigest, sequence: UInt64)] = []
        for sequence in 0..<3000 as Range<UInt64> {
            let key = KeyDigest("key \(UInt64.random(in: 0..<1000, using: &generator))")
            try table.append(key) { $0.storeBytes(of: sequence, as: UInt64.self) }
            added.append((key, sequence))
        }
        try table.seal()
        #expect(table.spilled == (memory < 3000 * 24))
        func order(_ k: KeyDigest) -> (UInt64, UInt64) { (UInt64(bitPattern: Int64(k.high)), UInt64(bitPattern: Int64(k.low))) }
        let expected = added.sorted { order($0.key) < order($1.key) || order($0.key) == order($1.key) && $0.sequence < $1.sequence }.map(\.sequence)
        var read: [UInt64] = []
        try table.forEach { read.append($0.loadUnaligned(fromByteOffset: 16, as: UInt64.self)) }
        #expect(read == expected)
        // The first record of each key is the first added.
        var firsts: [KeyDigest: UInt64] = [:]
        for (key, sequence) in added where firsts[key] == nil { firsts[key] = sequence }
        for (key, sequence) in firsts {
            #expect(try table.find(key) { $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self) } == sequence)
        }
        #expect(try table.find(KeyDigest("never added")) { _ in true } == nil)
    }

    /// A table with nothing in it reads as empty and finds nothing.
    @Test func anEmptyTable() throws {
        let table = KeyedRecords(width: 16, memoryBytes: 64, scratchIn: HostPath("/nonexistent"))
        try table.seal()
        var count = 0
        try table.forEach { _ in count += 1 }
        #expect(count == 0 && !table.spilled)
        #expect(try table.find(KeyDigest("x")) { _ in true } == nil)
    }

    /// A table that cannot spill (its folder does not exist) says so as an error, naming the folder.
    @Test func aTableThatCannotSpillSaysWhere() throws {
        let table = KeyedRecords(width: 16, memoryBytes: 32, scratchIn: HostPath("/nonexistent/folder"))
        #expect(throws: KhoError.self) {
            for i in 0..<10 { try table.append(KeyDigest(i)) { _ in } }
        }
        do {
            for i in 0..<10 { try table.append(KeyDigest(i)) { _ in } }
        } catch {
            #expect(error.message.contains("/nonexistent/folder"), "\(error.message)")
        }
    }
}
