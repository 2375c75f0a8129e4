// A bundle's product between the two passes of an import, as the scratch file keeps it: what
// the first pass decoded from metadata.json and validated, so the second pass stores it
// without decoding and validating it again.
import KhoCore
import KhoPlatform
import KhoStore

enum BundleProductRecord {
    static func encoded(_ p: BundleProduct) -> [UInt8] {
        var out = ScratchWriter(capacity: 1024)
        let m = p.metadata
        out.put(p.id.description)
        out.put(m.title)
        out.put(m.kind.rawValue)
        out.put(m.languages.map(\.value))
        out.put(m.unit.value)
        out.put(m.produced?.description)
        out.put(m.published?.description)
        out.put(m.channels.map(\.rawValue))
        out.put(m.topics)
        out.put(m.campaign)
        out.put(m.description)
        out.put(m.creator)
        out.put(m.access.rawValue)
        let d = p.digitization
        out.put(d.origin.rawValue)
        out.put(d.carrier?.rawValue)
        out.put(d.digitizedOn?.description)
        out.put(d.method?.rawValue)
        out.put(p.files.count)
        for f in p.files {
            out.put(f.n)
            out.put(f.name.display)
            out.put(f.name.original)
            out.put(f.name.decodedAs)
            out.put(f.role.rawValue)
            out.put(f.mediaType)
            out.put(f.sha256)
            out.put(f.size)
            out.put(f.path.bytes)
        }
        out.put(p.events.count)
        for e in p.events {
            out.put(e.id != nil)
            out.put(e.id ?? 0)
            out.put(e.at.iso)
            out.put(e.type.rawValue)
            out.put(e.object)
            out.put(e.productID?.description)
            out.put(e.agent)
            out.put(e.outcome.rawValue)
            out.put(e.detail)
            out.put(e.importedFrom)
        }
        out.put(p.homeArchive)
        return out.bytes
    }

    static func decoded(_ bytes: [UInt8]) throws(KhoError) -> BundleProduct {
        var r = ScratchReader(bytes)
        func parsed<T, E>(_ result: Result<T, E>) throws(KhoError) -> T {
            guard case .success(let value) = result else { throw ScratchReader.damaged }
            return value
        }
        func raw<T: RawRepresentable>(_: T.Type, _ text: String) throws(KhoError) -> T where T.RawValue == String {
            guard let value = T(rawValue: text) else { throw ScratchReader.damaged }
            return value
        }
        let id = try parsed(ProductID.parse(try r.text()))
        let metadata = ProductMetadata(
            title: try r.text(), kind: try raw(ProductKind.self, try r.text()),
            languages: try r.texts().map { (t) throws(KhoError) in try parsed(LanguageTag.parse(t)) },
            unit: try parsed(UnitCode.parse(try r.text())),
            produced: try r.optionalText().map { (t) throws(KhoError) in try parsed(CalendarDate.parse(t)) },
            published: try r.optionalText().map { (t) throws(KhoError) in try parsed(CalendarDate.parse(t)) },
            channels: try r.texts().map { (t) throws(KhoError) in try raw(Channel.self, t) }, topics: try r.texts(),
            campaign: try r.optionalText(), description: try r.optionalText(), creator: try r.optionalText(),
            access: try raw(AccessLevel.self, try r.text()))
        let digitization = Digitization(
            origin: try raw(Origin.self, try r.text()), carrier: try r.optionalText().map { (t) throws(KhoError) in try raw(Carrier.self, t) },
            digitizedOn: try r.optionalText().map { (t) throws(KhoError) in try parsed(CalendarDate.parse(t)) },
            method: try r.optionalText().map { (t) throws(KhoError) in try raw(DigitizationMethod.self, t) })
        let files = try (0..<r.count()).map { _ throws(KhoError) in
            BundleFile(n: Int(try r.int()), name: FileName(display: try r.text(), original: try r.bytes(), decodedAs: try r.text()),
                       role: try raw(FileRole.self, try r.text()), mediaType: try r.text(), sha256: try r.text(), size: try r.int(),
                       path: HostPath(bytes: try r.bytes()))
        }
        let events = try (0..<r.count()).map { _ throws(KhoError) in
            let hasID = try r.bool()
            let number = try r.int()
            return PreservationEvent(id: hasID ? number : nil, at: Timestamp(iso: try r.text()), type: try raw(EventType.self, try r.text()),
                                     object: try r.text(),
                                     productID: try r.optionalText().map { (t) throws(KhoError) in try parsed(ProductID.parse(t)) },
                                     agent: try r.text(), outcome: try raw(EventOutcome.self, try r.text()), detail: try r.optionalText(),
                                     importedFrom: try r.optionalText())
        }
        return BundleProduct(id: id, metadata: metadata, digitization: digitization, files: files, events: events, homeArchive: try r.text())
    }
}
