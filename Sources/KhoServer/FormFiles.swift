// A form that carries its files (multipart/form-data): what the browser sends when a clerk
// chooses files without JavaScript. The fields are kept; each file streams into the upload
// area as a complete upload of the user, hashed on the way, memory flat, exactly as if it had
// come through tus, so the routes save it the same way. The form's security token must be its
// first part: nothing is written before it is checked.
import Foundation
import Hummingbird
import KhoCore
import KhoPlatform
import KhoStore

struct FormWithFiles {
    var pairs: [(String, String)]
    /// The files of the form, as complete uploads of the user.
    var uploads: [UploadRecord]

    /// Addresses whose forms may carry files; the token of any other multipart body is never read.
    static func takesFiles(_ path: String) -> Bool {
        path == "/products/new" || (path.hasPrefix("/products/") && path.hasSuffix("/attach") && path.utf8.count < 64)
    }

    static func isMultipart(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true
    }

    /// The uploads a form names (`upload` fields, from the script) and carries, in the form's
    /// order (a scanned booklet's pages stay in order), each once.
    static func uploadIDs(_ pairs: [(String, String)], _ carried: [UploadRecord]) -> [String] {
        var seen: Set<String> = []
        return (pairs.filter { $0.0 == "upload" }.map(\.1).filter(UploadRecord.isValidID) + carried.map(\.id)).filter { seen.insert($0).inserted }
    }

    /// Removes the files this form carried (when the request fails and nobody will see them again).
    func forget(_ state: ServerState) async {
        let ids = uploads.map(\.id), area = state.uploads
        if !ids.isEmpty { try? await state.pool.run { ids.forEach(area.remove) } }
    }

    /// Most files one form may carry.
    static let maxFiles = 100

    /// The form of `request`: a plain form's fields, or a multipart form's fields and files.
    static func read(_ request: Request, context: KhoContext, session: StoredSession, state: ServerState) async throws -> FormWithFiles {
        guard isMultipart(request) else { return FormWithFiles(pairs: try await Forms.readPairs(request, context: context), uploads: []) }
        guard let parser = MultipartParser(contentType: request.headers[.contentType] ?? "") else {
            throw KhoError(.usage, "Biểu mẫu gửi lên không đúng dạng multipart/form-data (thiếu boundary).")
        }
        // The files together may be as large as one upload: refused before any byte is read.
        let limit = state.options.maxUploadBytes + (1 << 20)
        let announced = request.headers[.contentLength].flatMap(Int64.init)
        if let announced, announced > limit {
            throw KhoError(.payloadTooLarge, Lang.pick("Các tệp gửi kèm biểu mẫu nặng \(VietnameseFormat.bytes(announced)); mỗi lần gửi tối đa \(VietnameseFormat.bytes(state.options.maxUploadBytes)) tất cả (tệp lớn hơn: bật JavaScript để tải lên từng phần, hoặc dùng dòng lệnh). Chưa lưu gì.",
                                                         "The files sent with this form weigh \(VietnameseFormat.bytes(announced)); a form takes at most \(VietnameseFormat.bytes(state.options.maxUploadBytes)) in all (larger files: turn JavaScript on to upload them in parts, or use the command line). Nothing was stored."))
        }
        let intake = FormIntake(parser: parser, csrf: session.csrf, uploads: state.uploads, owner: session.user.name, now: state.now(),
                                lifetime: state.options.uploadLifetimeSeconds, bound: min(announced ?? limit, limit), limit: limit)
        let pool = state.pool
        do {
            var batch: [ByteBuffer] = []
            var batched = 0
            for try await buffer in request.body {
                batch.append(buffer)
                batched += buffer.readableBytes
                if batched >= 256 << 10 {
                    let full = batch
                    try await pool.run { () throws(KhoError) in try intake.take(full) }
                    batch = []
                    batched = 0
                }
            }
            let last = batch
            try await pool.run { () throws(KhoError) in
                try intake.take(last)
                try intake.finish()
            }
        } catch {
            try? await pool.run { intake.discard() }
            if let error = error as? KhoError { throw error }
            throw KhoError(.uploadInterrupted, "Biểu mẫu bị ngắt giữa chừng khi đang gửi tệp; chưa lưu gì, hãy gửi lại.")
        }
        return FormWithFiles(pairs: intake.pairs, uploads: intake.finished)
    }
}

/// One multipart body being taken in: used by one task at a time (on the pool).
final class FormIntake: @unchecked Sendable {
    private var parser: MultipartParser
    private let csrf: String
    private let uploads: UploadArea
    private let owner: String
    private let now: Double
    private let lifetime: Double
    private let bound: Int64
    private let limit: Int64
    private var received: Int64 = 0
    /// The body's bytes before the chunk being parsed: what is still to come is at most `bound` less this.
    private var before: Int64 = 0
    private var checked = false
    private var seenParts = 0
    /// The part being read: a field's name and bytes, or a file's writer (nil for an empty file input).
    private var field: (name: String, bytes: [UInt8])?
    private var writer: UploadWriter?
    private var fieldBytes = 0
    private(set) var pairs: [(String, String)] = []
    private(set) var finished: [UploadRecord] = []
    private var started: [String] = []

    init(parser: MultipartParser, csrf: String, uploads: UploadArea, owner: String, now: Double, lifetime: Double, bound: Int64, limit: Int64) {
        self.parser = parser
        self.csrf = csrf
        self.uploads = uploads
        self.owner = owner
        self.now = now
        self.lifetime = lifetime
        self.bound = bound
        self.limit = limit
    }

    static let maxFieldBytes = 64 * 1024
    /// Most parts that are not files (a form has a few dozen fields).
    static let maxFields = 500

    func take(_ buffers: [ByteBuffer]) throws(KhoError) {
        for buffer in buffers {
            before = received
            received += Int64(buffer.readableBytes)
            guard received <= limit else {
                throw KhoError(.payloadTooLarge, Lang.pick("Các tệp gửi kèm biểu mẫu nặng hơn \(VietnameseFormat.bytes(limit)) tất cả (tối đa); chưa lưu gì.",
                                                           "The files sent with this form weigh more than \(VietnameseFormat.bytes(limit)) in all (the most); nothing was stored."))
            }
            var events: [MultipartEvent] = []
            var failure: KhoError?
            buffer.withUnsafeReadableBytes { bytes in
                do throws(KhoError) { events = try parser.feed(bytes) } catch { failure = error }
            }
            if let failure { throw failure }
            for event in events { try apply(event) }
        }
    }

    private func apply(_ event: MultipartEvent) throws(KhoError) {
        switch event {
        case .begin(let name, let fileName, _):
            seenParts += 1
            // Names count toward the fields' bytes, parts toward their number: many empty parts
            // with long names cannot grow memory without bound.
            fieldBytes += name.utf8.count + (fileName?.count ?? 0)
            guard fieldBytes <= Self.maxFieldBytes, seenParts - finished.count - started.count <= Self.maxFields else {
                throw KhoError(.payloadTooLarge, "Biểu mẫu có quá nhiều ô hoặc ô quá dài; chưa lưu gì.")
            }
            // The token comes first (browsers send a form's fields in their order on the page).
            guard checked || (seenParts == 1 && name == "csrf" && fileName == nil) else { throw Self.badToken }
            if let fileName {
                guard !fileName.isEmpty else { return }  // a file input left empty
                guard finished.count + started.count < FormWithFiles.maxFiles else {
                    throw KhoError(.payloadTooLarge, Lang.pick("Mỗi lần gửi tối đa \(FormWithFiles.maxFiles) tệp; chưa lưu gì.", "A form takes at most \(FormWithFiles.maxFiles) files; nothing was stored."))
                }
                let id = Tokens.hex()
                // The space promised to it: at most what is still to come of the body.
                _ = try uploads.create(id: id, owner: owner, length: max(0, bound - before), metadata: "", fileName: fileName, now: now, lifetime: lifetime)
                started.append(id)
                writer = try uploads.startWriting(id, owner: owner, offset: 0, expectedChecksum: nil, now: now, lifetime: lifetime)
            } else {
                field = (name, [])
            }
        case .bytes(let bytes):
            if let writer {
                var failure: KhoError?
                bytes.withUnsafeBytes { raw in
                    do throws(KhoError) { try writer.write(raw) } catch { failure = error }
                }
                if let failure { throw failure }
            } else if field != nil {
                fieldBytes += bytes.count
                guard fieldBytes <= Self.maxFieldBytes else {
                    throw KhoError(.payloadTooLarge, Lang.pick("Các ô của biểu mẫu dài quá \(Self.maxFieldBytes / 1024) KB; chưa lưu gì.", "The form's fields are longer than \(Self.maxFieldBytes / 1024) KB; nothing was stored."))
                }
                field?.bytes.append(contentsOf: bytes)
            }
        case .end:
            if let writer {
                // Forgotten before it finishes: a writer that failed to finish is closed already.
                self.writer = nil
                finished.append(try writer.finishWhole())
                started.removeAll { $0 == writer.record.id }
            } else if let field {
                let value = String(decoding: field.bytes, as: UTF8.self)
                if !checked {
                    guard Tokens.equal(value, csrf), !csrf.isEmpty else { throw Self.badToken }
                    checked = true
                }
                pairs.append((field.name, value))
                self.field = nil
            }
        }
    }

    static let badToken = KhoError(.forbidden, "Biểu mẫu thiếu mã bảo mật hoặc mã đã cũ: hãy tải lại trang rồi gửi lại.")

    func finish() throws(KhoError) {
        try parser.finish()
        guard checked else { throw Self.badToken }
    }

    /// Removes every file this form stored: a form that failed keeps nothing.
    func discard() {
        if let writer { _ = writer.stop() }
        writer = nil
        for id in started + finished.map(\.id) { uploads.remove(id) }
        started = []
        finished = []
    }
}
