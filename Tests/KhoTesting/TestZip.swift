// A zip written by hand for tests (stored, not compressed): names exactly as given, hostile
// ones included, so the unpacking of imports can be attacked with what no zip tool would make.
public enum TestZip {
    /// A zip holding `entries` (name, bytes) in order; names are written as UTF-8 and flagged so.
    public static func make(_ entries: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ v: Int, _ into: inout [UInt8]) { into += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: UInt32, _ into: inout [UInt8]) { for i in 0..<4 { into.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
        for (name, bytes) in entries {
            let nameBytes = Array(name.utf8)
            let crc = crc32(bytes)
            let offset = UInt32(out.count)
            u32(0x0403_4B50, &out); u16(20, &out); u16(0x0800, &out); u16(0, &out); u16(0, &out); u16(0x21, &out)
            u32(crc, &out); u32(UInt32(bytes.count), &out); u32(UInt32(bytes.count), &out); u16(nameBytes.count, &out); u16(0, &out)
            out += nameBytes + bytes
            u32(0x0201_4B50, &central); u16(0x031E, &central); u16(20, &central); u16(0x0800, &central); u16(0, &central); u16(0, &central); u16(0x21, &central)
            u32(crc, &central); u32(UInt32(bytes.count), &central); u32(UInt32(bytes.count), &central); u16(nameBytes.count, &central)
            u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u32(name.hasSuffix("/") ? 0o040755 << 16 : 0o100644 << 16, &central); u32(offset, &central)
            central += nameBytes
        }
        let start = UInt32(out.count)
        out += central
        u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(entries.count, &out); u16(entries.count, &out)
        u32(UInt32(central.count), &out); u32(start, &out); u16(0, &out)
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}
