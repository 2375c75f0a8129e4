// Operations from async code, as the server will call them: on the blocking pool, and files
// arriving as streams of chunks.
import Crypto
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform
import KhoTesting
import Testing

/// Chunks made one at a time, only when asked for: memory holds one chunk, not the file.
struct GeneratedStream: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    var chunks: Int
    var chunkSize: Int
    /// Throw after this many chunks (a client that goes away).
    var failAfter: Int?

    struct ClientGone: Error {}

    struct AsyncIterator: AsyncIteratorProtocol {
        var stream: GeneratedStream
        var index = 0
        mutating func next() async throws -> [UInt8]? {
            if let failAfter = stream.failAfter, index == failAfter { throw ClientGone() }
            guard index < stream.chunks else { return nil }
            defer { index += 1 }
            return GeneratedStream.chunk(index, size: stream.chunkSize)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }

    /// Each chunk different, cheap to make (the test is about the store, not the generator).
    static func chunk(_ index: Int, size: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: index &* 31 &+ 7), count: size)
        withUnsafeBytes(of: UInt64(index).bigEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        return bytes
    }

    /// The SHA-256 of the whole stream, computed the same way.
    var sha256: String {
        var hasher = SHA256()
        for i in 0..<chunks { hasher.update(data: Self.chunk(i, size: chunkSize)) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

@Suite struct AsyncOperationTests {
    @Test func operationsRunOnTheBlockingPool() async throws {
        let office = try Office()
        let put = try await office.session.perform(Ingest(metadata: Office.metadata("Bài A"), files: [office.file("a.txt", "A")], jobs: 1))
        #expect(put.stored)
        let verified = try await office.session.perform(Verify(jobs: 1))
        #expect(verified.intact && verified.checkedBlobs == 1)
        let units = try await SearchUnits(text: "truc bach").perform()
        #expect(!units.isEmpty)
        await #expect(throws: KhoError.self) { try await office.session.perform(Show(id: try ProductID.parse("0000-0000-0000-0000").get())) }
    }

    @Test func aStreamedFileIsStoredAsItArrives() async throws {
        let office = try Office()
        let stream = GeneratedStream(chunks: 320, chunkSize: 64 << 10)   // 20 MiB in 64 KiB chunks
        let put = try await office.session.ingest(Office.metadata("Phóng sự"), uploads: [Upload(fileName: "phóng-sự.bin", bytes: stream)])
        #expect(put.stored && put.product.files.count == 1)
        #expect(put.product.files[0].sha256 == stream.sha256 && put.product.files[0].size == 320 << 16)
        #expect(put.product.files[0].name == "phóng-sự.bin" && put.bytesStored == 320 << 16)
        #expect(filesUnder("\(office.archivePath)/tmp").isEmpty, "no copy of the upload is left behind")
        // The same bytes again under another title: stored once, the product shares them.
        let again = try await office.session.ingest(Office.metadata("Phóng sự (bản 2)"), uploads: [Upload(fileName: "copy.bin", bytes: stream)])
        #expect(again.stored && again.bytesStored == 0)
        #expect(try Verify(jobs: 1).run(in: office.session).intact)
    }

    @Test func aStreamThatStopsOrIsTooLargeStoresNothing() async throws {
        let office = try Office()
        let broken = GeneratedStream(chunks: 100, chunkSize: 4096, failAfter: 10)
        await #expect { try await office.session.ingest(Office.metadata("Cắt ngang"), uploads: [Upload(fileName: "a.bin", bytes: broken)]) } throws: {
            ($0 as? KhoError)?.code == .uploadInterrupted
        }
        let large = GeneratedStream(chunks: 100, chunkSize: 4096)
        await #expect { try await office.session.ingest(Office.metadata("Quá lớn"), uploads: [Upload(fileName: "b.bin", bytes: large)], maxBytesPerFile: 100_000) } throws: {
            ($0 as? KhoError)?.code == .payloadTooLarge && ($0 as? KhoError)?.code.httpStatus == 413
        }
        // The first file arrived whole, the second stopped: the first is not left behind either.
        let good = GeneratedStream(chunks: 10, chunkSize: 4096)
        await #expect { try await office.session.ingest(Office.metadata("Hai tệp"), uploads: [Upload(fileName: "a.bin", bytes: good), Upload(fileName: "b.bin", bytes: broken)]) } throws: {
            ($0 as? KhoError)?.code == .uploadInterrupted
        }
        #expect(try ListProducts(filter: ProductFilter()).run(in: office.session).total == 0)
        #expect(filesUnder("\(office.archivePath)/blobs").isEmpty && filesUnder("\(office.archivePath)/tmp").isEmpty)
    }

    @Test func scansAttachedAsStreamsDigitizeARegisteredProduct() async throws {
        let office = try Office()
        let registered = try Register(metadata: Office.metadata("Tờ gấp", kind: "leaflet")).run(in: office.session)
        let id = try ProductID.parse(registered.product.id).get()
        let scan = GeneratedStream(chunks: 3, chunkSize: 10_000)
        let attached = try await office.session.attach(id, uploads: [Upload(fileName: "scan.pdf", bytes: scan)],
                                                       digitizedOn: try CalendarDate.parse("2025-02-01").get())
        #expect(attached.product.digitized && attached.product.digitizedOn == "2025-02-01" && attached.product.digitizationMethod == "scan")
        // A born-digital product cannot be "digitized": refused before a byte is read.
        let born = try office.ingest("Bài A", "A")
        let never = GeneratedStream(chunks: 1, chunkSize: 10, failAfter: 0)
        await #expect { try await office.session.attach(try ProductID.parse(born.product.id).get(), uploads: [Upload(fileName: "x", bytes: never)],
                                                        digitizedOn: try CalendarDate.parse("2025-02-01").get()) } throws: {
            ($0 as? KhoError)?.code == .notPhysical
        }
    }
}
