// The layout of a sidecar pack: ustar headers a tar reads, and the reading of one header back,
// hostile input included (a wrong checksum, a size that is not a number, other kinds of member).
import Testing
@testable import KhoCore

@Suite struct SidecarPackTests {
    let sha = String(repeating: "ab", count: 32)

    @Test func aHeaderReadsBackAsTheMemberItDescribes() {
        let header = SidecarPack.header(sha256: sha, length: 1393, modified: 1_800_000_000)
        #expect(header.count == 512)
        #expect(SidecarPack.entry(header) == .success(.member(sha256: sha, length: 1393)))
        #expect(String(decoding: header[257..<262], as: UTF8.self) == "ustar")
        #expect(SidecarPack.entry([UInt8](repeating: 0, count: 512)) == .success(.end))
    }

    @Test func theLayoutPutsEachMemberAfterItsHeaderOnBlockBoundaries() {
        let members = SidecarPack.layout([(sha, 1), (sha, 512), (sha, 513)])
        #expect(members.map(\.offset) == [512, 1536, 2560])
        #expect(members.map(\.length) == [1, 512, 513])
        #expect(SidecarPack.span(513) == 512 + 1024 && SidecarPack.span(0) == 512)
    }

    @Test func aDamagedOrForeignHeaderIsToldApart() {
        var header = SidecarPack.header(sha256: sha, length: 10, modified: 0)
        header[10] ^= 1
        guard case .failure(let damaged) = SidecarPack.entry(header) else { Issue.record("a changed name passed the checksum"); return }
        #expect(damaged.message.contains("checksum"))
        // A size that is not octal.
        var size = SidecarPack.header(sha256: sha, length: 10, modified: 0)
        size[124] = UInt8(ascii: "9")
        #expect((try? SidecarPack.entry(size).get()) == nil)
        // A block cut short.
        #expect((try? SidecarPack.entry(Array(header.prefix(100))).get()) == nil)
        // A member with another name is passed over, not taken for a sidecar.
        let other = SidecarPack.header(sha256: "README", length: 7, modified: 0)
        #expect(SidecarPack.entry(other) == .success(.other(length: 7)))
        let upper = SidecarPack.header(sha256: sha.uppercased(), length: 7, modified: 0)
        #expect(SidecarPack.entry(upper) == .success(.other(length: 7)))
    }

    @Test func packNamesSortAsNumbers() {
        #expect(SidecarPack.fileName(12) == "0000000012.tar")
        #expect(SidecarPack.number(fileName: "0000000012.tar") == 12)
        for odd in ["12.tar", "000000001x.tar", "0000000000.tar", "0000000012.tgz", "../000001.tar"] {
            #expect(SidecarPack.number(fileName: odd) == nil, "\(odd)")
        }
        #expect(SidecarPack.fileName(9) < SidecarPack.fileName(10))
    }
}

/// The fast header writes the bytes of the field-by-field one, for any digest, length and time
/// (and falls back to it where a field would not fit).
@Suite struct SidecarPackHeaderTests {
    @Test func theFastHeaderIsTheReferenceHeader() {
        var rng = SplitMix64(seed: 23)
        let hex = Array("0123456789abcdef".utf8)
        for n in 0..<2000 {
            let sha = String(decoding: (0..<64).map { _ in hex[Int(rng.next() % 16)] }, as: UTF8.self)
            let length = [0, 1, 511, 512, 1393, Int(rng.next() % (1 << 33)), (1 << 33) - 1, 1 << 33, 1 << 40][n % 9]
            let modified = [0, -5, 1_800_000_000, Int(rng.next() % (1 << 33)), (1 << 33) - 1, 1 << 34][n % 6]
            #expect(SidecarPack.header(sha256: sha, length: length, modified: modified)
                    == SidecarPack.referenceHeader(sha256: sha, length: length, modified: modified), "\(length) \(modified)")
        }
        for name in [String(repeating: "b", count: 95), String(repeating: "b", count: 96)] {   // 100 bytes with ".json", and 101
            #expect(SidecarPack.header(sha256: name, length: 7, modified: 7) == SidecarPack.referenceHeader(sha256: name, length: 7, modified: 7))
        }
        #expect(SidecarPack.header(sha256: "ab", length: -1, modified: 3) == SidecarPack.referenceHeader(sha256: "ab", length: -1, modified: 3))
        let long = String(repeating: "a", count: 120)
        #expect(SidecarPack.header(sha256: long, length: 5, modified: 5) == SidecarPack.referenceHeader(sha256: long, length: 5, modified: 5))
        #expect(SidecarPack.header(sha256: "é", length: 5, modified: 5) == SidecarPack.referenceHeader(sha256: "é", length: 5, modified: 5))
    }
}
