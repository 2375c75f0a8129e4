// What a reader of a report should know about its scope (units merged in the reorganization of
// 1 July 2025, a unit that no longer exists), said in both of a report's languages: a
// Vietnamese report, page or table says it in Vietnamese.

public struct ReportNote: Sendable, Equatable {
    public let vietnamese: String
    public let english: String

    public func text(_ language: ReportLanguage) -> String { ReportText(language).pick(vietnamese, english) }

    /// A unit of today's table whose report reaches before 1 July 2025: what it counts there,
    /// the first 8 of the units that became part of it named.
    static func countsPredecessors(of unit: AdminUnit, _ predecessors: [AdminUnit]) -> ReportNote {
        let names = predecessors.prefix(8).map(named).joined(separator: ", ")
        let more = predecessors.count - min(predecessors.count, 8)
        return ReportNote(
            vietnamese: "Trước ngày 1/7/2025, báo cáo này tính các sản phẩm của những đơn vị đã nhập vào \(unit.fullName): \(names)\(more > 0 ? " và \(more) đơn vị khác" : "").",
            english: "Before 1 July 2025 this report counts the products of the units that became part of \(unit.fullName): \(names)\(more > 0 ? " and \(more) more" : "").")
    }

    /// A unit of the table before 1 July 2025 whose report reaches past it, and today's units
    /// that carry its products' codes since.
    static func existedUntilReorganization(_ unit: AdminUnit, successors: [AdminUnit]) -> ReportNote {
        let now = successors.map(named).joined(separator: ", ")
        return ReportNote(
            vietnamese: "\(named(unit)) tồn tại đến hết ngày 30/6/2025; sản phẩm làm sau đó mang mã của các đơn vị hiện nay\(now.isEmpty ? "" : ": \(now)").",
            english: "\(named(unit)) existed until 30 June 2025; products made after that carry the codes of today's units\(now.isEmpty ? "" : ": \(now)").")
    }

    /// "Phường Kon Tum (23293)".
    private static func named(_ unit: AdminUnit) -> String { "\(unit.fullName) (\(unit.code))" }
}
