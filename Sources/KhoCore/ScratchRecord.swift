// Records of a scratch file between two passes over the same data (an export's products, a
// bundle's checked products): lengths and bytes, read back in the order they were written.
// Only this process writes and reads them; a record that does not read back is an internal error.

/// Builds one record.
public struct ScratchWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public mutating func put(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func put(_ value: Int) { put(Int64(value)) }
    public mutating func put(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func put(_ content: [UInt8]) {
        put(Int64(content.count))
        bytes.append(contentsOf: content)
    }

    public mutating func put(_ text: String) {
        put(Int64(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    /// An optional text: a flag, then the text when present.
    public mutating func put(_ text: String?) {
        put(text != nil)
        if let text { put(text) }
    }

    /// A list of texts: its count, then each.
    public mutating func put(_ texts: [String]) {
        put(Int64(texts.count))
        for text in texts { put(text) }
    }
}

/// Reads one record back, field by field in the order written.
public struct ScratchReader {
    private let data: [UInt8]
    private var offset = 0

    public static let damaged = KhoError(.internal, "a scratch record could not be read back")

    public init(_ data: [UInt8]) { self.data = data }

    public mutating func int() throws(KhoError) -> Int64 {
        guard offset + 8 <= data.count else { throw Self.damaged }
        var value: Int64 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: data[offset..<offset + 8]) }
        offset += 8
        return Int64(littleEndian: value)
    }

    public mutating func bool() throws(KhoError) -> Bool {
        guard offset < data.count else { throw Self.damaged }
        defer { offset += 1 }
        return data[offset] != 0
    }

    public mutating func bytes() throws(KhoError) -> [UInt8] {
        let count = try int()
        guard count >= 0, count <= data.count - offset else { throw Self.damaged }
        defer { offset += Int(count) }
        return Array(data[offset..<offset + Int(count)])
    }

    public mutating func text() throws(KhoError) -> String { String(decoding: try bytes(), as: UTF8.self) }

    public mutating func optionalText() throws(KhoError) -> String? { try bool() ? try text() : nil }

    public mutating func texts() throws(KhoError) -> [String] {
        let count = try int()
        guard count >= 0, count <= data.count - offset else { throw Self.damaged }
        return try (0..<count).map { _ throws(KhoError) in try text() }
    }

    /// A count of items to follow (each at least one byte long).
    public mutating func count() throws(KhoError) -> Int {
        let count = try int()
        guard count >= 0, count <= data.count - offset else { throw Self.damaged }
        return Int(count)
    }
}
