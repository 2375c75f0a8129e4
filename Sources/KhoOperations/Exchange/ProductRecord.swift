// One product of an export between its two passes, as the scratch file keeps it: its files'
// names in the bag, digests and sizes, and its metadata.json and dc.xml already made. A small
// binary form (a ScratchRecord), read back in the order it was written.
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
        var out = ScratchWriter(capacity: metadata.count + dc.count + 128 * (files.count + 1))
        out.put(id)
        out.put(files.count)
        for f in files {
            out.put(f.n)
            out.put(f.name)
            out.put(f.sha256)
            out.put(f.size)
        }
        out.put(metadata)
        out.put(metadataSHA256)
        out.put(dc)
        out.put(dcSHA256)
        return out.bytes
    }

    init(_ bytes: [UInt8]) throws(KhoError) {
        var reader = ScratchReader(bytes)
        id = try reader.text()
        let count = try reader.count()
        files = []
        for _ in 0..<count {
            files.append(File(n: Int(try reader.int()), name: try reader.text(), sha256: try reader.text(), size: try reader.int()))
        }
        metadata = try reader.bytes()
        metadataSHA256 = try reader.text()
        dc = try reader.bytes()
        dcSHA256 = try reader.text()
    }
}
