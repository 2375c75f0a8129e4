// A product field's problem as a clerk reads it beside the field: in Vietnamese on Vietnamese
// pages (by the problem's code, so the core's English wording never shows there), in the
// core's own words on English pages.
import KhoCore

enum FieldProblems {
    /// The text shown beside the field for `problem`.
    static func text(_ problem: Problem) -> String {
        let value = problem.value.isEmpty ? "" : "'\(problem.value)': "
        guard Lang.current == .vi else { return problem.field.isEmpty ? problem.expected : value + "expected " + problem.expected }
        if let said = vietnamese(problem) { return value + said }
        return problem.field.isEmpty ? problem.expected : value + "cần " + problem.expected
    }

    /// What is wrong, in Vietnamese, for the problems a product's fields can have.
    static func vietnamese(_ problem: Problem) -> String? {
        switch problem.code {
        case .missingTitle: "cần có tên sản phẩm"
        case .titleTooLong: "tên dài quá 500 ký tự"
        case .invalidTitle, .controlCharacters: "có ký tự điều khiển (ESC, NUL…); hãy gõ lại"
        case .missingKind: "hãy chọn loại sản phẩm"
        case .unknownKind: "loại này không có trong danh sách"
        case .missingUnit: "cần mã đơn vị (ví dụ 00004), hoặc gõ tên để tìm mã"
        case .invalidUnitCode: "không phải mã đơn vị: 2 chữ số cho tỉnh, 3 cho huyện, 5 cho xã (ví dụ 01, 00004)"
        case .unknownUnit: "không có đơn vị mang mã này vào ngày của sản phẩm (đơn vị đổi mã từ 1/7/2025); gõ tên để tìm mã đúng"
        case .missingLanguage: "cần ít nhất một ngôn ngữ (ví dụ Tiếng Việt, Tày)"
        case .malformedLanguageTag: "không phải ngôn ngữ Kho biết: gõ tên (Tày, Ê Đê) hoặc mã (tyz)"
        case .ambiguousLanguage: "tên này chỉ nhiều ngôn ngữ; hãy gõ mã (\(problem.expected.split(separator: ":").last.map { String($0).trimmingWhitespace() } ?? ""))"
        case .unknownChannel: "kênh này không có trong danh sách"
        case .unknownAccess: "mức truy cập phải là công khai, nội bộ hoặc mật"
        case .invalidDate: "không phải ngày có thật (dd/mm/yyyy, ví dụ 30/11/2024)"
        case .forbidden where problem.field == "unit": "đơn vị này nằm ngoài phạm vi của bạn"
        default: nil
        }
    }
}
