// Errors leave as a page a clerk can read (Vietnamese) or, under /api/, as
// {"error": {"code", "message"}}; with the status their code says. Never a stack trace or a
// Swift type name: anything unexpected is logged with the request ID and answered 500.
import Foundation
import Hummingbird
import KhoCore
import KhoOperations
import Logging

struct ErrorPages: RouterMiddleware {
    typealias Context = KhoContext
    let pages: Pages

    func handle(_ request: Request, context: KhoContext, next: (Request, KhoContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as KhoError {
            let status = error.code.httpStatus
            guard status < 500 else {
                // The machine's trouble (a locked or damaged catalog, a full disk): its details,
                // paths included, go to the log, not to whoever asked.
                context.logger.error("\(error.code.rawValue): \(error.message)\(error.causeText.map { " (\($0))" } ?? "")")
                let message = error.code == .archiveLocked ? "Kho đang bận với một việc khác (nhập hoặc xuất dữ liệu). Hãy thử lại sau ít phút."
                    : Lang.pick("Kho không thực hiện được yêu cầu này lúc này; không có gì bị thay đổi. Mã yêu cầu: \(context.id)",
                                "Kho cannot carry out this request now; nothing was changed. Request ID: \(context.id)")
                return answer(request, context, status: status, code: error.code.rawValue, message: message)
            }
            return answer(request, context, status: status, code: error.code.rawValue, message: error.message, problems: error.problems)
        } catch let error as HTTPError {
            let code = error.status.code == 404 ? "not_found" : error.status.code == 405 ? "method_not_allowed" : "http_\(error.status.code)"
            var response = answer(request, context, status: error.status.code, code: code, message: Self.plain(error.status.code, error.body))
            for field in error.headers where response.headers[field.name] == nil { response.headers.append(field) }
            return response
        } catch {
            context.logger.error("unexpected error: \(String(reflecting: error))")
            return answer(request, context, status: 500, code: "internal",
                          message: Lang.pick("Kho gặp lỗi không mong đợi; không có gì bị thay đổi. Mã yêu cầu: \(context.id)",
                                             "Kho met an unexpected error; nothing was changed. Request ID: \(context.id)"))
        }
    }

    static func plain(_ status: Int, _ body: String?) -> String {
        switch status {
        case 404: "Không tìm thấy trang này."
        case 405: "Phương thức này không dùng được ở đây."
        case 413: "Dữ liệu gửi lên quá lớn."
        default: body ?? "Yêu cầu không thực hiện được."
        }
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var code: String, message: String
            /// Each field's problem, when the input had several (a product's metadata).
            var problems: [FieldProblem]?
        }
        struct FieldProblem: Encodable { var field: String, value: String, expected: String }
        var error: Detail
    }

    func answer(_ request: Request, _ context: KhoContext, status: Int, code: String, message: String, problems: [Problem] = []) -> Response {
        let wantsJSON = request.uri.path.hasPrefix("/api/") || request.uri.path == "/healthz"
        if wantsJSON {
            let fields = problems.isEmpty ? nil : problems.map { ErrorBody.FieldProblem(field: $0.field, value: $0.value, expected: $0.expected) }
            let body = (try? JSONEncoder().encode(ErrorBody(error: .init(code: code, message: message, problems: fields)))) ?? Data("{}".utf8)
            return Response(status: .init(code: status), headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        return pages.render("error", Pages.fields(context, ["status": status, "message": message, "request": context.id]), status: status,
                            title: Lang.pick("Lỗi \(status)", "Error \(status)"))
    }
}
