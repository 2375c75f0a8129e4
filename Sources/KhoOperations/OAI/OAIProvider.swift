// An OAI-PMH 2.0 repository over the archive: one request's arguments in, the whole XML
// response out. Lists are keyset pages in the order of change, continued by signed tokens;
// products that a harvester may no longer read (restricted, withdrawn) are deleted records.
import Foundation
import KhoCore
import KhoStore

public struct OAIProvider {
    public let archive: Archive
    public let repository: OAIRepository
    public let viewer: OAIViewer
    public let pageSize: Int
    /// Seconds since 1970, UTC.
    public let now: Int64
    /// The web app's address: products' pages, files and the kho schema are under it.
    public let siteURL: String
    /// What resumption tokens are signed with (`Archive.oaiTokenKey`).
    public let tokenKey: [UInt8]
    /// Lists' sizes counted before (a server's, shared by its requests).
    public let counts: OAICountCache?

    public init(archive: Archive, repository: OAIRepository, viewer: OAIViewer, pageSize: Int = 100, now: Int64, siteURL: String, tokenKey: [UInt8],
                counts: OAICountCache? = nil) {
        self.archive = archive
        self.repository = repository
        self.viewer = viewer
        self.pageSize = max(1, pageSize)
        self.now = now
        self.siteURL = siteURL
        self.tokenKey = tokenKey
        self.counts = counts
    }

    public var formats: [OAIMetadataFormat] {
        [OAIMetadataFormat(prefix: "oai_dc", schema: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                           namespace: "http://www.openarchives.org/OAI/2.0/oai_dc/"),
         OAIMetadataFormat(prefix: "kho", schema: siteURL + KhoRecord.schemaPath, namespace: KhoRecord.namespace)]
    }

    public func respond(_ arguments: OAIRequest.Arguments) throws(KhoError) -> String {
        switch OAIRequest.parse(arguments) {
        case .failure(let error):
            var response = OAIResponse(now: now, baseURL: repository.baseURL, arguments: arguments, echo: false)
            response.error(error)
            return response.finish()
        case .success(let request):
            var response = OAIResponse(now: now, baseURL: repository.baseURL, arguments: arguments, echo: true)
            switch try answer(request, into: &response) {
            case .success: break
            case .failure(let error): response.error(error)
            }
            return response.finish()
        }
    }

    private func answer(_ request: OAIRequest, into r: inout OAIResponse) throws(KhoError) -> Result<Void, OAIError> {
        switch request {
        case .identify:
            r.open(.identify)
            r.identify(repository, earliest: try archive.oaiEarliest(viewer: viewer) ?? now, sampleID: "7K3Q-X9M2-PD4R-8WTR")
            r.close(.identify)
        case .listMetadataFormats(let identifier):
            if let identifier, try entry(identifier, product: false) == nil { return .failure(unknown(identifier)) }
            r.open(.listMetadataFormats)
            formats.forEach { r.format($0) }
            r.close(.listMetadataFormats)
        case .listSets(let token):
            return try listSets(token: token, into: &r)
        case .getRecord(let identifier, let prefix):
            guard let entry = try entry(identifier, product: true) else { return .failure(unknown(identifier)) }
            guard formats.contains(where: { $0.prefix == prefix }) else { return .failure(cannotDisseminate(prefix)) }
            r.open(.getRecord)
            record(entry, prefix: prefix, into: &r)
            r.close(.getRecord)
        case .list(let records, let selection):
            guard formats.contains(where: { $0.prefix == selection.metadataPrefix }) else {
                return .failure(cannotDisseminate(selection.metadataPrefix))
            }
            var set: OAISetSpec?
            if let spec = selection.set {
                guard let known = OAISetSpec.parse(spec) else { return .failure(OAIError(.noRecordsMatch, "there is no set \(spec) here (see ListSets)")) }
                set = known
            }
            let filter = OAIFilter(set: set, from: selection.from, until: selection.until)
            let key = "\(viewer)|\(selection.set ?? "")|\(selection.from.map(String.init) ?? "")|\(selection.until.map(String.init) ?? "")"
            let size: Int
            if let counts {
                size = try counts.count(key, marker: try archive.changeMarker()) { () throws(KhoError) in try archive.oaiCount(filter, viewer: viewer) }
            } else {
                size = try archive.oaiCount(filter, viewer: viewer)
            }
            if size == 0 { return .failure(OAIError(.noRecordsMatch, "no records match this selection")) }
            let token = OAIToken(kind: records ? .records : .identifiers, prefix: selection.metadataPrefix, set: selection.set,
                                 from: selection.from, until: selection.until, afterChange: "", afterPK: 0,
                                 completeListSize: size, cursor: 0, expires: now + OAIToken.lifetime)
            return try page(token, first: true, into: &r)
        case .listNext(let records, let text):
            let decoded = OAIToken.decode(text, key: tokenKey, now: now)
            guard case .success(let token) = decoded else { return decoded.map { _ in () } }
            guard token.kind == (records ? .records : .identifiers) else {
                return .failure(OAIError(.badResumptionToken, "this resumptionToken continues \(token.kind == .records ? "ListRecords" : token.kind == .sets ? "ListSets" : "ListIdentifiers"), not \(records ? "ListRecords" : "ListIdentifiers")"))
            }
            return try page(token, first: false, into: &r)
        }
        return .success(())
    }

    /// One page of a list from where `token` left it.
    private func page(_ token: OAIToken, first: Bool, into r: inout OAIResponse) throws(KhoError) -> Result<Void, OAIError> {
        var set: OAISetSpec?
        if let spec = token.set {
            // A set this version does not know (after an upgrade): never widen the list silently.
            guard let known = OAISetSpec.parse(spec) else { return .failure(OAIError(.badResumptionToken, "the set \(spec) of this resumptionToken is gone; start the list again")) }
            set = known
        }
        let filter = OAIFilter(set: set, from: token.from, until: token.until)
        let after = first ? nil : (token.afterChange, token.afterPK)
        let (entries, more) = try archive.oaiPage(filter, viewer: viewer, after: after, limit: pageSize, products: token.kind == .records)
        if entries.isEmpty && first { return .failure(OAIError(.noRecordsMatch, "no records match this selection")) }
        let verb: OAIVerb = token.kind == .records ? .listRecords : .listIdentifiers
        r.open(verb)
        for entry in entries {
            if token.kind == .records { record(entry, prefix: token.prefix, into: &r) } else { r.header(header(entry)) }
        }
        let shown = token.cursor + entries.count
        // The list may have grown since its first page: never claim fewer than given.
        let size = max(token.completeListSize, shown + (more ? 1 : 0))
        if more, let last = entries.last {
            var next = token
            next.afterChange = last.changedAt
            next.afterPK = last.pk
            next.cursor = shown
            next.completeListSize = size
            // Each page's token lives its own 30 days: a slow harvest does not die part-way.
            next.expires = now + OAIToken.lifetime
            r.resumptionToken(OAITokenElement(token: next.encoded(key: tokenKey), completeListSize: size,
                                              cursor: token.cursor, expires: next.expires))
        } else if !first {
            r.resumptionToken(OAITokenElement(token: "", completeListSize: size, cursor: token.cursor))
        }
        r.close(verb)
        return .success(())
    }

    private func listSets(token text: String?, into r: inout OAIResponse) throws(KhoError) -> Result<Void, OAIError> {
        // Every language the archive knows by name, used or not: which ones products are in is
        // not for anyone to learn from the list of sets (any other tag can be asked for too).
        let all = OAISets.all(languages: archive.registry.known.map(\.tag))
        var start = 0
        var token = OAIToken(kind: .sets, prefix: "", set: nil, from: nil, until: nil, afterChange: "", afterPK: 0,
                             completeListSize: all.count, cursor: 0, expires: now + OAIToken.lifetime)
        if let text {
            switch OAIToken.decode(text, key: tokenKey, now: now) {
            case .failure(let error): return .failure(error)
            case .success(let given):
                guard given.kind == .sets else { return .failure(OAIError(.badResumptionToken, "this resumptionToken does not continue ListSets")) }
                token = given
                start = Int(given.afterPK)
            }
        }
        guard start <= all.count else { return .failure(OAIError(.badResumptionToken, "the resumptionToken points past the list of sets")) }
        let end = min(all.count, start + pageSize)
        r.open(.listSets)
        all[start..<end].forEach { r.set($0) }
        if end < all.count {
            var next = token
            next.afterPK = Int64(end)
            next.cursor = end
            next.completeListSize = all.count
            next.expires = now + OAIToken.lifetime
            r.resumptionToken(OAITokenElement(token: next.encoded(key: tokenKey), completeListSize: all.count,
                                              cursor: start, expires: next.expires))
        } else if text != nil {
            r.resumptionToken(OAITokenElement(token: "", completeListSize: all.count, cursor: start))
        }
        r.close(.listSets)
        return .success(())
    }

    private func header(_ e: OAIEntry) -> OAIHeader {
        // A deleted record names no sets: a restricted product's unit, kind and languages stay in.
        OAIHeader(identifier: repository.oaiIdentifier(e.id), datestamp: e.datestamp, sets: e.deleted ? [] : e.sets, deleted: e.deleted)
    }

    /// A record: the product as read with its entry (one snapshot: a product restricted meanwhile
    /// is not sent as readable).
    private func record(_ e: OAIEntry, prefix: String, into r: inout OAIResponse) {
        guard !e.deleted, let product = e.product else { return r.record(header(e), metadata: nil) }
        let metadata = prefix == "kho" ? KhoRecord.xml(product, baseURL: siteURL, registry: archive.registry)
            : DublinCore.xml(product, registry: archive.registry, url: "\(siteURL)/products/\(e.id)", declaration: false)
        r.record(header(e), metadata: metadata)
    }

    /// The entry an identifier names, if it is this repository's and the viewer is told of it.
    private func entry(_ identifier: String, product: Bool) throws(KhoError) -> OAIEntry? {
        guard let id = repository.productID(of: identifier), case .success(let parsed) = ProductID.parse(id), parsed.description == id else { return nil }
        return try archive.oaiEntry(id: id, viewer: viewer, product: product)
    }

    private func unknown(_ identifier: String) -> OAIError {
        OAIError(.idDoesNotExist, "\(identifier) is not an identifier of this repository (oai:\(repository.identifier):PRODUCT-ID)")
    }

    private func cannotDisseminate(_ prefix: String) -> OAIError {
        OAIError(.cannotDisseminateFormat, "the format '\(prefix)' is not offered here (see ListMetadataFormats: \(formats.map(\.prefix).joined(separator: ", ")))")
    }
}
