// Fixed-width records found and joined by a 16-byte key that opens each of them (a KeyDigest),
// for the tables of a check that would outgrow memory on a large bag: the payload's names,
// digests and manifest entries of 1.8 million files. Records are held in memory up to
// `memoryBytes`; past that each full buffer is sorted and written as a run to a nameless
// scratch file, and once all are in, the runs are merged into one sorted file, read back in
// key order or searched by key through a small index of its blocks. Memory stays about
// `memoryBytes` whatever the count; a table that fits never touches the disk.
import Glibc
import KhoCore

public final class KeyedRecords: @unchecked Sendable {   // filled by one thread; once sealed, read by any
    /// Bytes a record takes, its key (16 bytes) first.
    public let width: Int
    public private(set) var count = 0
    private let limit: Int
    private let folder: HostPath
    /// Records not yet in a run.
    private var pending: [UInt8] = []
    /// Once sealed without runs: the whole table, and its records' numbers in key order.
    private var held = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var order: [UInt32] = []
    private var runs: [(start: Int64, count: Int)] = []
    private var runFile: FileDescriptor?
    private var runBytes: Int64 = 0
    /// Once sealed with runs: every record in key order, and the key of each block's first.
    private var merged: FileDescriptor?
    private var blockKeys: [Key] = []
    private var sealed = false
    /// Sealing failed (the scratch file could not be written or read): said again by every
    /// later use, never taken for an empty table.
    private var failure: KhoError?

    /// Records read or searched at a time in the merged file.
    static let blockRecords = 128
    /// Bytes read and written at a time.
    static let ioBytes = 1 << 16

    /// A key as a record holds it: 16 bytes, ordered as two unsigned integers.
    public struct Key: Comparable, Sendable {
        var high: UInt64
        var low: UInt64
        public static func < (a: Key, b: Key) -> Bool { (a.high, a.low) < (b.high, b.low) }
        init(_ record: UnsafeRawPointer) {
            high = record.loadUnaligned(as: UInt64.self)
            low = record.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        }
        /// The key at `offset` in a record (the record's own key at 0).
        public init(_ record: UnsafeRawBufferPointer, at offset: Int = 0) {
            self.init(record.baseAddress! + offset)
        }
        public init(_ key: KeyDigest) {
            high = UInt64(bitPattern: Int64(key.high))
            low = UInt64(bitPattern: Int64(key.low))
        }
        /// Writes the key's 16 bytes at `offset`.
        public func store(into out: UnsafeMutableRawBufferPointer, at offset: Int) {
            out.storeBytes(of: high, toByteOffset: offset, as: UInt64.self)
            out.storeBytes(of: low, toByteOffset: offset + 8, as: UInt64.self)
        }
    }

    /// `memoryBytes`: what the table holds in memory before it spills; `folder`: where its
    /// scratch file goes if it does.
    public init(width: Int, memoryBytes: Int, scratchIn folder: HostPath) {
        precondition(width >= 16, "a record opens with its 16-byte key")
        self.width = width
        limit = max(width, memoryBytes - memoryBytes % width)
        self.folder = folder
    }

    deinit { held.deallocate() }

    /// Adds a record: `key`, then the `width - 16` bytes `fill` writes.
    public func append(_ key: KeyDigest, _ fill: (UnsafeMutableRawBufferPointer) -> Void) throws(KhoError) {
        precondition(!sealed, "a sealed table takes no more records")
        if pending.count + width > limit { try spill() }
        let start = pending.count
        pending.append(contentsOf: repeatElement(0, count: width))
        pending.withUnsafeMutableBytes { all in
            Key(key).store(into: all, at: start)
            fill(UnsafeMutableRawBufferPointer(rebasing: all[start + 16..<start + width]))
        }
        count += 1
    }

    /// No more records: sorts what is in memory, or merges the runs into one sorted file.
    /// Records of one key stay in the order they came.
    public func seal() throws(KhoError) {
        if let failure { throw failure }
        guard !sealed else { return }
        if runs.isEmpty {
            order = Self.sortedOrder(pending, width: width)
            held = .allocate(byteCount: pending.count, alignment: 16)
            pending.withUnsafeBytes { held.copyMemory(from: $0) }
            pending = []
            sealed = true
            return
        }
        do {
            if !pending.isEmpty { try spill() }
            pending = []
            try merge()
        } catch {
            failure = error
            throw error
        }
        sealed = true
    }

    /// Every record in key order (sealed first).
    public func forEach(_ body: (UnsafeRawBufferPointer) throws(KhoError) -> Void) throws(KhoError) {
        let cursor = try self.cursor()
        while let record = try cursor.next() { try body(record) }
    }

    /// The records in key order, one at a time.
    public func cursor() throws(KhoError) -> Cursor {
        try seal()
        return Cursor(table: self)
    }

    /// The first record of this key (sealed first), handed to `body`; nil when there is none.
    /// Safe from several threads at once.
    public func find<R>(_ key: KeyDigest, _ body: (UnsafeRawBufferPointer) -> R) throws(KhoError) -> R? {
        if let failure { throw failure }
        precondition(sealed, "a table is searched once sealed")
        let wanted = Key(key)
        if let merged {
            // The first block whose first key is not below the key: the key's first record is
            // at its start or in the block before. Records of one key may run on into the blocks after.
            var lo = 0, hi = blockKeys.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if blockKeys[mid] < wanted { lo = mid + 1 } else { hi = mid }
            }
            var block = max(lo - 1, 0)
            while block < blockKeys.count {
                let first = block * Self.blockRecords
                let n = min(Self.blockRecords, count - first)
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: n * width, alignment: 16)
                defer { buffer.deallocate() }
                let got = try merged.readFull(into: buffer, at: Int64(first) * Int64(width), doing: "reading back a scratch file")
                guard got == n * width else { throw KhoError(.internal, "a scratch file is shorter than written (\(merged.path))") }
                for i in 0..<n {
                    let k = Key(buffer.baseAddress! + i * width)
                    if k == wanted { return body(UnsafeRawBufferPointer(rebasing: buffer[i * width..<(i + 1) * width])) }
                    if wanted < k { return nil }
                }
                block += 1
            }
            return nil
        }
        var lo = 0, hi = order.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Key(held.baseAddress! + Int(order[mid]) * width) < wanted { lo = mid + 1 } else { hi = mid }
        }
        guard lo < order.count else { return nil }
        let start = Int(order[lo]) * width
        return Key(held.baseAddress! + start) == wanted ? body(UnsafeRawBufferPointer(rebasing: held[start..<start + width])) : nil
    }

    /// Whether the table went to its scratch file.
    public var spilled: Bool { !runs.isEmpty }

    // MARK: - Runs

    /// The records in memory, sorted, written as one more run.
    private func spill() throws(KhoError) {
        if runFile == nil { runFile = try SpillFile.scratchFile(in: folder) }
        let n = pending.count / width
        let sorted = Self.sortedOrder(pending, width: width)
        var out: [UInt8] = []
        out.reserveCapacity(Self.ioBytes + width)
        let start = runBytes
        var failure: KhoError?
        pending.withUnsafeBytes { all in
            for index in sorted {
                let offset = Int(index) * width
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: all[offset..<offset + width]))
                if out.count >= Self.ioBytes {
                    do throws(KhoError) { try write(&out) } catch { failure = error; return }
                }
            }
        }
        if let failure { throw failure }
        try write(&out)
        runs.append((start, n))
        pending.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: inout [UInt8]) throws(KhoError) {
        guard !bytes.isEmpty, let runFile else { return }
        try Self.write(bytes, to: runFile)
        runBytes += Int64(bytes.count)
        bytes.removeAll(keepingCapacity: true)
    }

    private static func write(_ bytes: [UInt8], to file: FileDescriptor) throws(KhoError) {
        var failure: KhoError?
        bytes.withUnsafeBytes { raw in
            do throws(KhoError) { try file.writeAll(raw, doing: "writing a scratch file") } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The runs merged into one sorted file (the runs' file is then let go).
    private func merge() throws(KhoError) {
        guard let runFile else { return }
        let output = try SpillFile.scratchFile(in: folder)
        var readers = runs.map { RunReader(file: runFile, start: $0.start, count: $0.count, width: width) }
        defer { for i in readers.indices { readers[i].release() } }
        // A heap of the runs by their next record's key (ties: the earlier run, so records of
        // one key keep the order they came in).
        var heap: [Int] = []
        func before(_ a: Int, _ b: Int) -> Bool {
            let ka = readers[a].key, kb = readers[b].key
            return ka < kb || ka == kb && a < b
        }
        func siftDown(_ from: Int) {
            var i = from
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && before(heap[l], heap[m]) { m = l }
                if r < heap.count && before(heap[r], heap[m]) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for i in readers.indices where try readers[i].load() { heap.append(i) }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        var out: [UInt8] = []
        out.reserveCapacity(Self.ioBytes + width)
        var written = 0
        var keys: [Key] = []
        keys.reserveCapacity(count / Self.blockRecords + 1)
        while let top = heap.first {
            let record = readers[top].current
            if written % Self.blockRecords == 0 { keys.append(Key(record.baseAddress!)) }
            out.append(contentsOf: record)
            written += 1
            if out.count >= Self.ioBytes {
                try Self.write(out, to: output)
                out.removeAll(keepingCapacity: true)
            }
            if try readers[top].advance() {
                siftDown(0)
            } else {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
                if !heap.isEmpty { siftDown(0) }
            }
        }
        if !out.isEmpty { try Self.write(out, to: output) }
        guard written == count else { throw KhoError(.internal, "a scratch file's runs hold \(written) records, not \(count) (\(output.path))") }
        merged = output
        blockKeys = keys
        runFile.closeNow()
        self.runFile = nil
        runs = [(0, count)]
    }

    /// Reads one run back, a buffer at a time.
    struct RunReader {
        let file: FileDescriptor
        var next: Int64
        var left: Int
        let width: Int
        var buffer: UnsafeMutableRawBufferPointer
        var filled = 0
        var at = 0

        init(file: FileDescriptor, start: Int64, count: Int, width: Int) {
            self.file = file
            next = start
            left = count
            self.width = width
            // A buffer for as much of the run as fits in one read, not more: a table spilled in
            // many small runs must not take a full buffer for each.
            buffer = .allocate(byteCount: max(1, min(count, KeyedRecords.ioBytes / width)) * width, alignment: 16)
        }

        var current: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[at..<at + width]) }
        var key: Key { Key(buffer.baseAddress! + at) }

        /// The first buffer; false for an empty run.
        mutating func load() throws(KhoError) -> Bool {
            at = 0
            filled = 0
            guard left > 0 else { return false }
            let n = min(left, buffer.count / width)
            let got = try file.readFull(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n * width]), at: next, doing: "reading back a scratch file")
            guard got == n * width else { throw KhoError(.internal, "a scratch file is shorter than written (\(file.path))") }
            next += Int64(got)
            left -= n
            filled = got
            return true
        }

        /// On to the next record; false past the run's last.
        mutating func advance() throws(KhoError) -> Bool {
            at += width
            if at < filled { return true }
            return try load()
        }

        func release() { buffer.deallocate() }
    }

    /// Walks a sealed table in key order.
    public final class Cursor {
        private let table: KeyedRecords
        private var index = 0
        private var buffer: UnsafeMutableRawBufferPointer
        private var filled = 0
        private var at = 0

        init(table: KeyedRecords) {
            self.table = table
            buffer = .allocate(byteCount: table.merged == nil ? 0 : max(1, KeyedRecords.ioBytes / table.width) * table.width, alignment: 16)
        }

        deinit { buffer.deallocate() }

        /// The next record (valid until the next call), or nil after the last.
        public func next() throws(KhoError) -> UnsafeRawBufferPointer? {
            guard index < table.count else { return nil }
            defer { index += 1 }
            let width = table.width
            guard let merged = table.merged else {
                let start = Int(table.order[index]) * width
                return UnsafeRawBufferPointer(rebasing: table.held[start..<start + width])
            }
            at += width
            if at >= filled {
                let n = min(table.count - index, buffer.count / width)
                filled = try merged.readFull(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n * width]), at: Int64(index) * Int64(width),
                                             doing: "reading back a scratch file")
                guard filled == n * width else { throw KhoError(.internal, "a scratch file is shorter than written (\(merged.path))") }
                at = 0
            }
            return UnsafeRawBufferPointer(rebasing: buffer[at..<at + width])
        }
    }

    /// The records' numbers in key order (ties: the order they came in).
    static func sortedOrder(_ bytes: [UInt8], width: Int) -> [UInt32] {
        let n = bytes.count / width
        return bytes.withUnsafeBytes { all in
            var keyed = (0..<n).map { i in (Key(all.baseAddress! + i * width), UInt32(i)) }
            keyed.sort { $0.0 < $1.0 || $0.0 == $1.0 && $0.1 < $1.1 }
            return keyed.map(\.1)
        }
    }
}
