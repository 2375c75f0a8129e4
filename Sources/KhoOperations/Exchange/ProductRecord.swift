// One product of an export between its two passes, as the scratch file keeps it: its files'
// names in the bag, digests and sizes, and its metadata.json and dc.xml already made. A small
// binary form (lengths and bytes), read back in the order it was written.
import KhoCore

struct ProductRecord: Equatable {
    struct File: Equatable {
        var n: Int
        /// The file's name in the bag, under the product's folder.
        var name: String
        var sha256: String
        var size: Int64
    }

    var id: String
    var files: [File]
    var metadata: [UInt8]
    var metadataSHA256: String
    var dc: [UInt8]
    var dcSHA256: String

    /// The product's payload entries (paths under data/), in manifest order.
    var manifestEntries: [(path: String, size: Int64, sha256: String)] {
        let entries = files.map { ("\(id)/\($0.name)", $0.size, $0.sha256) }
            + [("\(id)/metadata.json", Int64(metadata.count), metadataSHA256), ("\(id)/dc.xml", Int64(dc.count), dcSHA256)]
        return BagIt.sortedForManifest(entries) { $0.0 }.map { (path: $0.0, size: $0.1, sha256: $0.2) }
    }

    init(id: String, files: [File], metadata: [UInt8], metadataSHA256: String, dc: [UInt8], dcSHA256: String) {
        self.id = id
        self.files = files
        self.metadata = metadata
        self.metadataSHA256 = metadataSHA256
        self.dc = dc
        self.dcSHA256 = dcSHA256
    }

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(metadata.count + dc.count + 128 * (files.count + 1))
        func put(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func put(_ bytes: [UInt8]) {
            put(Int64(bytes.count))
            out.append(contentsOf: bytes)
        }
        func put(_ text: String) { put(Array(text.utf8)) }
        put(id)
        put(Int64(files.count))
        for f in files {
            put(Int64(f.n))
            put(f.name)
            put(f.sha256)
            put(f.size)
        }
        put(metadata)
        put(metadataSHA256)
        put(dc)
        put(dcSHA256)
        return out
    }

    init(_ bytes: [UInt8]) throws(KhoError) {
        var reader = Reader(data: bytes)
        id = try reader.text()
        let count = try reader.int()
        guard count >= 0, count <= bytes.count else { throw Reader.damaged }
        files = []
        for _ in 0..<count {
            files.append(File(n: Int(try reader.int()), name: try reader.text(), sha256: try reader.text(), size: try reader.int()))
        }
        metadata = try reader.bytes()
        metadataSHA256 = try reader.text()
        dc = try reader.bytes()
        dcSHA256 = try reader.text()
    }

    private struct Reader {
        let data: [UInt8]
        var offset = 0
        static let damaged = KhoError(.internal, "an export's scratch record could not be read back")

        mutating func int() throws(KhoError) -> Int64 {
            guard offset + 8 <= data.count else { throw Self.damaged }
            var value: Int64 = 0
            withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: data[offset..<offset + 8]) }
            offset += 8
            return Int64(littleEndian: value)
        }

        mutating func bytes() throws(KhoError) -> [UInt8] {
            let count = try int()
            guard count >= 0, offset + Int(count) <= data.count else { throw Self.damaged }
            defer { offset += Int(count) }
            return Array(data[offset..<offset + Int(count)])
        }

        mutating func text() throws(KhoError) -> String { String(decoding: try bytes(), as: UTF8.self) }
    }
}
