// Kho's own harvesting format (prefix `kho`): what a bundle's metadata.json says of a product
// (kind, languages and their groups, the unit as registered and today's, channels, dates,
// digitization, files with SHA-256, size and download address), in XML of Kho's namespace,
// with the XSD that Kho serves at /oai/kho-product.xsd. The event history is left out: it
// grows with every audit, and a harvester's copy would change without the product changing.

public enum KhoRecord {
    public static let namespace = "urn:kho:product:1"
    public static let schemaPath = "/oai/kho-product.xsd"

    /// The record of `product`; `baseURL` makes the schema's and the files' addresses.
    public static func xml(_ product: Product, baseURL: String, table: UnitTable = .standard, registry: LanguageRegistry = .standard) -> String {
        let m = product.metadata, d = product.digitization
        func esc(_ s: String) -> String { Markup.escape(s) }
        var out = "<kho:product xmlns:kho=\"\(namespace)\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        out += "xsi:schemaLocation=\"\(namespace) \(esc(baseURL + schemaPath))\" id=\"\(esc(product.id.description))\">\n"
        func element(_ name: String, _ value: String?) {
            if let value { out += "  <kho:\(name)>\(esc(value))</kho:\(name)>\n" }
        }
        element("title", m.title)
        out += "  <kho:kind dcmiType=\"\(DublinCore.dcmiType(m.kind))\">\(m.kind.rawValue)</kho:kind>\n"
        for language in m.languages {
            out += "  <kho:language group=\"\(registry.group(of: language).rawValue)\">\(esc(language.value))</kho:language>\n"
        }
        let era = table.era(ofProductUnit: m.unit.value, produced: m.produced, published: m.published)
        let unit = table.unit(m.unit.value, era: era)
        out += "  <kho:unit code=\"\(esc(m.unit.value))\" era=\"\(era.rawValue)\"\(unit.map { " name=\"\(esc($0.fullName))\"" } ?? "")/>\n"
        if let unit {
            let today = unit.era == .from2025 ? [unit] : table.successors(of: unit)
            for u in today { out += "  <kho:unitToday code=\"\(u.code)\" level=\"\(u.level.rawValue)\" name=\"\(esc(u.fullName))\"/>\n" }
            if let province = table.provinceToday(EraCode(unit.code, unit.era)) {
                out += "  <kho:provinceToday code=\"\(province.code)\" name=\"\(esc(province.fullName))\"/>\n"
            }
        }
        element("produced", m.produced?.description)
        element("published", m.published?.description)
        element("referenceDate", m.referenceDate?.description)
        for channel in m.channels { out += "  <kho:channel digital=\"\(channel.isDigital)\">\(channel.rawValue)</kho:channel>\n" }
        element("digitalPlatform", String(m.isOnDigitalPlatform))
        for topic in m.topics { element("topic", topic) }
        element("campaign", m.campaign)
        element("description", m.description)
        element("creator", m.creator)
        element("access", m.access.rawValue)
        var digitization = "  <kho:digitization digitized=\"\(product.isDigitized)\" origin=\"\(d.origin.rawValue)\""
        if let carrier = d.carrier { digitization += " carrier=\"\(carrier.rawValue)\"" }
        if let on = d.digitizedOn { digitization += " digitizedOn=\"\(on)\"" }
        if let method = d.method { digitization += " method=\"\(method.rawValue)\"" }
        out += digitization + "/>\n"
        element("created", product.createdAt.iso)
        element("updated", product.updatedAt.iso)
        for f in product.files {
            out += "  <kho:file n=\"\(f.n)\" sha256=\"\(f.sha256)\" size=\"\(f.size)\" role=\"\(f.role.rawValue)\" mediaType=\"\(esc(f.mediaType))\" "
            out += "url=\"\(esc("\(baseURL)/api/v1/products/\(product.id)/files/\(f.n)"))\">\(esc(f.name.display))</kho:file>\n"
        }
        return out + "</kho:product>\n"
    }

    /// The XSD of the format.
    public static let schema = """
        <?xml version="1.0" encoding="UTF-8"?>
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:kho="\(namespace)" targetNamespace="\(namespace)"
                   elementFormDefault="qualified" attributeFormDefault="unqualified">
          <xs:annotation><xs:documentation>Kho product record for OAI-PMH (metadataPrefix kho), version 1.</xs:documentation></xs:annotation>
          <xs:simpleType name="code"><xs:restriction base="xs:string"><xs:pattern value="[0-9]{2}|[0-9]{3}|[0-9]{5}"/></xs:restriction></xs:simpleType>
          <xs:complexType name="unitToday">
            <xs:attribute name="code" type="kho:code" use="required"/>
            <xs:attribute name="level" use="required"><xs:simpleType><xs:restriction base="xs:string">
              <xs:enumeration value="province"/><xs:enumeration value="district"/><xs:enumeration value="commune"/></xs:restriction></xs:simpleType></xs:attribute>
            <xs:attribute name="name" type="xs:string" use="required"/>
          </xs:complexType>
          <xs:element name="product">
            <xs:complexType>
              <xs:sequence>
                <xs:element name="title" type="xs:string"/>
                <xs:element name="kind"><xs:complexType><xs:simpleContent><xs:extension base="xs:string">
                  <xs:attribute name="dcmiType" type="xs:string" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
                <xs:element name="language" maxOccurs="unbounded"><xs:complexType><xs:simpleContent><xs:extension base="xs:language">
                  <xs:attribute name="group" use="required"><xs:simpleType><xs:restriction base="xs:string">
                    <xs:enumeration value="national"/><xs:enumeration value="minority"/><xs:enumeration value="foreign"/><xs:enumeration value="undetermined"/></xs:restriction></xs:simpleType></xs:attribute>
                </xs:extension></xs:simpleContent></xs:complexType></xs:element>
                <xs:element name="unit"><xs:complexType>
                  <xs:attribute name="code" type="kho:code" use="required"/>
                  <xs:attribute name="era" use="required"><xs:simpleType><xs:restriction base="xs:string">
                    <xs:enumeration value="before_2025"/><xs:enumeration value="from_2025"/></xs:restriction></xs:simpleType></xs:attribute>
                  <xs:attribute name="name" type="xs:string"/>
                </xs:complexType></xs:element>
                <xs:element name="unitToday" type="kho:unitToday" minOccurs="0" maxOccurs="unbounded"/>
                <xs:element name="provinceToday" minOccurs="0"><xs:complexType>
                  <xs:attribute name="code" type="kho:code" use="required"/><xs:attribute name="name" type="xs:string" use="required"/>
                </xs:complexType></xs:element>
                <xs:element name="produced" type="xs:date" minOccurs="0"/>
                <xs:element name="published" type="xs:date" minOccurs="0"/>
                <xs:element name="referenceDate" type="xs:date" minOccurs="0"/>
                <xs:element name="channel" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:simpleContent><xs:extension base="xs:string">
                  <xs:attribute name="digital" type="xs:boolean" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
                <xs:element name="digitalPlatform" type="xs:boolean"/>
                <xs:element name="topic" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
                <xs:element name="campaign" type="xs:string" minOccurs="0"/>
                <xs:element name="description" type="xs:string" minOccurs="0"/>
                <xs:element name="creator" type="xs:string" minOccurs="0"/>
                <xs:element name="access"><xs:simpleType><xs:restriction base="xs:string">
                  <xs:enumeration value="public"/><xs:enumeration value="internal"/></xs:restriction></xs:simpleType></xs:element>
                <xs:element name="digitization"><xs:complexType>
                  <xs:attribute name="digitized" type="xs:boolean" use="required"/>
                  <xs:attribute name="origin" use="required"><xs:simpleType><xs:restriction base="xs:string">
                    <xs:enumeration value="born_digital"/><xs:enumeration value="physical"/></xs:restriction></xs:simpleType></xs:attribute>
                  <xs:attribute name="carrier" type="xs:string"/>
                  <xs:attribute name="digitizedOn" type="xs:date"/>
                  <xs:attribute name="method" type="xs:string"/>
                </xs:complexType></xs:element>
                <xs:element name="created" type="xs:dateTime"/>
                <xs:element name="updated" type="xs:dateTime"/>
                <xs:element name="file" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:simpleContent><xs:extension base="xs:string">
                  <xs:attribute name="n" type="xs:positiveInteger" use="required"/>
                  <xs:attribute name="sha256" use="required"><xs:simpleType><xs:restriction base="xs:string">
                    <xs:pattern value="[0-9a-f]{64}"/></xs:restriction></xs:simpleType></xs:attribute>
                  <xs:attribute name="size" type="xs:nonNegativeInteger" use="required"/>
                  <xs:attribute name="role" type="xs:string" use="required"/>
                  <xs:attribute name="mediaType" type="xs:string" use="required"/>
                  <xs:attribute name="url" type="xs:anyURI" use="required"/>
                </xs:extension></xs:simpleContent></xs:complexType></xs:element>
              </xs:sequence>
              <xs:attribute name="id" type="xs:string" use="required"/>
            </xs:complexType>
          </xs:element>
        </xs:schema>

        """
}
