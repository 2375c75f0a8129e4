// The XML of OAI-PMH 2.0 responses, as the official schema (OAI-PMH.xsd) wants them: the
// envelope, the request echoed, errors, headers (deleted ones too) and resumption tokens.
// Pure text; the caller supplies every value.

public struct OAIHeader: Sendable, Equatable {
    public var identifier: String
    /// Seconds since 1970, UTC.
    public var datestamp: Int64
    public var sets: [String]
    public var deleted: Bool
    public init(identifier: String, datestamp: Int64, sets: [String], deleted: Bool) {
        self.identifier = identifier
        self.datestamp = datestamp
        self.sets = sets
        self.deleted = deleted
    }
}

/// A list's continuation: the token (empty on the last page), the list's size and where this
/// page starts in it.
public struct OAITokenElement: Sendable {
    public var token: String
    public var completeListSize: Int
    public var cursor: Int
    public var expires: Int64?
    public init(token: String, completeListSize: Int, cursor: Int, expires: Int64? = nil) {
        self.token = token
        self.completeListSize = completeListSize
        self.cursor = cursor
        self.expires = expires
    }
}

public struct OAIMetadataFormat: Sendable, Equatable {
    public var prefix: String
    public var schema: String
    public var namespace: String
    public init(prefix: String, schema: String, namespace: String) {
        self.prefix = prefix
        self.schema = schema
        self.namespace = namespace
    }
}

public struct OAIRepository: Sendable {
    public var name: String
    public var baseURL: String
    public var identifier: String
    public var adminEmails: [String]
    public init(name: String, baseURL: String, identifier: String, adminEmails: [String]) {
        self.name = name
        self.baseURL = baseURL
        self.identifier = identifier
        self.adminEmails = adminEmails
    }

    /// `oai:REPOSITORY:ID`.
    public func oaiIdentifier(_ id: String) -> String { "oai:\(identifier):\(id)" }

    /// The product ID of one of this repository's identifiers (nil for any other).
    public func productID(of identifier: String) -> String? {
        let prefix = "oai:\(self.identifier):"
        guard identifier.hasPrefix(prefix) else { return nil }
        let id = String(identifier.dropFirst(prefix.count))
        return id.isEmpty ? nil : id
    }
}

public struct OAIResponse {
    private(set) public var text: String

    /// Starts a response: the envelope, the time, and the request. `arguments` are echoed as
    /// attributes unless the verb or arguments were bad (then only the base URL is given).
    public init(now: Int64, baseURL: String, arguments: OAIRequest.Arguments, echo: Bool) {
        text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">
            <responseDate>\(OAIDate.format(now))</responseDate>

            """
        var attributes = ""
        if echo {
            for (name, value) in arguments { attributes += " \(name)=\"\(Markup.escape(value))\"" }
        }
        text += "<request\(attributes)>\(Markup.escape(baseURL))</request>\n"
    }

    public mutating func error(_ e: OAIError) {
        text += "<error code=\"\(e.code.rawValue)\">\(Markup.escape(e.message))</error>\n"
    }

    public mutating func open(_ verb: OAIVerb) { text += "<\(verb.rawValue)>\n" }
    public mutating func close(_ verb: OAIVerb) { text += "</\(verb.rawValue)>\n" }

    public mutating func identify(_ r: OAIRepository, earliest: Int64, sampleID: String) {
        text += "<repositoryName>\(Markup.escape(r.name))</repositoryName>\n"
        text += "<baseURL>\(Markup.escape(r.baseURL))</baseURL>\n<protocolVersion>2.0</protocolVersion>\n"
        for email in r.adminEmails { text += "<adminEmail>\(Markup.escape(email))</adminEmail>\n" }
        text += "<earliestDatestamp>\(OAIDate.format(earliest))</earliestDatestamp>\n"
        text += "<deletedRecord>persistent</deletedRecord>\n<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>\n"
        text += """
            <description><oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" \
            xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">\
            <scheme>oai</scheme><repositoryIdentifier>\(Markup.escape(r.identifier))</repositoryIdentifier>\
            <delimiter>:</delimiter><sampleIdentifier>\(Markup.escape(r.oaiIdentifier(sampleID)))</sampleIdentifier>\
            </oai-identifier></description>

            """
    }

    public mutating func format(_ f: OAIMetadataFormat) {
        text += "<metadataFormat><metadataPrefix>\(Markup.escape(f.prefix))</metadataPrefix><schema>\(Markup.escape(f.schema))</schema>"
        text += "<metadataNamespace>\(Markup.escape(f.namespace))</metadataNamespace></metadataFormat>\n"
    }

    public mutating func set(_ s: OAISet) {
        text += "<set><setSpec>\(Markup.escape(s.spec))</setSpec><setName>\(Markup.escape(s.name))</setName></set>\n"
    }

    public mutating func header(_ h: OAIHeader) {
        text += h.deleted ? "<header status=\"deleted\">" : "<header>"
        text += "<identifier>\(Markup.escape(h.identifier))</identifier><datestamp>\(OAIDate.format(h.datestamp))</datestamp>"
        for set in h.sets { text += "<setSpec>\(Markup.escape(set))</setSpec>" }
        text += "</header>\n"
    }

    /// A record: its header, and its metadata (an XML element without declaration) unless deleted.
    public mutating func record(_ h: OAIHeader, metadata: String?) {
        text += "<record>"
        header(h)
        if !h.deleted, let metadata { text += "<metadata>\n\(metadata)</metadata>\n" }
        text += "</record>\n"
    }

    public mutating func resumptionToken(_ t: OAITokenElement) {
        var attributes = ""
        if let expires = t.expires, !t.token.isEmpty { attributes += " expirationDate=\"\(OAIDate.format(expires))\"" }
        attributes += " completeListSize=\"\(t.completeListSize)\" cursor=\"\(t.cursor)\""
        text += "<resumptionToken\(attributes)>\(Markup.escape(t.token))</resumptionToken>\n"
    }

    public mutating func finish() -> String {
        text += "</OAI-PMH>\n"
        return text
    }
}
