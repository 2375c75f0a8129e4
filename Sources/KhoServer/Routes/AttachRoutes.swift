// Attaching files to a product from its page (the scan of a paper leaflet registered a week
// before): the user's complete uploads, claimed for this one save, become the product's files;
// masters on a physical product make it digitized. Only products the user may change.
import Foundation
import Hummingbird
import KhoCore
import KhoOperations
import KhoStore

struct AttachRoutes {
    let state: ServerState
    let products: ProductRoutes

    func add(to router: Router<KhoContext>) {
        router.post("/products/{id}/attach") { request, context in try await attach(request, context) }
    }

    func attach(_ request: Request, _ context: KhoContext) async throws -> Response {
        guard let session = context.session else { throw KhoError(.notAuthenticated, "Hãy đăng nhập trước.") }
        let notFound = KhoError(.unknownProduct, "Không có sản phẩm này, hoặc nó nằm ngoài phạm vi của bạn.")
        guard let text = context.parameters.get("id"), case .success(let id) = ProductID.parse(text) else { throw notFound }
        guard Permissions.allows(session.user.role, .attach) else { throw KhoError(.forbidden, "Vai trò của bạn không thêm tệp vào sản phẩm.") }
        // A product the user cannot see is "not found" before any file is read.
        let seen = ProductRoutes.visibility(session)
        guard try await state.run({ archive throws(KhoError) in try archive.product(id, as: seen) }) != nil else { throw notFound }
        let form = try await FormWithFiles.read(request, context: context, session: session, state: state)
        let pairs = form.pairs
        func one(_ name: String) -> String { pairs.first { $0.0 == name }?.1.trimmingWhitespace() ?? "" }
        let ids = FormWithFiles.uploadIDs(pairs, form.uploads)
        let role = FileRole(rawValue: one("role")) ?? .master
        var problems: [String] = []
        var digitizedOn: CalendarDate?
        if !one("digitized").isEmpty {
            switch DateInput.parse(one("digitized")) {
            case .success(let day): digitizedOn = day
            case .failure: problems.append(Lang.pick("Ngày số hóa '\(one("digitized"))' không phải ngày (dd/mm/yyyy).",
                                                           "Date digitized '\(one("digitized"))' is not a date (dd/mm/yyyy)."))
            }
        }
        if ids.isEmpty { problems.append("Chưa có tệp nào được tải lên.") }
        // Files sent with a form that is refused are not kept (the product's page cannot list them for another try).
        let forget = { [state] in await form.forget(state) }
        if !problems.isEmpty {
            await forget()
            return try await products.show(request, context, extra: ["attachProblems": problems], status: 422)
        }
        let (uploads, owner, now, visibility, acting) = (state.uploads, session.user.name, state.now(), ProductRoutes.visibility(session), state.acting(session.user))
        let (product, day) = (id, digitizedOn)
        let result = (try? await state.pool.run { () -> Result<PutDocument, KhoError> in
            do throws(KhoError) {
                return .success(try uploads.consume(ids, owner: owner, now: now, busyMessage: "Các tệp này đang được lưu (có lẽ nút được bấm hai lần).") {
                    (written) throws(KhoError) in try acting.attach(product, written: written, role: role, digitizedOn: day, within: visibility)
                })
            } catch {
                return .failure(error)
            }
        }) ?? .failure(KhoError(.internal, "the files could not be attached"))
        if case .failure = result { await forget() }
        switch result {
        case .success(let document):
            return Response.redirect(to: "/products/\(document.product.id)?attached=\(ids.count)", type: .normal)
        case .failure(let error) where error.code == .unknownProduct || error.code == .forbidden && error.problems.contains(where: { $0.field == "unit" }):
            throw error.code == .unknownProduct ? notFound : KhoError(.forbidden, "Sản phẩm này thuộc đơn vị ngoài phạm vi của bạn; bạn chỉ xem được, không thêm tệp được.")
        case .failure(let error) where error.code.httpStatus < 500:
            let message = error.code == .unknownUpload ? "Một tệp đã tải lên không còn nữa (quá hạn hoặc đã dùng): hãy tải lại." : error.message
            return try await products.show(request, context, extra: ["attachProblems": [message]], status: error.code.httpStatus)
        case .failure(let error):
            throw error
        }
    }
}
