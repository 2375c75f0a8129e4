// One log line per request, with the request ID the response also carries (X-Request-ID), so a
// clerk's report of a failure can be found in the log.
import Foundation
import HTTPTypes
import Hummingbird
import Logging

struct RequestLog<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let id = context.id
        func line(_ status: Int) {
            let ms = (ContinuousClock.now - started).components
            let millis = Double(ms.seconds) * 1000 + Double(ms.attoseconds) / 1e15
            context.logger.info("\(request.method) \(request.uri.path) \(status) \(String(format: "%.1f", millis)) ms")
        }
        do {
            var response = try await next(request, context)
            response.headers[HTTPField.Name("X-Request-ID")!] = id
            line(response.status.code)
            return response
        } catch {
            line((error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }
}
