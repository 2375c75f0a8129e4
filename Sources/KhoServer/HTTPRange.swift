// HTTP byte ranges (RFC 9110 §14): one range is served as 206, several or a malformed header
// as the whole file (allowed, and simpler for every player), a range past the end as 416.
import KhoCore

enum ByteRange: Equatable {
    /// Serve everything (200).
    case whole
    /// Serve these bytes (206).
    case part(ClosedRange<Int64>)
    /// Nothing of the file is in the range (416, `Content-Range: bytes */size`).
    case unsatisfiable

    /// The answer to `Range: header` for a file of `size` bytes.
    static func parse(_ header: String?, size: Int64) -> ByteRange {
        guard let header else { return .whole }
        let text = header.trimmingWhitespace()
        guard text.lowercased().hasPrefix("bytes="), size >= 0 else { return .whole }
        let specs = text.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false)
        guard specs.count == 1 else { return .whole }
        let spec = String(specs[0]).trimmingWhitespace()
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        func number(_ s: Substring) -> Int64? { s.isEmpty || s.count > 18 || !s.allSatisfy { $0.isASCII && $0.isNumber } ? nil : Int64(s) }
        if first.isEmpty {
            // bytes=-N: the last N bytes.
            guard let n = number(last) else { return .whole }
            if n == 0 || size == 0 { return .unsatisfiable }
            return .part(max(0, size - n)...(size - 1))
        }
        guard let start = number(first) else { return .whole }
        let end: Int64
        if last.isEmpty { end = size - 1 } else {
            guard let e = number(last), e >= start else { return .whole }
            end = min(e, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .part(start...end)
    }
}
