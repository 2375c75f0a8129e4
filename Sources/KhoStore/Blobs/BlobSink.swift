// Bytes on their way into a blob: hashed, their first bytes kept to sniff the media type, and
// written into the temporary area with writeback started as they go. Used for files copied
// from disk and for streams (uploads) alike.
import Glibc
import KhoCore
import KhoPlatform

/// Hashes and sniffs chunks, and writes them when given an output.
struct BlobSink {
    private var digest = StreamingDigest()
    private(set) var size: Int64 = 0
    private var head: [UInt8] = []
    /// Set by the first chunk `take` writes.
    private var writeback: WritebackPacer?

    /// Hashes and sniffs a chunk written elsewhere (by the pipelined copy's writer thread).
    mutating func observe(_ chunk: UnsafeRawBufferPointer) {
        if head.count < MediaType.sniffLength { head.append(contentsOf: chunk.prefix(MediaType.sniffLength - head.count)) }
        digest.update(chunk)
        size += Int64(chunk.count)
    }

    /// Hashes, sniffs and writes a chunk, starting writeback every `BlobStore.writebackStride` bytes.
    mutating func take(_ chunk: UnsafeRawBufferPointer, into output: FileDescriptor, doing: String) throws(KhoError) {
        observe(chunk)
        try output.writeAll(chunk, doing: doing)
        if writeback == nil { writeback = WritebackPacer(fd: output.fd, stride: BlobStore.writebackStride) }
        writeback!.wrote(chunk.count)
    }

    /// Starts writeback of the tail of a file that already started some. Small files are left
    /// to the batch's single flush: starting writeback for each would turn one large merged
    /// write into thousands of small ones.
    mutating func finishWriteback() {
        writeback?.finish(onlyIfStarted: true)
    }

    func mediaType(name: String) -> String { MediaType.sniff(head, fileName: name) }

    /// The SHA-256 of every byte taken, in lower-case hex. Call once.
    mutating func sha256() -> String { digest.finalizeHex() }
}

/// A blob that arrives as a stream of chunks (an HTTP upload): hashed and written into this
/// process's temporary area as the chunks come, so no other copy of the bytes is ever made.
/// `finish` flushes it; the archive then publishes it with its product by a rename. A writer
/// dropped before `finish` removes what it wrote. One task writes it at a time.
public final class BlobWriter: @unchecked Sendable {
    private let path: HostPath
    private let output: FileDescriptor
    private let name: FileName
    private let maxBytes: Int64?
    private var sink = BlobSink()
    private var done = false

    init(path: HostPath, name: FileName, maxBytes: Int64?) throws(KhoError) {
        self.path = path
        self.name = name
        self.maxBytes = maxBytes
        output = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o444, doing: "writing a new blob")
    }

    deinit {
        if !done {
            output.closeNow()
            FS.remove(path)
        }
    }

    public var bytesWritten: Int64 { sink.size }

    public func write(_ chunk: UnsafeRawBufferPointer) throws(KhoError) {
        guard !done else { throw KhoError(.internal, "\(name.display) was written after it was finished") }
        if let maxBytes, sink.size + Int64(chunk.count) > maxBytes {
            throw KhoError(.payloadTooLarge, "\(name.display) is larger than \(Formatting.bytes(maxBytes)), the most this archive takes in one file; nothing was stored",
                           subject: .file(name.display))
        }
        do throws(KhoError) {
            try sink.take(chunk, into: output, doing: "storing \(name.display)")
        } catch where error.code == .diskFull {
            throw KhoError(.diskFull, "the archive's disk is full while storing \(name.display); nothing was stored — free space and try again",
                           subject: .file(name.display), cause: error.cause)
        }
    }

    /// Flushes the bytes to disk; the result goes to `Archive.ingest(_:written:)` or `attach`.
    public func finish() throws(KhoError) -> WrittenBlob {
        guard !done else { throw KhoError(.internal, "\(name.display) was finished twice") }
        try output.sync()
        output.closeNow()
        done = true
        return WrittenBlob(name: name, path: path, sha256: sink.sha256(), size: sink.size, mediaType: sink.mediaType(name: name.display))
    }
}

/// A stream written and flushed into the temporary area, waiting to be published. Dropped
/// unpublished (a later upload failed, the archive was locked), it removes its file.
public final class WrittenBlob: Sendable {
    public let name: FileName
    let path: HostPath
    public let sha256: String
    public let size: Int64
    public let mediaType: String

    init(name: FileName, path: HostPath, sha256: String, size: Int64, mediaType: String) {
        self.name = name
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.mediaType = mediaType
    }

    /// Once published the file has been renamed away and there is nothing to remove.
    deinit { FS.remove(path) }
}

extension BlobStore {
    /// Copies `source` into `tempPath` while hashing it: on two threads for large files (this
    /// one hashes while the other writes), in the calling thread's `buffer` otherwise.
    static func copyAndHash(_ source: HostPath, into tempPath: HostPath, buffer: UnsafeMutableRawBufferPointer,
                            syncNow: Bool, progress: (any ProgressReporter)?) throws(KhoError) -> Staged {
        let input = try FileDescriptor.openForReading(source)
        let st = try input.status()
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw KhoError(.notARegularFile, "\(source) is not a regular file (a folder, device or pipe); expected a file to store", subject: .file(source.description))
        }
        let expected = Int64(st.st_size)
        input.adviseSequential()
        let output = try FileDescriptor.open(tempPath, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o444, doing: "writing a new blob")
        var sink = BlobSink()
        let doing = "copying \(source) into the archive"
        do throws(KhoError) {
            if expected >= pipelineThreshold {
                let writeback = Writeback(output)
                let size = try PipelinedCopy.run(input: input, output: output, doing: doing, consume: { chunk in
                    sink.observe(chunk)
                    progress?.advance(bytes: Int64(chunk.count))
                }, afterWrite: { total, direct in writeback.advance(to: total, direct: direct) })
                writeback.finish(at: size)
            } else {
                while true {
                    let n = try input.readFull(into: buffer)
                    if n == 0 { break }
                    try sink.take(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), into: output, doing: doing)
                    progress?.advance(bytes: Int64(n))
                }
                sink.finishWriteback()
            }
            if syncNow { try output.sync() }
        } catch {
            output.closeNow()
            FS.remove(tempPath)
            throw error.code == .diskFull
                ? KhoError(.diskFull, "the archive's disk is full while storing \(source); nothing was stored — free space and try again", cause: error.cause)
                : error
        }
        guard sink.size == expected else {
            FS.remove(tempPath)
            throw KhoError(.fileChanged, "\(source) changed while it was being read (\(expected) bytes at the start, \(sink.size) read); store it when nothing is writing to it")
        }
        progress?.itemDone()
        return Staged(tempPath: tempPath, sha256: sink.sha256(), size: sink.size,
                      mediaType: sink.mediaType(name: FileName(bytes: source.lastComponent).display))
    }
}

/// Starts writeback of what the writer thread has written, every `writebackStride` bytes.
final class Writeback: @unchecked Sendable {
    private var pacer: WritebackPacer

    init(_ output: FileDescriptor) { pacer = WritebackPacer(fd: output.fd, stride: BlobStore.writebackStride) }

    /// Called on the writer thread only. `direct`: the bytes up to `total` went straight to
    /// the disk, so there is nothing of them to write back (and `finish` starts after them).
    func advance(to total: Int64, direct: Bool) { pacer.advance(to: total, direct: direct) }

    /// Called after the writer thread has finished, with every byte written.
    func finish(at total: Int64) {
        if total > pacer.written { pacer.advance(to: total) }
        pacer.finish(onlyIfStarted: false)
    }
}

