// Resumable uploads, tus 1.0 (core, creation, termination, expiration, checksum with sha256),
// at /api/v1/uploads: for the browser's upload script (session cookie and CSRF header) and for
// API clients. Each upload belongs to the user who created it; anyone else gets 404. The size
// limit is refused at creation, before any byte is sent, and a PATCH announcing more bytes
// than the upload has left is refused before its body is read.
import Foundation
import HTTPTypes
import Hummingbird
import KhoCore
import KhoPlatform
import KhoStore
import NIOCore

struct UploadRoutes {
    let state: ServerState
    static let path = "/api/v1/uploads"

    func add(to router: Router<KhoContext>) {
        router.on(RouterPath(Self.path), method: .options) { _, _ in options() }
        router.post(RouterPath(Self.path)) { request, context in try await Self.tus { try await create(request, context) } }
        router.head("\(Self.path)/{id}") { request, context in try await Self.tus { try await head(request, context) } }
        router.patch("\(Self.path)/{id}") { request, context in try await Self.tus { try await patch(request, context) } }
        router.delete("\(Self.path)/{id}") { request, context in try await Self.tus { try await delete(request, context) } }
    }

    static let resumable = HTTPField.Name("Tus-Resumable")!
    static let uploadLength = HTTPField.Name("Upload-Length")!
    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let uploadMetadata = HTTPField.Name("Upload-Metadata")!
    static let uploadExpires = HTTPField.Name("Upload-Expires")!
    static let uploadChecksum = HTTPField.Name("Upload-Checksum")!
    static let uploadDeferLength = HTTPField.Name("Upload-Defer-Length")!
    static let sha256Header = HTTPField.Name("Kho-Sha256")!
    static let alreadyIn = HTTPField.Name("Kho-Already-In")!

    /// Every answer, errors included, says which tus it speaks.
    static func tus(_ body: () async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await body()
        } catch let error as KhoError where error.code.httpStatus < 500 {
            let json = (try? JSONEncoder().encode(["error": ["code": error.code.rawValue, "message": error.message]])) ?? Data("{}".utf8)
            response = Response(status: .init(code: error.code.httpStatus), headers: [.contentType: "application/json; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(bytes: json)))
            if error.code == .unsupportedVersion { response.headers[HTTPField.Name("Tus-Version")!] = Tus.version }
        }
        response.headers[resumable] = Tus.version
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// A header's value, or a 400 saying what was expected.
    static func checked<T>(_ result: Result<T, Problem>) throws(KhoError) -> T {
        switch result {
        case .success(let value): return value
        case .failure(let problem): throw KhoError(problem.code, "\(problem.field): '\(problem.value)' is not \(problem.expected)")
        }
    }

    func options() -> Response {
        Response(status: .noContent, headers: [
            Self.resumable: Tus.version, HTTPField.Name("Tus-Version")!: Tus.version, HTTPField.Name("Tus-Extension")!: Tus.extensions,
            HTTPField.Name("Tus-Max-Size")!: String(state.options.maxUploadBytes),
            HTTPField.Name("Tus-Checksum-Algorithm")!: Tus.checksumAlgorithms,
        ])
    }

    /// The logged-in user, allowed to put files into the archive, speaking tus 1.0.0.
    func uploader(_ request: Request, _ context: KhoContext) throws -> StoredSession {
        guard let session = context.session else { throw KhoError(.notAuthenticated, "log in first") }
        guard let version = request.headers[Self.resumable] else {
            throw KhoError(.usage, "a tus request carries Tus-Resumable: \(Tus.version)")
        }
        guard version == Tus.version else {
            throw KhoError(.unsupportedVersion, "this server speaks tus \(Tus.version) (send Tus-Resumable: \(Tus.version))")
        }
        guard Permissions.allows(session.user.role, .create) || Permissions.allows(session.user.role, .attach) else {
            throw KhoError(.forbidden, "your role does not put files into the archive")
        }
        return session
    }

    func create(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try uploader(request, context)
        if request.headers[Self.uploadDeferLength] != nil {
            throw KhoError(.usage, "Upload-Defer-Length is not supported: send Upload-Length, the file's size in bytes")
        }
        let length = try Self.checked(Tus.count(request.headers[Self.uploadLength], field: "Upload-Length"))
        let limit = state.options.maxUploadBytes
        guard length <= limit else {
            throw KhoError(.payloadTooLarge, "the file is \(Formatting.bytes(length)); this archive takes files of at most \(Formatting.bytes(limit)) — nothing was sent")
        }
        let rawMetadata = request.headers[Self.uploadMetadata] ?? ""
        let metadata = try Self.checked(Tus.metadata(rawMetadata))
        let (uploads, now, lifetime) = (state.uploads, state.now(), state.options.uploadLifetimeSeconds)
        state.cleanUpNowAndThen()
        let (owner, id) = (session.user.name, Tokens.hex())
        let record = try await state.pool.run { () throws(KhoError) in
            try uploads.create(id: id, owner: owner, length: length, metadata: rawMetadata, fileName: UploadRecord.fileName(metadata), now: now, lifetime: lifetime)
        }
        return Response(status: .created, headers: [
            .location: "\(Self.path)/\(record.id)", Self.uploadExpires: Tus.httpDate(epochSeconds: record.expiresAt),
            Self.uploadOffset: "0",
        ])
    }

    func head(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try uploader(request, context)
        let (uploads, id, owner, now) = (state.uploads, context.parameters.get("id") ?? "", session.user.name, state.now())
        let record = try await state.pool.run { () throws(KhoError) in try uploads.record(id, owner: owner, now: now) }
        var headers: HTTPFields = [
            Self.uploadOffset: String(record.offset), Self.uploadLength: String(record.length),
            Self.uploadExpires: Tus.httpDate(epochSeconds: record.expiresAt),
        ]
        if !record.metadata.isEmpty { headers[Self.uploadMetadata] = record.metadata }
        try await describeComplete(record, session, into: &headers)
        return Response(status: .ok, headers: headers)
    }

    func patch(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try uploader(request, context)
        let type = request.headers[.contentType]?.lowercased().prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces)
        guard type == Tus.patchType else {
            throw KhoError(.unsupportedMediaType, "a chunk is sent as Content-Type: \(Tus.patchType)")
        }
        let offset = try Self.checked(Tus.count(request.headers[Self.uploadOffset], field: "Upload-Offset"))
        let checksum = try Self.checked(Tus.checksum(request.headers[Self.uploadChecksum]))
        let id = context.parameters.get("id") ?? ""
        let (uploads, owner, now, lifetime) = (state.uploads, session.user.name, state.now(), state.options.uploadLifetimeSeconds)
        let record = try await state.pool.run { () throws(KhoError) in try uploads.record(id, owner: owner, now: now) }
        guard offset == record.offset else {
            throw KhoError(.offsetMismatch, "the upload is at byte \(record.offset), not \(offset); continue from byte \(record.offset)")
        }
        if let announced = request.headers[.contentLength].flatMap(Int64.init), announced > record.length - offset {
            throw KhoError(.payloadTooLarge, "this chunk of \(announced) bytes at byte \(offset) goes past the upload's length (\(record.length)); nothing was stored")
        }
        let writer = try await state.pool.run { () throws(KhoError) in
            try uploads.startWriting(id, owner: owner, offset: offset, expectedChecksum: checksum, now: now, lifetime: lifetime)
        }
        let result = await Self.receive(request.body, into: writer, pool: state.pool)
        let done = try result.get()
        var headers: HTTPFields = [Self.uploadOffset: String(done.offset), Self.uploadExpires: Tus.httpDate(epochSeconds: done.expiresAt)]
        try await describeComplete(done, session, into: &headers)
        return Response(status: .noContent, headers: headers)
    }

    /// Streams the body into the writer on the pool's threads. A body that breaks off keeps
    /// what arrived (unless a checksum must be met); an error of the archive stops at once.
    static func receive(_ body: RequestBody, into writer: UploadWriter, pool: BlockingPool) async -> Result<UploadRecord, KhoError> {
        // The body's buffers (tens of KB each) go to the pool a quarter megabyte at a time: one hop
        // between threads per batch, not per buffer.
        func write(_ batch: [ByteBuffer]) async throws(KhoError) {
            try await pool.run { () throws(KhoError) in
                var failure: KhoError?
                Self.withBytes(of: batch[...], []) { chunks in
                    do throws(KhoError) { try writer.write(batch: chunks) } catch { failure = error }
                }
                if let failure { throw failure }
            }
        }
        // One batch is written while the next is received: the line and the disk work at once.
        var pending: Task<Result<Void, KhoError>, Never>?
        func submit(_ batch: [ByteBuffer]) async throws(KhoError) {
            if let pending { try await pending.value.get() }
            pending = Task {
                do throws(KhoError) { try await write(batch) } catch { return .failure(error) }
                return .success(())
            }
        }
        do {
            var batch: [ByteBuffer] = []
            var batched = 0
            for try await buffer in body {
                batch.append(buffer)
                batched += buffer.readableBytes
                if batched >= 256 << 10 {
                    try await submit(batch)
                    batch = []
                    batched = 0
                }
            }
            if !batch.isEmpty { try await submit(batch) }
            if let pending { try await pending.value.get() }
        } catch {
            if let pending { _ = await pending.value }
            let stopped = (try? await pool.run { writer.stop() }) ?? writer.record
            if let error = error as? KhoError { return .failure(error) }
            return .failure(KhoError(.uploadInterrupted, "the chunk broke off at byte \(stopped.offset); continue from there"))
        }
        let finished = try? await pool.run { () -> Result<UploadRecord, KhoError> in
            do throws(KhoError) { return .success(try writer.finish()) } catch { return .failure(error) }
        }
        return finished ?? .failure(KhoError(.internal, "the upload could not be finished"))
    }

    /// The bytes of every buffer of `buffers` at once, in order (each pointer valid inside `body` only).
    static func withBytes(of buffers: ArraySlice<ByteBuffer>, _ gathered: [UnsafeRawBufferPointer], _ body: ([UnsafeRawBufferPointer]) -> Void) {
        guard let first = buffers.first else { return body(gathered) }
        first.withUnsafeReadableBytes { bytes in withBytes(of: buffers.dropFirst(), gathered + [bytes], body) }
    }

    /// A complete upload's SHA-256, and the products the user can see that already hold it.
    func describeComplete(_ record: UploadRecord, _ session: StoredSession, into headers: inout HTTPFields) async throws {
        guard record.isComplete, let sha256 = record.sha256 else { return }
        headers[Self.sha256Header] = sha256
        let visibility = ProductRoutes.visibility(session)
        let holders = try await state.run { archive throws(KhoError) in try archive.holders(sha256: sha256, as: visibility) }
        if !holders.isEmpty { headers[Self.alreadyIn] = holders.map(\.id.description).joined(separator: ", ") }
    }

    func delete(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try uploader(request, context)
        let id = context.parameters.get("id") ?? ""
        let (uploads, owner, now) = (state.uploads, session.user.name, state.now())
        try await state.pool.run { () throws(KhoError) in try uploads.cancel(id, owner: owner, now: now) }
        return Response(status: .noContent)
    }
}
