// The archive under stress: kills mid-ingest, files over 4 GiB, a terminal's progress bar.
import Foundation
import Glibc
import KhoTesting
import Testing

@Suite(.serialized) struct RobustnessTests {
    /// Kill `kho ingest` at many moments; every time the archive must stay whole: no catalog row
    /// without its blob, no half-written blob in place, no product with only some of its files,
    /// and leftovers gone after the next run.
    @Test func killedIngestsLeaveTheArchiveConsistent() throws {
        let ws = Workspace()
        let big = ws.file("big.bin", bytes: randomBytes(48 << 20, seed: 7))
        let small = ws.file("small.txt", "nhỏ")
        let delays: [useconds_t] = [0, 2_000, 10_000, 30_000, 60_000, 100_000, 150_000, 250_000, 400_000]
        for (round, delay) in delays.enumerated() {
            try ws.runKilled(["ingest", big, small, "--title", "Lần \(round)", "--kind", "video_clip", "--lang", "vi", "--unit", "00004"], after: delay)

            let verify = ws.run(["verify", "--json"])
            #expect(verify.status == 0, "round \(round): \(verify.out)")
            #expect(verify.object["intact"] as? Bool == true)
            for product in ws.run(["list", "--json"]).array {
                #expect((product["files"] as? [Any])?.count == 2, "round \(round): a product with some of its files")
            }
            // The dead process's temporary folder was removed by the runs since.
            let tmp = try FileManager.default.contentsOfDirectory(atPath: "\(ws.archive)/tmp")
            #expect(tmp.isEmpty, "round \(round): left \(tmp)")
            // Every blob in place is whole (a blob is only ever renamed in complete).
            let blobs = "\(ws.archive)/blobs/sha256"
            for shard in (try? FileManager.default.contentsOfDirectory(atPath: blobs)) ?? [] {
                for name in try FileManager.default.contentsOfDirectory(atPath: "\(blobs)/\(shard)") {
                    #expect(ws.sha256(of: "\(blobs)/\(shard)/\(name)") == name)
                }
            }
        }
        // After all that, the same ingest completes, and again stores nothing twice.
        let id = ws.ingest(big, title: "Cuối cùng", extra: [])
        _ = ws.run(["attach", id, small])
        #expect(ws.run(["get", id]).stdout == FileManager.default.contents(atPath: big))
        let verify = ws.run(["verify", "--json"])
        #expect(verify.object["checkedBlobs"] as? Int == 2)
    }

    /// A file over 4 GiB (sparse, so the test does not need 4 GiB of source on disk).
    @Test func filesOverFourGiBWork() throws {
        let ws = Workspace()
        let path = "\(ws.path)/huge.bin"
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        #expect(fd >= 0)
        let size: off_t = (4 << 30) + 4097
        #expect(ftruncate(fd, size) == 0)
        var tail: [UInt8] = Array("cuối tệp".utf8)
        #expect(pwrite(fd, &tail, tail.count, size - off_t(tail.count)) == tail.count)
        close(fd)
        let expected = ws.sha256(of: path)
        let r = ws.run(["ingest", path, "--title", "Phim dài", "--kind", "tv_report", "--lang", "vi", "--unit", "00004", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let file = (r.object["files"] as? [[String: Any]])?.first ?? [:]
        #expect(file["size"] as? Int == Int(size))
        #expect(file["sha256"] as? String == expected)
        let id = r.object["id"] as? String ?? ""
        // Streamed back out through a pipe, bit-exact.
        let back = ws.run(executable: "/bin/bash", ["-o", "pipefail", "-c", "\"$KHO\" get \(id) | sha256sum"],
                          env: ["KHO": Kho.binary, "KHO_STORAGE": ws.archive])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(String(back.out.prefix(64)) == expected)
    }

    /// On a terminal the bar shows rate and ETA; piped, nothing but the result.
    @Test func progressOnlyOnATerminal() {
        let ws = Workspace()
        let file = ws.file("clip.bin", bytes: randomBytes(24 << 20, seed: 3))
        let args = ["ingest", file, "--title", "Clip", "--kind", "video_clip", "--lang", "vi", "--unit", "00004"]
        let piped = ws.run(args, env: ["KHO_PROGRESS_DELAY": "0"])
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("ETA") && !piped.stderr.contains("\r"))
        // `script` gives kho a pseudo-terminal.
        let command = ([Kho.binary, "verify"]).map { "'\($0)'" }.joined(separator: " ")
        let tty = ws.run(executable: "/usr/bin/script", ["-qec", command, "/dev/null"],
                         env: ["KHO_STORAGE": ws.archive, "KHO_PROGRESS_DELAY": "0"])
        #expect(tty.status == 0, "\(tty.out)")
        #expect(tty.out.contains("verifying") && tty.out.contains("ETA") && tty.out.contains("/s"), "\(tty.out)")
    }

    /// Export, bundle verify and bundle import draw a bar (bytes, rate, ETA) on a terminal and
    /// stay quiet in a pipe.
    @Test func exchangeShowsProgressOnlyOnATerminal() {
        let ws = Workspace()
        let file = ws.file("clip.bin", bytes: randomBytes(8 << 20, seed: 4))
        #expect(ws.run(["ingest", file, "--title", "Clip", "--kind", "video_clip", "--lang", "vi", "--unit", "00004"]).status == 0)
        let quiet = ["KHO_PROGRESS_DELAY": "0"]
        let bag = "\(ws.path)/bag.tar"
        let piped = [ws.run(["export", "-o", bag], env: quiet), ws.run(["bundle", "verify", bag], env: quiet)]
        for run in piped {
            #expect(run.status == 0, "\(run.stderr)")
            #expect(!run.stderr.contains("ETA") && !run.stderr.contains("\r"), "\(run.stderr)")
        }
        func onTerminal(_ args: [String], storage: String) -> (status: Int32, out: String) {
            let command = ([Kho.binary] + args).map { "'\($0)'" }.joined(separator: " ")
            let r = ws.run(executable: "/usr/bin/script", ["-qec", command, "/dev/null"], env: ["KHO_STORAGE": storage, "KHO_PROGRESS_DELAY": "0"])
            return (r.status, r.out)
        }
        let second = "\(ws.path)/second-bag.tar"
        #expect(ws.run(["init", "\(ws.path)/province"], storage: false).status == 0)
        let steps: [(args: [String], storage: String, label: String)] = [
            (["export", "-o", second], ws.archive, "exporting"),
            (["bundle", "verify", second], ws.archive, "checking"),
            (["bundle", "import", second], "\(ws.path)/province", "unpacking"),
        ]
        for step in steps {
            let r = onTerminal(step.args, storage: step.storage)
            #expect(r.status == 0, "\(step.args): \(r.out)")
            #expect(r.out.contains(step.label) && r.out.contains("ETA") && r.out.contains("/s") && r.out.contains("\r"), "\(step.args): \(r.out)")
        }
        #expect(ws.run(["list", "--json"], env: ["KHO_STORAGE": "\(ws.path)/province"]).array.count == 1)
    }
}

@Suite struct MediaTypeCorpusTests {
    /// Our media types agree with libmagic (`file --mime-type`) on the real samples we claim to know.
    @Test func mediaTypesAgreeWithLibmagic() throws {
        let corpus = try SharedTestData.require("media-corpora/exiftool-t-images").path
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus).sorted()
        let claimed: Set<String> = ["jpg", "png", "gif", "tif", "pdf", "mov", "wav", "mp3", "flac", "ogg", "webp", "mkv", "avi", "aif", "bmp", "psd", "jp2", "mp4", "m4a"]
        let files = names.filter { claimed.contains(($0 as NSString).pathExtension.lowercased()) }
        #expect(files.count > 50)
        let ws = Workspace()
        let r = ws.run(["ingest"] + files.map { "\(corpus)/\($0)" } + ["--title", "Mẫu", "--kind", "photo", "--lang", "vi", "--unit", "00004", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let stored = r.object["files"] as? [[String: Any]] ?? []
        var disagreements: [String] = []
        for file in stored {
            let name = file["name"] as? String ?? ""
            let magic = ws.run(executable: "/usr/bin/file", ["-b", "--mime-type", "\(corpus)/\(name)"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
            if magic != file["mediaType"] as? String { disagreements.append("\(name): kho \(file["mediaType"] ?? "") vs libmagic \(magic)") }
        }
        #expect(disagreements.isEmpty, "\(disagreements)")
    }
}

@Suite struct ConcurrencyTests {
    /// Two kho processes ingesting into one archive at the same time, some bytes shared.
    @Test func twoProcessesIngestSideBySide() throws {
        let ws = Workspace()
        for i in 0..<40 { ws.file("a/\(i).bin", bytes: randomBytes(20_000 + i, seed: UInt64(i))) }
        for i in 0..<40 { ws.file("b/\(i).bin", bytes: randomBytes(20_000 + i, seed: UInt64(i + (i % 2 == 0 ? 0 : 1000)))) }
        let script = """
            for n in $(seq 0 39); do "$KHO" ingest "$1/$n.bin" --title "$1 $n" --kind photo --lang vi --unit 00004 >/dev/null || exit 1; done
            """
        let processes = ["a", "b"].map { folder -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["-c", script, "bash", "\(ws.path)/\(folder)"]
            p.environment = ["KHO": Kho.binary, "KHO_STORAGE": ws.archive, "PATH": "/usr/bin:/bin"]
            p.standardError = FileHandle.nullDevice
            return p
        }
        for p in processes { try p.run() }
        for p in processes { p.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == [0, 0])
        #expect(ws.run(["list", "--json"]).array.count == 80)
        // Even-numbered files are identical in a/ and b/: 40 + 20 distinct blobs.
        let verify = ws.run(["verify", "--json"])
        #expect(verify.object["checkedBlobs"] as? Int == 60)
        #expect(verify.object["intact"] as? Bool == true)
    }
}
