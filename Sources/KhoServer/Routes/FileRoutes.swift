// A stored file, downloaded or shown: only from a product the user may see; byte ranges for
// players (206, suffix ranges, 416 with `bytes */N`, If-Range); the SHA-256 as a strong ETag.
// Anything a browser could run (HTML, SVG, XML, scripts) is an attachment, and what is shown
// inline runs under a policy without script, so an uploaded file never acts in Kho's origin.
import HTTPTypes
import Hummingbird
import KhoCore
import KhoPlatform
import KhoStore

struct FileRoutes {
    let state: ServerState

    func add(to router: Router<KhoContext>) {
        router.get("/products/{id}/files/{n}") { request, context in try await file(request, context) }
        // The same for machines with an API token (the download address harvesters are given).
        router.get("/api/v1/products/{id}/files/{n}") { request, context in try await file(request, context) }
    }

    /// Types shown in the browser (images, sound, video, PDF, plain text); everything else is downloaded.
    static func inline(_ type: String) -> Bool {
        let t = String(type.lowercased().prefix { $0 != ";" }).trimmingWhitespace()
        if t == "image/svg+xml" { return false }
        return t.hasPrefix("image/") || t.hasPrefix("audio/") || t.hasPrefix("video/") || t == "application/pdf" || t == "text/plain"
    }

    func file(_ request: Request, _ context: KhoContext) async throws -> Response {
        guard let session = context.session else { throw KhoError(.notAuthenticated, "log in first") }
        let notFound = KhoError(.unknownFile, "Không có tệp này, hoặc nó nằm ngoài phạm vi của bạn.")
        guard Permissions.allows(session.user.role, .download), let idText = context.parameters.get("id"),
              case .success(let id) = ProductID.parse(idText), let n = context.parameters.get("n").flatMap(Int.init) else { throw notFound }
        let visibility = ProductRoutes.visibility(session)
        guard let (file, path) = try await state.run({ archive throws(KhoError) in try archive.storedFile(id, n: n, as: visibility) }) else {
            throw notFound
        }
        let etag = "\"\(file.sha256)\""
        let shown = Self.inline(file.mediaType)
        let headers: HTTPFields = [
            .cacheControl: "private, no-store",
            .contentType: shown ? String(file.mediaType.prefix { $0 != ";" }) : "application/octet-stream",
            .contentDisposition: Self.disposition(shown ? "inline" : "attachment", name: file.name.display),
            // No script, no plugins, no forms; PDFs need the browser's viewer, which a sandbox blocks.
            .contentSecurityPolicy: "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'" + (file.mediaType.hasPrefix("application/pdf") ? "" : "; sandbox"),
        ]
        return try await Self.serve(request, context, path: path, size: file.size, etag: etag, headers: headers)
    }

    /// The file at `path` (`size` bytes, strong `etag`) with `headers`: 304 for a matching
    /// If-None-Match, byte ranges (206, suffix ranges, 416 with `bytes */N`), If-Range.
    static func serve(_ request: Request, _ context: KhoContext, path: HostPath, size: Int64, etag: String, headers: HTTPFields) async throws -> Response {
        var headers = headers
        headers[.eTag] = etag
        headers[.acceptRanges] = "bytes"
        if request.headers[.ifNoneMatch]?.split(separator: ",").contains(where: { String($0).trimmingWhitespace() == etag || String($0).trimmingWhitespace() == "*" }) == true {
            return Response(status: .notModified, headers: headers)
        }
        var range = ByteRange.parse(request.headers[.range], size: size)
        if let ifRange = request.headers[.ifRange], ifRange.trimmingWhitespace() != etag { range = .whole }
        switch range {
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(size)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        case .whole:
            if request.method == .head || size == 0 {
                headers[.contentLength] = String(size)
                return Response(status: .ok, headers: headers)
            }
            let body = try await FileIO().loadFile(path: path.description, range: 0...Int(size - 1), context: context)
            return Response(status: .ok, headers: headers, body: body)
        case .part(let bytes):
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"
            if request.method == .head {
                headers[.contentLength] = String(bytes.count)
                return Response(status: .partialContent, headers: headers)
            }
            let body = try await FileIO().loadFile(path: path.description, range: Int(bytes.lowerBound)...Int(bytes.upperBound), context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        }
    }

    /// `inline; filename="ASCII fallback"; filename*=UTF-8''percent-encoded` (RFC 6266).
    static func disposition(_ kind: String, name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" && $0.value != 0x7F ? Character($0) : "_" })
        return "\(kind); filename=\"\(ascii)\"; filename*=UTF-8''\(ProductRoutes.percent(name))"
    }
}
