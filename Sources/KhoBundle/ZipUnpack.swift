// Unpacking a zip (or tar) that a clerk uploaded to import: its manifest and files, into a job's
// folder. The archive is hostile input: every name is checked like an uploaded folder's paths
// (nothing climbs out, hides, or is a link or device), no two entries share a path, the bytes
// it unpacks to are bounded by the disk's free space and by a ratio to its own size (a zip
// bomb stops early), and the number of files is bounded. A refusal leaves nothing behind.
import CArchive
import Foundation
import Glibc
import KhoCore
import KhoPlatform

public enum ZipUnpack {
    public struct Unpacked: Sendable {
        /// Each file's path inside the folder, as components, in the archive's order.
        public var files: [[String]]
        /// Entries left out (system clutter such as `__MACOSX/` or `Thumbs.db`).
        public var skipped: Int
        public var bytes: Int64
    }

    /// Unpacks `archive` into `folder` (made here; removed again on any refusal).
    public static func unpack(_ archive: HostPath, into folder: HostPath, maxFiles: Int, maxExpansion: Double = 50,
                              floorBytes: Int64 = 1 << 30, reserve: Int64 = 256 << 20) throws(KhoError) -> Unpacked {
        try FS.makeDirectories(folder)
        do {
            return try unpackChecked(archive, into: folder, maxFiles: maxFiles, maxExpansion: maxExpansion, floorBytes: floorBytes, reserve: reserve)
        } catch {
            FS.removeTree(folder)
            throw error
        }
    }

    static func refuse(_ what: String) -> KhoError {
        KhoError(.usage, "Tệp nén không nhập được: \(what).")
    }

    private static func unpackChecked(_ archive: HostPath, into folder: HostPath, maxFiles: Int, maxExpansion: Double, floorBytes: Int64,
                                      reserve: Int64) throws(KhoError) -> Unpacked {
        let input = try FileDescriptor.openForReading(archive)
        defer { input.closeNow() }
        let size = Int64(try input.status().st_size)
        _ = fcntl(input.fd, F_SETFL, fcntl(input.fd, F_GETFL) & ~O_NONBLOCK)
        let previous = ArchiveWriter.utf8Locale.map { uselocale($0) }
        defer { if let previous { uselocale(previous) } }
        guard let handle = archive_read_new() else { throw KhoError(.outOfMemory, "libarchive could not start reading the zip") }
        defer { archive_read_free(handle) }
        // Zip only: no tar, no outer compression filters (some start outside programs).
        archive_read_support_filter_none(handle)
        archive_read_support_format_zip(handle)
        guard archive_read_open_fd(handle, input.fd, BagReader.readBlock) == ARCHIVE_OK else {
            throw refuse("đây không phải tệp zip đọc được, hoặc nó bị hỏng hay tải lên chưa hết")
        }
        let free = FS.availableBytes(folder) ?? Int64.max
        let budget = min(max(floorBytes, Int64(min(maxExpansion * Double(size), Double(Int64.max / 2)))), free - reserve)
        var out = Unpacked(files: [], skipped: 0, bytes: 0)
        var files: Set<String> = []
        var folders: Set<String> = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        var entry: OpaquePointer?
        var entries = 0
        /// An entry's bytes read and dropped (a skipped entry's too count toward the budget).
        func drain(_ name: String) throws(KhoError) {
            while true {
                let n = archive_read_data(handle, buffer.baseAddress, buffer.count)
                if n == 0 { return }
                guard n > 0 else { throw refuse("'\(name)' bị hỏng trong tệp nén") }
                out.bytes += Int64(n)
                guard out.bytes <= budget else { throw refuse("giải ra hơn \(Formatting.bytes(budget)), quá lớn so với chính nó (có thể là zip bomb)") }
            }
        }
        while true {
            entries += 1
            guard entries <= maxFiles * 2 + 1000 else { throw refuse("có quá nhiều mục (hơn \(maxFiles * 2 + 1000))") }
            let code = archive_read_next_header(handle, &entry)
            if code == ARCHIVE_EOF { break }
            guard code >= ARCHIVE_WARN, let entry else {
                throw refuse("tệp nén bị hỏng hoặc tải lên chưa hết (\(String(cString: kho_archive_error(handle))))")
            }
            guard let pointer = archive_entry_pathname(entry) else { throw refuse("một mục trong tệp nén không có tên") }
            var raw = Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
            guard String(validating: raw, as: UTF8.self) != nil else {
                throw refuse("tên '\(String(decoding: raw, as: UTF8.self))' không phải UTF-8 (hãy nén lại bằng 7-Zip, hoặc bằng Windows 10 trở lên)")
            }
            while raw.starts(with: [0x2E, 0x2F]) { raw.removeFirst(2) }  // "./"
            let type = archive_entry_filetype(entry) & 0o170000
            if type == 0o040000 {
                try drain(String(decoding: raw, as: UTF8.self))
                continue  // folders are made for the files in them
            }
            let shown = String(decoding: raw, as: UTF8.self)
            guard archive_entry_hardlink(entry) == nil, type == 0o100000 else {
                throw refuse("'\(shown)' là liên kết hoặc tệp đặc biệt; tệp nén chỉ được chứa tệp và thư mục")
            }
            let parts: [String]
            switch UploadedTree.path(["relativepath": raw], fileName: raw) {
            case .success(let p): parts = p
            case .failure(let problem): throw refuse("đường dẫn '\(problem.value)' không dùng được: cần \(problem.expected)")
            }
            if UploadedTree.isClutter(parts) || parts.first == "__MACOSX" {
                out.skipped += 1
                try drain(shown)
                continue
            }
            let key = parts.joined(separator: "/")
            guard files.insert(key).inserted else { throw refuse("'\(key)' có hai lần trong tệp nén") }
            guard !folders.contains(key) else { throw refuse("'\(key)' vừa là tệp vừa là thư mục") }
            for depth in 1..<max(1, parts.count) {
                let prefix = parts[..<depth].joined(separator: "/")
                guard !files.contains(prefix) else { throw refuse("'\(prefix)' vừa là tệp vừa là thư mục") }
                folders.insert(prefix)
            }
            guard out.files.count < maxFiles else { throw refuse("có hơn \(maxFiles) tệp; hãy chia thành nhiều lần nhập") }
            var destination = folder
            for part in parts.dropLast() { destination = destination.appending(part) }
            try FS.makeDirectories(destination)
            let target = destination.appending(parts.last!)
            let output = try FileDescriptor.open(target, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600, doing: "unpacking an import")
            defer { output.closeNow() }
            while true {
                let n = archive_read_data(handle, buffer.baseAddress, buffer.count)
                if n == 0 { break }
                guard n > 0 else { throw refuse("'\(key)' bị hỏng trong tệp nén (\(String(cString: kho_archive_error(handle))))") }
                out.bytes += Int64(n)
                guard out.bytes <= budget else {
                    throw out.bytes > free - reserve
                        ? KhoError(.diskFull, "Tệp nén giải ra nhiều hơn chỗ trống của ổ đĩa; chưa nhập gì.")
                        : refuse("giải ra hơn \(Formatting.bytes(budget)), quá lớn so với chính nó (có thể là zip bomb)")
                }
                try output.writeAll(UnsafeRawBufferPointer(rebasing: buffer[..<n]), doing: "unpacking an import")
            }
            out.files.append(parts)
        }
        return out
    }
}
