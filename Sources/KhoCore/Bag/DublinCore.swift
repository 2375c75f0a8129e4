// A product's descriptive metadata as unqualified Dublin Core (ISO 15836), in the oai_dc
// wrapper the OAI-PMH schemas define, so the same record serves bags and harvesting.

public enum DublinCore {
    /// `url`: the product's page, given as a second identifier (harvesting); `declaration`:
    /// whether the text starts with the XML declaration (a file, not a response's part).
    public static func xml(_ product: Product, table: UnitTable = .standard, registry: LanguageRegistry = .standard,
                           url: String? = nil, declaration: Bool = true) -> String {
        let m = product.metadata
        var out = declaration ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" : ""
        out += """
            <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">

            """
        func element(_ name: String, _ value: String, lang: String? = nil) {
            let attribute = lang.map { " xml:lang=\"\(escape($0))\"" } ?? ""
            out += "  <dc:\(name)\(attribute)>\(escape(value))</dc:\(name)>\n"
        }
        // The title's language is known only when the product has one language.
        let titleLanguage = m.languages.count == 1 ? m.languages[0].value : nil
        element("title", m.title, lang: titleLanguage)
        if let creator = m.creator { element("creator", creator) }
        for topic in m.topics { element("subject", topic) }
        if let description = m.description { element("description", description, lang: titleLanguage) }
        let unit = m.produced.map { table.validate(m.unit, on: $0) }.flatMap { try? $0.get() }
            ?? table.units(m.unit.value).last
        element("publisher", unit.map { "\($0.fullName) (\($0.code))" } ?? m.unit.value)
        if let produced = m.produced { element("date", produced.description) }
        if let published = m.published, published != m.produced { element("date", published.description) }
        element("type", dcmiType(m.kind))
        element("type", m.kind.rawValue)
        for mediaType in Set(product.files.map(\.mediaType)).sorted() { element("format", mediaType) }
        element("identifier", "kho:\(product.id)")
        if let url { element("identifier", url) }
        for language in m.languages { element("language", language.value) }
        if let unit {
            let chain = ([unit] + table.ancestors(of: unit)).map(\.fullName).joined(separator: ", ")
            element("coverage", "\(chain) (\(unit.era == .before2025 ? "đơn vị hành chính trước 01/7/2025" : "đơn vị hành chính từ 01/7/2025"))")
        }
        if let campaign = m.campaign { element("relation", campaign) }
        for channel in m.channels { element("relation", "channel:\(channel.rawValue)") }
        element("rights", "access:\(m.access.rawValue)")
        return out + "</oai_dc:dc>\n"
    }

    /// The DCMI Type Vocabulary term for a kind of product.
    public static func dcmiType(_ kind: ProductKind) -> String {
        switch kind {
        case .article, .publication: "Text"
        case .photo, .poster, .banner, .leaflet, .infographic: "StillImage"
        case .radioReport, .radioDrama, .radioProgram: "Sound"
        case .tvReport, .videoClip, .skit: "MovingImage"
        }
    }

    public static func escape(_ s: String) -> String { Markup.escape(s) }
}
