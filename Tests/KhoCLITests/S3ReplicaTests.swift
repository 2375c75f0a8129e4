// S3 replicas against a real S3 server (SeaweedFS on loopback, started by Scripts/test):
// replicate (restricted bytes left out unless allowed), status, verify and repair both ways,
// a catalog rebuilt from the bucket alone into an empty folder, a replicate SIGKILLed half-way
// and resumed (nothing partial visible, nothing complete sent twice), and the clear errors of a
// wrong key, a missing bucket, no settings, and a prefix that is not this archive's.
import Foundation
import KhoS3
import KhoTesting
import NIOCore
import Testing

@Suite struct S3ReplicaTests {
    static func client(_ endpoint: String) throws -> S3Client {
        try S3Client(.init(endpoint: endpoint, region: "us-east-1", bucket: TestS3.bucket,
                           credentials: S3Credentials(accessKeyID: TestS3.accessKey, secretAccessKey: TestS3.secretKey),
                           readTimeout: TestS3.readTimeout),
                     now: { Int64(Date().timeIntervalSince1970) })
    }

    static func keys(_ s3: S3Client, _ prefix: String) async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        try await s3.listAll(prefix: prefix + "/") { for o in $0 { out[String(o.key.dropFirst(prefix.count + 1))] = o.size } }
        return out
    }

    static func blobKey(_ prefix: String, _ sha: String) -> String { "\(prefix)/blobs/sha256/\(sha.prefix(2))/\(sha)" }

    /// Pseudo-random bytes (a large file that goes up in parts).
    static func bytes(_ count: Int, seed: UInt32) -> [UInt8] {
        var x = seed &+ 1
        return (0..<count).map { _ in
            x = x &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: x >> 24)
        }
    }

    @Test func replicateVerifyRepairAndRebuildFromTheBucket() async throws {
        let endpoint = try TestS3.require()
        let s3 = try Self.client(endpoint)
        let env = TestS3.environment
        let ws = Workspace()
        var ids: [String] = []
        for name in ["a", "b", "c"] { ids.append(ws.ingest(ws.file("\(name).txt", "Bài \(name.uppercased()) về quyền con người"), title: "Bài \(name)")) }
        ids.append(ws.ingest(ws.file("video.bin", bytes: Self.bytes(20 << 20, seed: 7)), title: "Phóng sự dài"))
        _ = ws.ingest(ws.file("s.txt", "Tài liệu mật, bản gốc"), title: "Tài liệu mật", extra: ["--access", "restricted"])
        let a = ws.sha256(of: "\(ws.path)/a.txt"), video = ws.sha256(of: "\(ws.path)/video.bin"), secret = ws.sha256(of: "\(ws.path)/s.txt")
        let prefix = TestS3.prefix("cli")
        let target = "s3://\(TestS3.bucket)/\(prefix)"
        let added = ws.run(["replica", "add", "cloud", target], env: env)
        #expect(added.status == 0, "\(added.stderr)")
        let first = ws.run(["replicate", "--json"], env: env)
        #expect(first.status == 0, "\(first.stderr)")
        let summary = first.array.first?["summary"] as? [String: Any] ?? [:]
        #expect(summary["blobsCopied"] as? Int == 4 && summary["restrictedLeftOut"] as? Int == 1 && summary["sidecarsCopied"] as? Int == 4, "\(first.out)")
        var held = try await Self.keys(s3, prefix)
        #expect(held["blobs/sha256/\(video.prefix(2))/\(video)"] == 20 << 20)
        #expect(held["blobs/sha256/\(secret.prefix(2))/\(secret)"] == nil, "a restricted product's bytes went to a replica that does not take them")
        #expect(held["catalog.sqlite"] != nil && held["kho-archive.json"] != nil && held["kho-replica.json"] != nil)
        #expect(held.keys.filter { $0.hasPrefix("sidecars/") }.count == 4)
        // Again: nothing new to send.
        let again = ws.run(["replicate", "--json"], env: env)
        #expect((again.array.first?["summary"] as? [String: Any])?["blobsAlreadyThere"] as? Int == 4, "\(again.out)")
        let status = ws.run(["replica", "status", "--max-age", "1d", "--json"], env: env)
        let first0 = (status.object["replicas"] as? [[String: Any]])?.first ?? [:]
        #expect(status.status == 0 && first0["present"] as? Int == 4 && first0["missing"] as? Int == 0 && first0["hasCatalog"] as? Bool == true, "\(status.out)")
        // An archive blob rotted in place: verify names it, repair brings it back from the bucket.
        let local = "\(ws.archive)/blobs/sha256/\(a.prefix(2))/\(a)"
        _ = chmod(local, 0o644)
        var rotten = try Data(contentsOf: URL(fileURLWithPath: local))
        rotten[1] ^= 0x20
        try rotten.write(to: URL(fileURLWithPath: local))
        #expect(ws.run(["verify"]).status == 3)
        let repaired = ws.run(["repair"], env: env)
        #expect(repaired.status == 0 && repaired.out.contains("REPAIRED: sha256:\(a) in the archive (was damaged), from the replica cloud"), "\(repaired.out)\(repaired.stderr)")
        #expect(ws.sha256(of: local) == a && ws.run(["verify"]).status == 0)
        // The bucket's copies: one replaced by other bytes, one deleted; verify names both, repair rewrites both.
        let other = ByteBuffer(string: "not the article")
        try await s3.put(Self.blobKey(prefix, a), body: other, sha256: S3Client.sha256Hex(other))
        _ = try await s3.delete([Self.blobKey(prefix, video)])
        let check = ws.run(["verify", "--replica", "cloud"], env: env)
        #expect(check.status == 3 && check.out.contains("DAMAGED: sha256:\(a)") && check.out.contains("MISSING: sha256:\(video)"), "\(check.out)\(check.stderr)")
        let mended = ws.run(["repair", "--replica", "cloud", "--json"], env: env)
        let mendedList = (mended.object["repaired"] as? [[String: Any]] ?? []).map { "\($0["sha256"] ?? "") \($0["was"] ?? "")" }
        #expect(mended.status == 0 && Set(mendedList) == ["\(a) damaged", "\(video) missing"], "\(mended.out)\(mended.stderr)")
        #expect(ws.run(["verify", "--replica", "cloud"], env: env).status == 0)
        // The archive's disk lost: an empty folder with the archive's marker is rebuilt from the bucket alone.
        #expect(ws.run(["replicate"], env: env).status == 0)
        var before: [String: String] = [:]
        for id in ids { before[id] = ws.run(["show", id, "--json"]).out }
        let fresh = "\(ws.path)/new-disk"
        try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(ws.archive)/kho-archive.json", toPath: "\(fresh)/kho-archive.json")
        let rebuilt = ws.run(["rebuild-catalog", "--from", target, "--storage", fresh, "--json"], env: env, storage: false)
        #expect(rebuilt.status == 0 && rebuilt.object["products"] as? Int == 4 && rebuilt.object["blobsCopied"] as? Int == 4, "\(rebuilt.out)\(rebuilt.stderr)")
        for id in ids { #expect(ws.run(["show", id, "--json", "--storage", fresh], storage: false).out == before[id], "\(id)") }
        #expect(ws.run(["verify", "--storage", fresh], storage: false).status == 0)
        // A replica that takes restricted products gets their bytes too.
        #expect(ws.run(["replica", "add", "vault", "\(target)-vault", "--include-restricted"], env: env).status == 0)
        #expect(ws.run(["replicate", "vault"], env: env).status == 0)
        held = try await Self.keys(s3, prefix + "-vault")
        #expect(held["blobs/sha256/\(secret.prefix(2))/\(secret)"] != nil)
        _ = try await s3.delete(Array(try await Self.keys(s3, prefix).keys).map { "\(prefix)/\($0)" } + Array(held.keys).map { "\(prefix)-vault/\($0)" })
    }

    /// Sidecars a large import packed go to the bucket each as an object of its own, and a
    /// catalog rebuilt from the bucket has every product back.
    @Test func packedSidecarsGoUpOneByOneAndRebuild() async throws {
        let endpoint = try TestS3.require()
        let s3 = try Self.client(endpoint)
        let env = TestS3.environment
        let ws = Workspace()
        var rows = "source_id,title,kind,languages,unit,produced,published,channels,carrier\n"
        for i in 1...300 { rows += "P\(i),Tờ rơi \(i),leaflet,vi,23293,2024-01-0\(1 + i % 9),,,paper\n" }
        ws.file("big/manifest.csv", rows)
        #expect(ws.run(["import", "\(ws.path)/big/manifest.csv"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: "\(ws.archive)/sidecars/packs/0000000001.tar"))
        let prefix = TestS3.prefix("packs")
        #expect(ws.run(["replica", "add", "cloud", "s3://\(TestS3.bucket)/\(prefix)"], env: env).status == 0)
        let sent = ws.run(["replicate", "--json"], env: env)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect((sent.array.first?["summary"] as? [String: Any])?["sidecarsCopied"] as? Int == 300, "\(sent.out)")
        #expect(try await Self.keys(s3, prefix).keys.filter { $0.hasPrefix("sidecars/") && $0.hasSuffix(".json") }.count == 300)
        let list = ws.run(["list", "--json"]).out
        for name in try FileManager.default.contentsOfDirectory(atPath: ws.archive) where name.hasPrefix("catalog.sqlite") {
            try FileManager.default.removeItem(atPath: "\(ws.archive)/\(name)")
        }
        try FileManager.default.removeItem(atPath: "\(ws.archive)/sidecars")
        let rebuilt = ws.run(["rebuild-catalog", "--from", "s3://\(TestS3.bucket)/\(prefix)", "--json"], env: env)
        #expect(rebuilt.status == 0 && rebuilt.object["products"] as? Int == 300, "\(rebuilt.out) \(rebuilt.stderr)")
        #expect(ws.run(["list", "--json"]).out == list)
    }

    @Test func aReplicateKilledHalfWayGoesOnWhereItStopped() async throws {
        let endpoint = try TestS3.require()
        let s3 = try Self.client(endpoint)
        let env = TestS3.environment
        let ws = Workspace()
        // Many small files and a few large ones (each sent in parts).
        var files: [String] = []
        for i in 0..<240 { files.append(ws.file("small/\(i).txt", "Bài số \(i) về quyền con người, bản \(i * 7919)")) }
        for i in 0..<4 { files.append(ws.file("large/\(i).bin", bytes: Self.bytes(12 << 20, seed: UInt32(100 + i)))) }
        let r = ws.run(["ingest"] + files + ["--title", "Bộ sưu tập", "--kind", "article", "--lang", "vi", "--unit", "00004"])
        #expect(r.status == 0, "\(r.stderr)")
        let total = 244
        var landedHalfWay = false
        for (round, delay) in [400_000, 900_000, 1_600_000, 2_500_000].enumerated() {
            let prefix = TestS3.prefix("kill\(round)")
            let name = "cloud\(round)"
            #expect(ws.run(["replica", "add", name, "s3://\(TestS3.bucket)/\(prefix)"], env: env).status == 0)
            try ws.runKilled(["replicate", name], after: useconds_t(delay), env: env)
            // A body sent whole just before the kill may still be landing on the server.
            try await Task.sleep(nanoseconds: 1_000_000_000)
            // Nothing partial visible: every blob there is whole (its bytes hash to its name).
            let there = try await Self.keys(s3, prefix).filter { $0.key.hasPrefix("blobs/") }
            for key in there.keys {
                var digest = ByteBuffer()
                _ = try await s3.get("\(prefix)/\(key)") { piece in
                    var piece = piece
                    digest.writeBuffer(&piece)
                    return true
                }
                #expect(S3Client.sha256Hex(digest) == String(key.split(separator: "/").last ?? ""), "\(key) is not whole")
            }
            if there.count > 0 && there.count < total { landedHalfWay = true }
            // The run goes on: only what is missing is sent, and no upload is left open.
            let resumed = ws.run(["replicate", name, "--json"], env: env)
            let summary = resumed.array.first?["summary"] as? [String: Any] ?? [:]
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(summary["blobsAlreadyThere"] as? Int == there.count && summary["blobsCopied"] as? Int == total - there.count, "\(there.count) there after the kill: \(resumed.out)")
            #expect(try await s3.openUploads(prefix: prefix + "/").isEmpty)
            #expect(ws.run(["verify", "--replica", name], env: env).status == 0)
            _ = try await s3.delete(Array(try await Self.keys(s3, prefix).keys).map { "\(prefix)/\($0)" })
        }
        #expect(landedHalfWay, "no kill landed half-way through a replicate")
    }

    @Test func theErrorsOfAWrongKeyAMissingBucketAndNoSettings() async throws {
        let endpoint = try TestS3.require()
        let env = TestS3.environment
        let ws = Workspace()
        _ = ws.ingest(ws.file("a.txt", "Bài viết"), title: "Bài viết")
        let prefix = TestS3.prefix("errors")
        let target = "s3://\(TestS3.bucket)/\(prefix)"
        let wrong = ws.run(["replica", "add", "cloud", target], env: env.merging(["AWS_SECRET_ACCESS_KEY": "not-the-secret"]) { _, b in b })
        #expect(wrong.status == 1 && wrong.stderr.contains("the secret key is wrong"), "\(wrong.stderr)")
        let unknown = ws.run(["replica", "add", "cloud", target], env: env.merging(["AWS_ACCESS_KEY_ID": "nobody"]) { _, b in b })
        #expect(unknown.status == 1 && unknown.stderr.contains("does not know this access key"), "\(unknown.stderr)")
        let missing = ws.run(["replica", "add", "cloud", "s3://kho-no-such-bucket/x"], env: env)
        #expect(missing.status == 1 && missing.stderr.contains("the bucket kho-no-such-bucket does not exist at \(endpoint)"), "\(missing.stderr)")
        let none = ws.run(["replica", "add", "cloud", target], env: ["AWS_ENDPOINT_URL": "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
        #expect(none.status == 1 && none.stderr.contains("no endpoint"), "\(none.stderr)")
        let bad = ws.run(["replica", "add", "cloud", "s3://Bad_Bucket/x"], env: env)
        #expect(bad.status == 2, "\(bad.stderr)")
        #expect(ws.run(["replica", "add", "cloud", "s3://\(TestS3.bucket)/a/../b"], env: env).status == 2)
        #expect(ws.run(["replica", "list"]).out.contains("cloud") == false)
        // Settings from kho-config.json when the environment has none.
        let config = #"{"s3": {"endpoint": "\#(endpoint)", "accessKeyId": "\#(TestS3.accessKey)", "secretAccessKey": "\#(TestS3.secretKey)"}}"#
        ws.file("archive/kho-config.json", config)
        let fromFile = ws.run(["replica", "add", "cloud", target], env: ["AWS_ENDPOINT_URL": "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        // The keys do not leave with the copy of the settings.
        #expect(ws.run(["replicate"], env: ["AWS_ENDPOINT_URL": "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""]).status == 0)
        var copied = ByteBuffer()
        _ = try await Self.client(endpoint).get("\(prefix)/kho-config.json") { piece in
            var piece = piece
            copied.writeBuffer(&piece)
            return true
        }
        let copiedText = String(buffer: copied)
        #expect(copiedText.contains(endpoint) && !copiedText.contains(TestS3.secretKey) && !copiedText.contains("accessKeyId"), "\(copiedText)")
        // Another archive meeting this prefix refuses it; a wrong key later is a failed run, said.
        let other = Workspace()
        let theirs = other.run(["replica", "add", "cloud", target], env: env)
        #expect(theirs.status == 2 && theirs.stderr.contains("replica of another archive"), "\(theirs.stderr)")
        let late = ws.run(["replicate"], env: env.merging(["AWS_SECRET_ACCESS_KEY": "rotated"]) { _, b in b })
        #expect(late.status == 1 && late.stderr.contains("secret key is wrong"), "\(late.stderr)")
    }
}
