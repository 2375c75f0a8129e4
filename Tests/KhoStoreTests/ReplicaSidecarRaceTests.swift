// A replicate and a renewal at the same time (the web app renews after every edit): the
// replica ends with each product's current sidecar, never without one because the renewal
// removed a listed sidecar before it was copied.
import Foundation
import GRDB
import Testing
import KhoCore
import KhoPlatform
import KhoS3
import KhoTesting
@testable import KhoStore

@Suite struct ReplicaSidecarRaceTests {
    /// Retitles the first product once, in another process's archive, and renews its sidecar
    /// there (as the web app does after an edit; or not, as when the renewal found the lock
    /// taken), the first time bytes of a blob are sent.
    final class RetitleDuringCopy: ProgressReporter, @unchecked Sendable {
        let root: HostPath
        let environment: ArchiveEnvironment
        let renew: Bool
        private var done = false
        init(root: HostPath, environment: ArchiveEnvironment, renew: Bool = true) { self.root = root; self.environment = environment; self.renew = renew }
        func start(label: String, totalBytes: Int64, totalItems: Int) {}
        func itemDone() {}
        /// Bytes of a blob sent (the renewal at the start of a run reports items only).
        func advance(bytes: Int64) {
            guard !done, bytes > 0 else { return }
            done = true
            let other = try! Archive.open(root, agent: "web", environment: environment)
            try! other.catalog.write { db in try db.execute(sql: "UPDATE products SET title = 'Đổi tên giữa chừng' WHERE pk = 1") }
            if renew { try! other.renewSidecars() }
        }
        func finish() {}
    }

    /// An S3 replica's calls wait for work on Swift's task pool (Blocking.run): made from an
    /// async test they would hold one of its threads meanwhile, and two tests at once on a
    /// 2-core machine would hold them all. Run on a thread of their own instead.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws(KhoError) -> T) async throws -> T {
        try await BlockingPool.shared.run(work)
    }

    func archive(_ scratch: Scratch, s3 endpoint: String? = nil) throws -> (Archive, ArchiveEnvironment) {
        var environment = testEnvironment
        environment.sidecars = SidecarRenewalTests.TitleFormat()
        if let endpoint {
            environment.s3 = S3Settings(endpoint: endpoint, region: "us-east-1", accessKeyID: TestS3.accessKey, secretAccessKey: TestS3.secretKey)
        }
        let root = HostPath("\(scratch.path)/archive")
        _ = try Archive.create(root, agent: "test", environment: environment)
        let archive = try Archive.open(root, agent: "test", environment: environment)
        for i in 0..<3 { _ = try archive.ingest(try metadata("Bài \(i)"), files: [scratch.hostFile("f\(i).txt", "Nội dung \(i)")]) }
        try archive.renewSidecars()
        return (archive, environment)
    }

    /// The sidecar objects under a replica's prefix in the test bucket.
    static func sidecarKeys(_ endpoint: String, _ prefix: String) async throws -> [String] {
        let client = try S3Client(.init(endpoint: endpoint, region: "us-east-1", bucket: TestS3.bucket,
                                        credentials: S3Credentials(accessKeyID: TestS3.accessKey, secretAccessKey: TestS3.secretKey),
                                        readTimeout: TestS3.readTimeout),
                                  now: { Int64(Date().timeIntervalSince1970) })
        var held: [String] = []
        try await client.listAll(prefix: "\(prefix)/sidecars/") { page in held += page.map(\.key) }
        return held
    }

    /// An S3 replica named `cloud` of a new archive of three products (scratch, endpoint).
    func s3Archive(_ scratch: Scratch, prefix: String) async throws -> (Archive, ArchiveEnvironment, ReplicaRecord, before: String) {
        let endpoint = try TestS3.require()
        let (archive, environment) = try archive(scratch, s3: endpoint)
        let replica = try await Self.offPool { () throws(KhoError) in
            try archive.addReplica(name: "cloud", target: "s3://\(TestS3.bucket)/\(prefix)", includeRestricted: false)
        }
        return (archive, environment, replica, try currentSidecar(archive, pk: 1))
    }

    func currentSidecar(_ archive: Archive, pk: Int64) throws -> String {
        try archive.catalog.read { db in try String.fetchOne(db, sql: "SELECT sha256 FROM sidecars WHERE product_pk = ?", arguments: [pk])! }
    }

    /// What a replicate holds while it lists and copies sidecars: a renewal then (which does
    /// not wait) leaves the product due and its listed sidecar in place; once released it renews.
    @Test func aRenewalLeavesListedSidecarsWhileAReplicateCopiesThem() throws {
        let scratch = Scratch()
        let (archive, environment) = try archive(scratch)
        let before = try currentSidecar(archive, pk: 1)
        let other = try Archive.open(archive.root, agent: "web", environment: environment)
        try other.catalog.write { db in try db.execute(sql: "UPDATE products SET title = 'Đổi tên' WHERE pk = 1") }
        do {
            let held = try #require(try archive.lockSidecars(exclusive: false, wait: true))
            try other.renewSidecars()
            #expect(try other.sidecarsDue())
            #expect(FS.fileStatus(Archive.sidecarPath(before, under: archive.root)) != nil)
            withExtendedLifetime(held) {}
        }
        try other.renewSidecars()
        #expect(try !other.sidecarsDue())
        #expect(try currentSidecar(archive, pk: 1) != before)
        #expect(FS.fileStatus(Archive.sidecarPath(before, under: archive.root)) == nil)
    }

    /// A folder replica: a product edited and renewed while the blobs are copied ends with its
    /// new sidecar there, and the replica holds one sidecar a product.
    @Test func aFolderReplicaGetsTheSidecarRenewedDuringTheRun() throws {
        let scratch = Scratch()
        let (archive, environment) = try archive(scratch)
        let replica = try archive.addReplica(name: "usb", target: "\(scratch.path)/replica", includeRestricted: false, sameDisk: true)
        _ = try archive.replicate(replica, progress: RetitleDuringCopy(root: archive.root, environment: environment))
        let current = try currentSidecar(archive, pk: 1)
        let held = try FileManager.default.subpathsOfDirectory(atPath: "\(scratch.path)/replica/sidecars").filter { $0.hasSuffix(".json") }
        #expect(held.contains("\(current.prefix(2))/\(current).json"))
        #expect(held.count == 3)
    }

    /// A product changed during the run and not renewed yet (its renewal found the lock taken)
    /// keeps its last sidecar in the replica rather than being left without one.
    @Test func aFolderReplicaKeepsTheLastSidecarOfAProductChangedDuringTheRun() throws {
        let scratch = Scratch()
        let (archive, environment) = try archive(scratch)
        let before = try currentSidecar(archive, pk: 1)
        let replica = try archive.addReplica(name: "usb", target: "\(scratch.path)/replica", includeRestricted: false, sameDisk: true)
        _ = try archive.replicate(replica, progress: nil)
        _ = try archive.ingest(try metadata("Bài mới"), files: [scratch.hostFile("new.txt", "Nội dung mới")])
        _ = try archive.replicate(replica, progress: RetitleDuringCopy(root: archive.root, environment: environment, renew: false))
        #expect(try archive.sidecarsDue())
        let held = try FileManager.default.subpathsOfDirectory(atPath: "\(scratch.path)/replica/sidecars").filter { $0.hasSuffix(".json") }
        #expect(held.contains("\(before.prefix(2))/\(before).json"), "\(held)")
        #expect(held.count == 4)
    }

    /// An S3 replica lists the sidecars at the start and sends them after the blobs: one
    /// renewed in between is sent in its new form, the superseded one removed.
    @Test func anS3ReplicaGetsTheSidecarRenewedDuringTheRun() async throws {
        let endpoint = try TestS3.require()
        let prefix = TestS3.prefix("race")
        let scratch = Scratch()
        let (archive, environment, replica, before) = try await s3Archive(scratch, prefix: prefix)
        let reporter = RetitleDuringCopy(root: archive.root, environment: environment)
        let summary = try await Self.offPool { () throws(KhoError) in try archive.replicate(replica, progress: reporter) }
        let current = try currentSidecar(archive, pk: 1)
        #expect(current != before)
        let held = try await Self.sidecarKeys(endpoint, prefix)
        #expect(held.contains("\(prefix)/sidecars/\(current.prefix(2))/\(current).json"), "\(held)")
        #expect(!held.contains("\(prefix)/sidecars/\(before.prefix(2))/\(before).json"))
        #expect(held.count == 3)
        #expect(summary.sidecarsCopied == 3)
        withExtendedLifetime(scratch) {}
    }

    /// The same in a bucket: a product changed during the upload and not renewed keeps the
    /// sidecar an earlier run sent.
    @Test func anS3ReplicaKeepsTheLastSidecarOfAProductChangedDuringTheRun() async throws {
        let endpoint = try TestS3.require()
        let scratch = Scratch()
        let prefix = TestS3.prefix("keep")
        let (archive, environment, replica, before) = try await s3Archive(scratch, prefix: prefix)
        _ = try await Self.offPool { () throws(KhoError) in try archive.replicate(replica, progress: nil) }
        _ = try archive.ingest(try metadata("Bài mới"), files: [scratch.hostFile("new.txt", "Nội dung mới")])
        let reporter = RetitleDuringCopy(root: archive.root, environment: environment, renew: false)
        _ = try await Self.offPool { () throws(KhoError) in try archive.replicate(replica, progress: reporter) }
        #expect(try archive.sidecarsDue())
        let held = try await Self.sidecarKeys(endpoint, prefix)
        #expect(held.contains("\(prefix)/sidecars/\(before.prefix(2))/\(before).json"), "\(held)")
        #expect(held.count == 4)
    }
}
