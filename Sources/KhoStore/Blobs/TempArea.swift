// The temporary area: each process writes into its own folder under `tmp/`, owned
// through an flock that the kernel drops when the process dies, however it dies.
// A later process that can take the lock knows the owner is gone and removes the
// leftovers; a folder of a live process is never touched.
import Glibc
import KhoCore
import KhoPlatform
import Synchronization

final class TempArea: @unchecked Sendable {
    let directory: HostPath
    private let lockFile: FileDescriptor
    private let counter = Counter()
    /// Session numbers handed out in this process.
    private static let sessions = Atomic<Int>(0)

    /// Creates this process's session folder under `root` (the archive's `tmp/`).
    init(root: HostPath) throws(KhoError) {
        try FS.makeDirectories(root)
        // Named by process and a number no other session of this process takes; names a dead
        // process with the same ID left behind are skipped.
        var name = ""
        var pending = root
        var made: FileDescriptor?
        var attempt = 0
        while made == nil {
            attempt += 1
            name = "s\(getpid())-\(Self.sessions.add(1, ordering: .relaxed).newValue)"
            // Lock under a temporary name, then rename: a cleaner never sees an unlocked `.lock`.
            pending = root.appending(".\(name).pending")
            if FS.exists(root.appending("\(name).lock")) || FS.exists(root.appending(name)) { continue }
            do throws(KhoError) {
                made = try FileDescriptor.open(pending, flags: O_RDWR | O_CREAT | O_EXCL, doing: "creating the temporary area")
            } catch where FS.exists(pending) && attempt < 1000 {
                continue
            }
        }
        let lock = made!
        guard try lock.lock(exclusive: true, wait: false) else {
            throw KhoError(.internal, "could not lock a new temporary area at \(pending)")
        }
        try FS.rename(pending, root.appending("\(name).lock"))
        directory = root.appending(name)
        try FS.makeDirectory(directory)
        lockFile = lock
    }

    deinit {
        FS.removeTree(directory)
        FS.remove(HostPath(bytes: directory.bytes + Array(".lock".utf8)))
    }

    /// A fresh path inside the session folder. Each worker thread writes into its own
    /// subfolder: creating files in one shared folder serialises on its directory lock.
    func newPath(worker: Int = 0) throws(KhoError) -> HostPath {
        let folder = directory.appending("w\(worker)")
        if !FS.isDirectory(folder) { try FS.makeDirectory(folder) }
        return folder.appending("blob-\(counter.next())")
    }

    /// Whether `name` (without `.lock` or `.pending`) is a session folder's: `s<pid>-<n>`.
    static func isSessionName(_ name: Substring) -> Bool {
        guard name.first == "s", let dash = name.firstIndex(of: "-") else { return false }
        let pid = name[name.index(after: name.startIndex)..<dash], number = name[name.index(after: dash)...]
        return !pid.isEmpty && !number.isEmpty && pid.allSatisfy(\.isASCII) && pid.allSatisfy(\.isNumber) && number.allSatisfy(\.isNumber)
    }

    /// Removes the folders of processes that are gone. Only names Kho makes are touched (a
    /// session folder, its lock, its pending lock); a link is removed, never followed. Returns
    /// how many were removed.
    @discardableResult
    static func cleanUp(root: HostPath) -> Int {
        guard FS.isDirectory(root), let names = try? FS.list(root) else { return 0 }
        var removed = 0
        for name in names where name.hasSuffix(".lock") && isSessionName(name.dropLast(5)) {
            let lockPath = root.appending(name)
            guard FS.fileStatus(lockPath).map({ $0.st_mode & S_IFMT == S_IFREG }) == true,
                  let lock = try? FileDescriptor.open(lockPath, flags: O_RDWR | O_NOFOLLOW, doing: "checking the temporary area"),
                  (try? lock.lock(exclusive: true, wait: false)) == true else { continue }
            // The owner is gone: we hold its lock now.
            FS.removeTree(root.appending(String(name.dropLast(5))))
            FS.remove(lockPath)
            removed += 1
        }
        let live = Set(names.filter { $0.hasSuffix(".lock") }.map { String($0.dropLast(5)) })
        for name in names where isSessionName(name[...]) && !live.contains(name) {
            // A folder without a lock file: its owner died while cleaning up. The lock is
            // always made before the folder, so check again now, not from the listing.
            if FS.exists(root.appending("\(name).lock")) { continue }
            FS.removeTree(root.appending(name))
            removed += 1
        }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".pending") && isSessionName(name.dropFirst().dropLast(8)) {
            // A lock that never got its final name. Its owner holds it for an instant while it
            // starts; one older than a minute was left by a process that died starting.
            let path = root.appending(name)
            guard let st = FS.fileStatus(path), st.st_mode & S_IFMT == S_IFREG, time(nil) - st.st_mtim.tv_sec > 60 else { continue }
            if let lock = try? FileDescriptor.open(path, flags: O_RDWR | O_NOFOLLOW, doing: "checking the temporary area"),
               (try? lock.lock(exclusive: true, wait: false)) == true {
                FS.remove(path)
                removed += 1
            }
        }
        return removed
    }
}

/// A thread-safe counter.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
