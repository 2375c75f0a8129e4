// Asking the kernel to start writing a file's bytes to the disk while the writer goes on
// (sync_file_range, SYNC_FILE_RANGE_WRITE): every `stride` bytes, so the disk works at the
// same time and the flush that makes the file durable has little left to wait for.

/// Tracks how far a file has been written and how far writeback was started. One writer
/// thread uses it.
public struct WritebackPacer: Sendable {
    public let fd: Int32
    public let stride: Int64
    /// Bytes written so far, and up to where writeback was started.
    public private(set) var written: Int64
    public private(set) var startedUpTo: Int64
    private var startedAny = false

    /// `from`: the file's bytes before that are already written (an upload resumed).
    public init(fd: Int32, stride: Int64, from: Int64 = 0) {
        self.fd = fd
        self.stride = stride
        written = from
        startedUpTo = from
    }

    /// The file is now `total` bytes long. `direct`: those bytes went straight to the disk
    /// (O_DIRECT), so there is nothing of them to write back.
    public mutating func advance(to total: Int64, direct: Bool = false) {
        written = total
        if direct {
            startedUpTo = total
        } else if total - startedUpTo >= stride {
            start()
        }
    }

    /// `count` more bytes were written.
    public mutating func wrote(_ count: Int) { advance(to: written + Int64(count)) }

    /// The file is complete: writeback of its tail. `onlyIfStarted`: not for a file that never
    /// reached a stride (small files are left to one flush of many, which merges their writes).
    public mutating func finish(onlyIfStarted: Bool) {
        if written > startedUpTo, startedAny || !onlyIfStarted { start() }
    }

    private mutating func start() {
        Sys.startWriteback(fd, offset: startedUpTo, length: written - startedUpTo)
        startedUpTo = written
        startedAny = true
    }
}
