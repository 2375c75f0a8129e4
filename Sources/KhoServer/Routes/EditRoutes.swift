// Editing a product's descriptive fields from the browser: the form holds the version the
// product was read at; when two clerks edit at once, the second save is a 409 that shows what
// the other changed, with the second clerk's values kept. Every change is an event naming the
// user. Only products whose unit (before and after) is in the user's scope.
import Foundation
import Hummingbird
import KhoCore
import KhoOperations
import KhoStore

struct EditRoutes {
    let state: ServerState

    func add(to router: Router<KhoContext>) {
        router.get("/products/{id}/edit") { _, context in try await form(context) }
        router.post("/products/{id}/edit") { request, context in try await save(request, context) }
    }

    static let notFound = KhoError(.unknownProduct, "Không có sản phẩm này, hoặc nó nằm ngoài phạm vi của bạn.")

    /// The product, if the user may change it.
    func editable(_ context: KhoContext) async throws -> (StoredSession, Product) {
        guard let session = context.session else { throw KhoError(.notAuthenticated, "Hãy đăng nhập trước.") }
        guard let text = context.parameters.get("id"), case .success(let id) = ProductID.parse(text) else { throw Self.notFound }
        let visibility = ProductRoutes.visibility(session)
        guard let product = try await state.run({ archive throws(KhoError) in try archive.product(id, as: visibility) }) else { throw Self.notFound }
        guard Permissions.allows(session.user.role, .edit), state.archive.covers(product.metadata, visibility) else {
            throw KhoError(.forbidden, "Bạn chỉ xem được sản phẩm này, không sửa được.")
        }
        return (session, product)
    }

    func form(_ context: KhoContext) async throws -> Response {
        guard context.session != nil else { return Response.redirect(to: "/login", type: .found) }
        let (_, product) = try await editable(context)
        return render(context, product.id, values: FormValues(editing: product.metadata), version: Archive.version(of: product), errors: [:], general: [], status: 200)
    }

    func save(_ request: Request, _ context: KhoContext) async throws -> Response {
        let (session, product) = try await editable(context)
        let pairs = try await Forms.readPairs(request, context: context)
        let values = FormValues(pairs)
        let version = pairs.first { $0.0 == "version" }?.1 ?? ""
        let (acting, visibility, id, input) = (state.acting(session.user), ProductRoutes.visibility(session), product.id, values.input)
        let result = (try? await state.pool.run { () -> Result<PutDocument, KhoError> in
            do throws(KhoError) { return .success(try acting.edit(id, to: input, version: version, within: visibility)) } catch { return .failure(error) }
        }) ?? .failure(KhoError(.internal, "the product could not be saved"))
        switch result {
        case .success:
            return Response.redirect(to: "/products/\(id)?edited=1", type: .normal)
        case .failure(let error) where error.code == .changedMeanwhile:
            // What is in the archive now against what this clerk sent; their values stay in the form.
            // Read within the clerk's scope again: the change may have moved it out of it.
            guard let current = try await state.run({ archive throws(KhoError) in try archive.product(id, as: visibility) }),
                  state.archive.covers(current.metadata, visibility) else { throw Self.notFound }
            var changes = ["(không so sánh được các ô)"]
            if case .success(let validated) = ProductValidator(languages: state.archive.registry, today: nil).validate(input) {
                changes = MetadataDiff.changes(from: validated.value, to: current.metadata).map { Lang.pick("trong kho bây giờ: \($0)", "in the archive now: \($0)") }
                if changes.isEmpty { changes = ["các ô giống nhau; chỉ thời điểm sửa khác"] }
            }
            return render(context, id, values: values, version: Archive.version(of: current), errors: [:], general: [], status: 409,
                          conflict: changes)
        case .failure(let error) where error.code.httpStatus < 500:
            let (errors, other) = NewProductRoutes.problems(error)
            return render(context, id, values: values, version: version, errors: errors, general: other, status: error.code.httpStatus)
        case .failure(let error):
            throw error
        }
    }

    func render(_ context: KhoContext, _ id: ProductID, values: FormValues, version: String, errors: [String: String], general: [String],
                status: Int, conflict: [String]? = nil) -> Response {
        var fields = NewProductRoutes.formFields(values: values, errors: errors, general: general)
        fields["id"] = id.description
        fields["version"] = version
        if let conflict {
            fields["conflict"] = true
            fields["conflictChanges"] = conflict
        }
        return state.pages.render("editProduct", Pages.fields(context, fields), status: status, title: "Sửa sản phẩm")
    }
}
