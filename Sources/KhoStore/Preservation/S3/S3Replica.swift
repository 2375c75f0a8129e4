// An S3 replica: the same names as a folder replica under a bucket's prefix
// (PREFIX/blobs/sha256/aa/DIGEST, PREFIX/sidecars/aa/DIGEST.json, PREFIX/catalog.sqlite,
// PREFIX/kho-replica.json), reached with our own S3 client. The target is s3://BUCKET/PREFIX; the
// endpoint, region and keys come from the environment or kho-config.json (S3Settings). One run at
// a time per replica: a lock in the archive's tmp/ (S3 has no locks; the archive drives it).
import Foundation
import Glibc
import KhoCore
import KhoPlatform
import KhoS3
import NIOCore

/// s3://BUCKET/PREFIX, checked.
struct S3Target: Sendable, Equatable, CustomStringConvertible {
    var bucket: String
    /// "" or segments joined by "/", without a slash at either end.
    var prefix: String

    static func isS3(_ target: String) -> Bool { target.lowercased().hasPrefix("s3://") }

    static func parse(_ target: String) throws(KhoError) -> S3Target {
        let rest = target.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        let prefix = rest.dropFirst(bucket.count).split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        guard target.hasPrefix("s3://"), S3Client.isBucketName(bucket) else {
            throw KhoError(.usage, "'\(TextRules.visible(target))' is not s3://BUCKET/PREFIX with a bucket name of 3 to 63 of a-z, 0-9, '.', '-'", subject: .field("TARGET", target))
        }
        let segments = prefix.split(separator: "/")
        guard prefix.utf8.count <= 200, prefix.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || [0x2D, 0x2E, 0x5F, 0x2F].contains($0) }),
              !segments.contains(where: { $0 == "." || $0 == ".." }) else {
            throw KhoError(.usage, "the prefix of '\(TextRules.visible(target))' must be letters, digits, '-', '_', '.' and '/' (no . or .. segments), at most 200", subject: .field("TARGET", target))
        }
        return S3Target(bucket: bucket, prefix: prefix)
    }

    func key(_ rest: String) -> String { prefix.isEmpty ? rest : "\(prefix)/\(rest)" }
    /// Everything of this replica is under this.
    var root: String { prefix.isEmpty ? "" : "\(prefix)/" }
    var blobs: String { key("blobs/sha256/") }
    func blobKey(_ sha256: String) -> String { key("blobs/sha256/\(sha256.prefix(2))/\(sha256)") }
    var sidecars: String { key("sidecars/") }
    func sidecarKey(_ sha256: String) -> String { key("sidecars/\(sha256.prefix(2))/\(sha256).json") }
    var description: String { "s3://\(bucket)\(prefix.isEmpty ? "" : "/" + prefix)" }

    /// Whether the two hold a common key (one's prefix inside the other's, same bucket).
    func overlaps(_ other: S3Target) -> Bool {
        bucket == other.bucket && (root.hasPrefix(other.root) || other.root.hasPrefix(root))
    }
}

struct S3Replica: Sendable {
    let name: String
    let target: S3Target
    let client: S3Client
    /// Request bodies in memory at once (the run's memory stays flat whatever the blobs' sizes).
    let memory = MemoryBudget(bytes: memoryBytes)
    /// Objects up to this size go in one PUT; larger ones in parts of this size.
    static let partSize = 8 << 20
    static let memoryBytes = 32 << 20

    /// The part size for an object of `size` bytes: 8 MB, or more for one so large that S3's
    /// 10,000 parts would not hold it (a whole MB each).
    static func partSize(for size: Int64) -> Int {
        max(partSize, Int(((size / 9000) >> 20) + 1) << 20)
    }
    /// Requests in flight at once.
    static let concurrency = 8

    /// An S3Error as Kho's own, naming the replica.
    func error(_ e: S3Error) -> KhoError { Self.error(e, replica: name) }

    static func make(name: String, target: String, settings: S3Settings, clock: Clock) throws(KhoError) -> S3Replica {
        let parsed = try S3Target.parse(target)
        guard let endpoint = settings.endpoint else {
            throw KhoError(.invalidConfig, "S3 replica \(name): no endpoint: set AWS_ENDPOINT_URL (e.g. https://s3.example.vn) or s3.endpoint in kho-config.json")
        }
        guard let access = settings.accessKeyID, let secret = settings.secretAccessKey else {
            throw KhoError(.invalidConfig, "S3 replica \(name): no keys: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or s3.accessKeyId and s3.secretAccessKey in kho-config.json)")
        }
        do {
            let client = try S3Client(.init(endpoint: endpoint, region: settings.region ?? "us-east-1", bucket: parsed.bucket,
                                            credentials: S3Credentials(accessKeyID: access, secretAccessKey: secret, sessionToken: settings.sessionToken),
                                            connections: S3Replica.concurrency),
                                      now: { Int64(clock.now().epochSeconds ?? 0) })
            return S3Replica(name: name, target: parsed, client: client)
        } catch {
            throw S3Replica.error(error, replica: name)
        }
    }

    /// The replica's marker (nil: there is none), read as a small JSON object.
    func readMarker() async throws(KhoError) -> [String: Any]? {
        var bytes = ByteBuffer()
        let found = try await s3 { () async throws(S3Error) in
            try await client.get(target.key(Archive.replicaMarker), expectedSize: 4096) { piece in
                var piece = piece
                bytes.writeBuffer(&piece)
                return bytes.readableBytes <= 64 << 10
            }
        }
        guard found != nil else { return nil }
        return ((try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any]) ?? [:]
    }

    static func error(_ e: S3Error, replica: String) -> KhoError {
        let code: ErrorCode
        switch e.kind {
        case .wrongKey, .noSuchBucket, .clockSkew, .accessDenied: code = .invalidConfig
        // A full bucket is not the archive's disk (disk_full means this computer's).
        default: code = .ioError
        }
        return KhoError(code, "S3 replica \(replica): \(e.message)")
    }

    /// Runs `body`, its S3 errors made Kho's.
    func s3<T>(_ body: () async throws(S3Error) -> T) async throws(KhoError) -> T {
        do { return try await body() } catch { throw self.error(error) }
    }
}

extension Archive {
    /// The endpoint, region and keys S3 replicas use: the environment's over kho-config.json's.
    var s3Settings: S3Settings { environment.s3.over(config.s3) }

    /// A client for replica `name` at `target`; a missing setting is one clear line.
    func s3Replica(name: String, target: String) throws(KhoError) -> S3Replica {
        try S3Replica.make(name: name, target: target, settings: s3Settings, clock: clock)
    }

    /// One run at a time on an S3 replica (held until the descriptor goes).
    func lockS3Replica(_ name: String) throws(KhoError) -> KhoPlatform.FileDescriptor {
        try FS.makeDirectories(root.appending("tmp"))
        let fd = try KhoPlatform.FileDescriptor.open(root.appending("tmp/replica-\(name).lock"), flags: O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o644, doing: "locking the replica")
        guard try fd.lock(exclusive: true, wait: false) else {
            throw KhoError(.archiveLocked, "another kho replicate or kho repair is using replica \(name); try again when it is done")
        }
        return fd
    }

    /// The replica's marker names this archive and this replica; with `adopting`, an empty
    /// prefix gets the marker. Also the first call to the server: a wrong key, a missing bucket
    /// or a clock off is said here.
    func checkS3Marker(_ replica: S3Replica, adopting: Bool) async throws(KhoError) {
        let markerKey = replica.target.key(Self.replicaMarker)
        if let object = try await replica.readMarker() {
            guard object["archiveID"] as? String == info.archiveID else {
                throw KhoError(.usage, "\(replica.target) is a replica of another archive (\(TextRules.visible(object["archiveID"] as? String ?? "unknown"))); choose another prefix")
            }
            guard object["replica"] as? String == replica.name else {
                throw KhoError(.usage, "\(replica.target) is this archive's replica \(TextRules.visible(object["replica"] as? String ?? "(unnamed)")), not \(replica.name); give each replica its own prefix")
            }
            return
        }
        guard adopting else {
            throw KhoError(.missingFile, "\(replica.target) is not a replica of this archive (\(Self.replicaMarker) is missing there): was the bucket emptied, or the prefix changed?")
        }
        guard try await replica.s3({ () async throws(S3Error) in try await replica.client.probe(prefix: replica.target.root) }) == false else {
            throw KhoError(.folderNotEmpty, "\(replica.target) already holds objects and is not a replica of this archive; give an empty prefix")
        }
        let json = ByteBuffer(string: #"{"format": "kho-replica", "version": 1, "archiveID": "\#(info.archiveID)", "replica": "\#(replica.name)"}"# + "\n")
        try await replica.s3 { () async throws(S3Error) in
            try await replica.client.put(markerKey, body: json, sha256: S3Client.sha256Hex(json), contentType: "application/json")
        }
    }
}
