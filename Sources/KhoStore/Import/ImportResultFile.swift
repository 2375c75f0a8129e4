// The result CSV of an import (row, status, product_id, source_id, message), written as rows
// are stored, so an interrupted import still shows how far it got.
import Glibc
import KhoCore
import KhoPlatform

final class ImportResultFile {
    private let fd: FileDescriptor

    init(_ path: HostPath) throws(KhoError) {
        fd = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, doing: "writing the import result")
        try append(header: true, [])
    }

    func append(header: Bool = false, _ rows: [ImportRowResult]) throws(KhoError) {
        var text = header ? DelimitedText.line(["row", "status", "product_id", "source_id", "message"]) + "\r\n" : ""
        for r in rows {
            text += DelimitedText.line([String(r.row), r.status.rawValue, r.productID?.description ?? "", TextRules.visible(r.sourceID ?? ""),
                                        TextRules.visible(r.message)]) + "\r\n"
        }
        var bytes = Array(text.utf8)
        let count = bytes.count
        try bytes.withUnsafeMutableBufferPointer { (buffer: inout UnsafeMutableBufferPointer<UInt8>) throws(KhoError) in
            try fd.writeAll(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count), doing: "writing the import result")
        }
    }
}
