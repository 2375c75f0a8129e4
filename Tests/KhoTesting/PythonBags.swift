// Bags built with Python's tarfile and zipfile, as another tool (or an attacker) would write
// them: valid ones, and ones with entries no bag should hold.
import Foundation
import Testing

public enum PythonBags {
    /// Helpers every script gets: `add(t, name, data, **tarinfo)` adds an entry;
    /// `bag(t, files, info=None)` writes a bag `b/` with bagit.txt, bag-info.txt when `info`
    /// is given, a SHA-256 manifest and the files; `rebag(src, out, edit)` forges a Kho bundle
    /// whose metadata.json files `edit` changed, every digest made to match.
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
        def rebag(src, out, edit):
            # A Kho bundle re-made after `edit(metadata)` changed each product's metadata.json,
            # with manifests, Payload-Oxum and tag manifest made to match: a valid, forged bag.
            import json, re
            members = {}
            with tarfile.open(src) as t:
                for m in t.getmembers():
                    if m.isfile(): members[m.name] = t.extractfile(m).read()
            root = next(iter(members)).split('/')[0]
            for name in list(members):
                if name.endswith('/metadata.json'):
                    obj = json.loads(members[name]); edit(obj)
                    old, new = name.split('/')[-2], obj['product']['id']
                    body = (json.dumps(obj, ensure_ascii=False, indent=2) + '\\n').encode()
                    if old != new:   # the product's folder follows its (forged) ID
                        for other in [n for n in members if '/data/' + old + '/' in n]:
                            members[other.replace('/data/' + old + '/', '/data/' + new + '/')] = members.pop(other)
                        for f in obj.get('bagFiles', []): f['path'] = f['path'].replace('data/' + old + '/', 'data/' + new + '/')
                        body = (json.dumps(obj, ensure_ascii=False, indent=2) + '\\n').encode()
                        name = name.replace('/data/' + old + '/', '/data/' + new + '/')
                    members[name] = body
            rel = lambda n: n[len(root) + 1:]
            payload = {rel(n): d for n, d in members.items() if rel(n).startswith('data/')}
            members[root + '/manifest-sha256.txt'] = ''.join('%s  %s\\n' % (hashlib.sha256(d).hexdigest(), n) for n, d in sorted(payload.items())).encode()
            oxum = '%d.%d' % (sum(len(d) for d in payload.values()), len(payload))
            members[root + '/bag-info.txt'] = re.sub(r'Payload-Oxum: .*', 'Payload-Oxum: ' + oxum, members[root + '/bag-info.txt'].decode()).encode()
            tags = {rel(n): d for n, d in members.items() if not rel(n).startswith('data/') and not rel(n).startswith('tagmanifest-')}
            members[root + '/tagmanifest-sha256.txt'] = ''.join('%s  %s\\n' % (hashlib.sha256(d).hexdigest(), n) for n, d in sorted(tags.items())).encode()
            with tarfile.open(out, 'w') as t:
                for n, d in members.items(): add(t, n, d)
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
