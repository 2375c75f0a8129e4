// The result CSV of an import (row, status, product_id, source_id, message). Written under a
// temporary name beside its place and renamed there at the end (also when the import stops on
// an error, so it shows how far it got): a link at the place is replaced, never written through.
import Glibc
import KhoCore
import KhoPlatform

final class ImportResultFile {
    private let output: FileOutput

    init(_ path: HostPath) throws(KhoError) {
        output = try FileOutput.create(at: path, overwrite: true)
        try append(header: true, [])
    }

    func append(header: Bool = false, _ rows: [ImportRowResult]) throws(KhoError) {
        var text = header ? DelimitedText.line(["row", "status", "product_id", "source_id", "message"]) + "\r\n" : ""
        for r in rows {
            text += DelimitedText.line([String(r.row), r.status.rawValue, r.productID?.description ?? "", TextRules.visible(r.sourceID ?? ""),
                                        TextRules.visible(r.message)]) + "\r\n"
        }
        try output.write(text)
    }

    /// Puts the file in its place, flushed.
    func commit() throws(KhoError) { try output.commit() }
}
