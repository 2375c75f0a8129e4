// Files that arrive as streams (an HTTP upload): each chunk is hashed and written into the
// archive's temporary area as it arrives, so memory stays flat whatever the file's size and
// no second copy of the bytes is made; the product is committed once every file is in.
import KhoCore
import KhoPlatform
import KhoStore

/// A piece of a stream: anything that can lend its bytes ([UInt8], a slice, a server's buffer).
public protocol ByteChunk: Sendable {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: ByteChunk where Element == UInt8 {}
extension ArraySlice: ByteChunk where Element == UInt8 {}

/// One file arriving as a stream of chunks, under the name the client gave it.
public struct Upload<Bytes: AsyncSequence & Sendable>: Sendable where Bytes.Element: ByteChunk {
    public var fileName: String
    public var bytes: Bytes

    public init(fileName: String, bytes: Bytes) {
        self.fileName = fileName
        self.bytes = bytes
    }
}

extension Session {
    /// `ingest` for streamed files. Each chunk is written as it arrives, and flushing and the
    /// catalog transaction follow, all on `pool`'s threads: the caller is suspended, never
    /// blocked. A stream that fails, or a file over `maxBytesPerFile`, stores nothing and leaves
    /// nothing behind.
    public func ingest<Bytes>(_ metadata: ProductInput, uploads: [Upload<Bytes>], maxBytesPerFile: Int64? = nil,
                              pool: BlockingPool = .shared) async throws(KhoError) -> PutDocument {
        let validated = try validate(metadata)
        let written = try await receive(uploads, maxBytesPerFile: maxBytesPerFile, pool: pool)
        let archive = self.archive
        let result = try await pool.run { () throws(KhoError) in try archive.ingest(validated.value, written: written) }
        return document(result, warnings: validated.warnings)
    }

    /// `attach` for streamed files; refused before any byte is read when the attachment cannot be made.
    public func attach<Bytes>(_ id: ProductID, uploads: [Upload<Bytes>], role: FileRole = .master, digitizedOn: CalendarDate? = nil,
                              method: DigitizationMethod? = nil, maxBytesPerFile: Int64? = nil,
                              pool: BlockingPool = .shared) async throws(KhoError) -> PutDocument {
        let archive = self.archive
        try await pool.run { () throws(KhoError) in try archive.checkAttach(id, role: role, digitizedOn: digitizedOn, method: method) }
        let written = try await receive(uploads, maxBytesPerFile: maxBytesPerFile, pool: pool)
        let result = try await pool.run { () throws(KhoError) in
            try archive.attach(id, written: written, role: role, digitizedOn: digitizedOn, method: method)
        }
        return document(result, warnings: [])
    }

    /// Writes every upload into the temporary area, one chunk at a time, and flushes each.
    private func receive<Bytes>(_ uploads: [Upload<Bytes>], maxBytesPerFile: Int64?,
                                pool: BlockingPool) async throws(KhoError) -> [WrittenBlob] {
        var written: [WrittenBlob] = []
        for upload in uploads {
            let writer = try archive.newBlobWriter(fileName: Array(upload.fileName.utf8), maxBytes: maxBytesPerFile)
            do {
                for try await chunk in upload.bytes {
                    // The write (into the page cache, with writeback started) runs on the pool too:
                    // the caller's thread only waits for the next chunk.
                    try await pool.run { () throws(KhoError) in
                        var failure: KhoError?
                        chunk.withUnsafeBytes { buffer in
                            do throws(KhoError) { try writer.write(buffer) } catch { failure = error }
                        }
                        if let failure { throw failure }
                    }
                }
            } catch let error as KhoError {
                throw error
            } catch {
                throw KhoError(.uploadInterrupted, "the upload of \(upload.fileName) stopped before its end; nothing was stored",
                               subject: .file(upload.fileName), cause: Underlying(error))
            }
            written.append(try await pool.run { () throws(KhoError) in try writer.finish() })
        }
        return written
    }
}

extension Session {
    /// A born-digital product whose files came as resumable uploads (`UploadArea.written`), by a
    /// user whose scope must hold its unit.
    public func ingest(_ metadata: ProductInput, written: [WrittenBlob], within visibility: Visibility) throws(KhoError) -> PutDocument {
        let validated = try validate(metadata)
        try checkScope(validated.value, visibility)
        let result = try archive.ingest(validated.value, written: written, within: visibility)
        return try scoped(document(result, warnings: validated.warnings), written: written, within: visibility)
    }

    /// What a user of a scope is told of a change: the store's notices name every product
    /// holding the same bytes, restricted or elsewhere, and its byte count gives away whether
    /// the bytes were held anywhere; here only products the user sees are named, and the bytes
    /// are counted as received.
    func scoped(_ document: PutDocument, written: [WrittenBlob], within visibility: Visibility) throws(KhoError) -> PutDocument {
        var out = document
        var notices: [String] = []
        for blob in written {
            for other in try archive.holders(sha256: blob.sha256, as: visibility) where other.id.description != document.product.id {
                notices.append("\(blob.name.display) has the same bytes as a file of \(other.id) '\(other.title)'")
            }
        }
        out.notices = notices
        out.bytesStored = written.reduce(0) { $0 + $1.size }
        return out
    }

    /// A physical product registered by a user whose scope must hold its unit.
    public func register(_ metadata: ProductInput, carrier: Carrier?, within visibility: Visibility) throws(KhoError) -> PutDocument {
        let validated = try validate(metadata)
        try checkScope(validated.value, visibility)
        return try Register(metadata: metadata, carrier: carrier).run(in: self)
    }

    func checkScope(_ m: ProductMetadata, _ visibility: Visibility) throws(KhoError) {
        guard archive.covers(m, visibility) else {
            throw KhoError(.forbidden, "unit \(m.unit.value) is outside your scope: you add products of your unit and the units under it",
                           problems: [Problem(code: .forbidden, field: "unit", value: m.unit.value, expected: "a unit of your scope")])
        }
    }
}

extension Session {
    /// Files from resumable uploads attached to a product the user may see and change (its unit
    /// in their scope); masters on a physical product make it digitized on `digitizedOn`.
    public func attach(_ id: ProductID, written: [WrittenBlob], role: FileRole, digitizedOn: CalendarDate?,
                       within visibility: Visibility) throws(KhoError) -> PutDocument {
        guard let product = try archive.product(id, as: visibility) else {
            throw KhoError(.unknownProduct, "no product \(id) in your scope")
        }
        try checkScope(product.metadata, visibility)
        let result = try archive.attach(id, written: written, role: role, digitizedOn: digitizedOn, method: nil)
        return try scoped(document(result, warnings: []), written: written, within: visibility)
    }
}

extension Session {
    /// A product's descriptive fields replaced from a form, by a user whose scope holds it before
    /// and after; `version` is the product's `updatedAt` when the form was shown: if anyone
    /// changed it since, nothing is written (`changedMeanwhile`, 409).
    public func edit(_ id: ProductID, to input: ProductInput, version: String, within visibility: Visibility) throws(KhoError) -> PutDocument {
        try change(id, to: input, version: version, within: visibility).document
    }

    /// `edit` for the API: `version` nil takes the product as it is (`If-Match: *`); with
    /// `overlay`, the fields `input` leaves out keep the values of the product read here (the
    /// one the version is checked against). Returns the version of the product as written.
    public func change(_ id: ProductID, to input: ProductInput, version: String?, within visibility: Visibility,
                       overlay: Bool = false, clearing: [ClearableField] = []) throws(KhoError) -> (document: PutDocument, version: String) {
        guard let current = try archive.product(id, as: visibility) else {
            throw KhoError(.unknownProduct, "no product \(id) in your scope")
        }
        try checkScope(current.metadata, visibility)
        if let version, Archive.version(of: current) != version {
            throw KhoError(.changedMeanwhile, "product \(id) was changed by someone else since you opened it; nothing was written")
        }
        let validated = try validate(overlay ? Edit.overlay(input, clearing: clearing, on: ProductInput(current.metadata)) : input)
        try checkScope(validated.value, visibility)
        let result = try archive.updateMetadata(id, from: current, to: validated.value, note: "web")
        return (document(result, warnings: validated.warnings), Archive.version(of: result.product))
    }
}
