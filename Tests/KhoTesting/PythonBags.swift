// Bags built with Python's tarfile and zipfile, as another tool (or an attacker) would write
// them: valid ones, and ones with entries no bag should hold.
import Foundation
import Testing

public enum PythonBags {
    /// Helpers every script gets: `add(t, name, data, **tarinfo)` adds an entry;
    /// `bag(t, files, info=None)` writes a bag `b/` with bagit.txt, bag-info.txt when `info`
    /// is given, a SHA-256 manifest and the files.
    public static let prelude = """
        import tarfile, zipfile, io, gzip, os, hashlib
        def add(t, name, data=b'', **kw):
            info = tarfile.TarInfo(name); info.size = len(data)
            for k, v in kw.items(): setattr(info, k, v)
            t.addfile(info, io.BytesIO(data) if info.isreg() else None)
        def bag(t, files, info=None):
            add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
            if info is not None: add(t, 'b/bag-info.txt', info)
            lines = ''.join('%s  %s\\n' % (hashlib.sha256(d).hexdigest(), n) for n, d in files)
            add(t, 'b/manifest-sha256.txt', lines.encode())
            for n, d in files: add(t, 'b/' + n, d)
        """

    /// Runs `code` (after the prelude) with `out` set to `scratch/name`; returns that path.
    @discardableResult
    public static func make(_ name: String, in scratch: Scratch, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let out = "\(scratch.path)/\(name)"
        let literal = "'" + out.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        let r = scratch.run(["python3", "-c", prelude + "\nout = \(literal)\n" + code])
        #expect(r.status == 0, "\(name): \(r.output)", sourceLocation: sourceLocation)
        return out
    }
}
