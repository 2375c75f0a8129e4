// A payload manifest read a line at a time as its bytes come (StreamedPayload, BagNaming),
// each entry numbered in its manifest.
import Foundation
import KhoCore

/// A payload manifest's lines as its bytes come, each entry numbered: those that are
/// `digest path` with a path inside data/ (others are problems and have no number).
struct ManifestLines {
    let name: String
    let isV1: Bool
    let encoding: String.Encoding
    private var line: [UInt8] = []
    private var firstLine = true
    /// The number the next entry gets.
    private(set) var next: UInt32 = 0
    var pending: Int { line.count }

    init(name: String, isV1: Bool, encoding: String.Encoding) {
        self.name = name
        self.isV1 = isV1
        self.encoding = encoding
    }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, problems: inout [BagProblem], _ body: (UInt32, String, String) -> Void) {
        var start = 0
        for (i, byte) in chunk.enumerated() where byte == 10 || byte == 13 {
            line.append(contentsOf: chunk[start..<i])
            take(problems: &problems, body)
            start = i + 1
        }
        line.append(contentsOf: chunk[start...])
    }

    mutating func end(problems: inout [BagProblem], _ body: (UInt32, String, String) -> Void) {
        take(problems: &problems, body)
    }

    private mutating func take(problems: inout [BagProblem], _ body: (UInt32, String, String) -> Void) {
        defer { line.removeAll(keepingCapacity: true) }
        if firstLine, line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        firstLine = false
        guard !line.isEmpty else { return }
        let text = encoding == .utf8 ? String(decoding: line, as: UTF8.self) : String(bytes: line, encoding: encoding) ?? String(decoding: line, as: UTF8.self)
        guard let (path, digest) = BagValidator.manifestEntry(text, name: name, isV1: isV1, problems: &problems) else { return }
        guard BagValidator.scopedPath(path, under: "data/") != nil else {
            BagValidator.add(.error("\(name): \(path) is outside the payload (data/)"), to: &problems)
            return
        }
        body(next, path, digest)
        next += 1
    }
}
