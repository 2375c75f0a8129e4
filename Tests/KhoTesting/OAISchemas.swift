// Validates OAI-PMH responses with xmllint against the official schemas of the shared test
// data (OAI-PMH.xsd, oai_dc.xsd, simpledc, xml.xsd, oai-identifier.xsd) and Kho's own record
// schema: one wrapper schema imports them all, and an XML catalog sends the schemas' remote
// addresses to the local copies, so nothing is fetched (--nonet) and the metadata inside
// records is checked strictly, as OAI-PMH.xsd asks.
import Foundation
import Glibc
import Testing

public final class OAISchemas: Sendable {
    let folder: String

    /// nil (skipped with a notice, or a failure under CI=true) without the shared test data.
    public static func load(kho schema: String, sourceLocation: SourceLocation = #_sourceLocation) -> OAISchemas? {
        guard let official = SharedTestData.path("oai-pmh-schemas", sourceLocation: sourceLocation)?.path else { return nil }
        var template = Array("/tmp/kho-oai-xsd-XXXXXX".utf8CString)
        let folder = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        let wrapper = """
            <?xml version="1.0" encoding="UTF-8"?>
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:kho:test:wrapper" elementFormDefault="qualified">
              <xs:import namespace="http://www.openarchives.org/OAI/2.0/" schemaLocation="file://\(official)/OAI-PMH.xsd"/>
              <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/" schemaLocation="file://\(official)/oai_dc.xsd"/>
              <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai-identifier" schemaLocation="file://\(official)/oai-identifier.xsd"/>
              <xs:import namespace="urn:kho:product:1" schemaLocation="file://\(folder)/kho-product.xsd"/>
            </xs:schema>
            """
        var catalog = "<?xml version=\"1.0\"?>\n<catalog xmlns=\"urn:oasis:names:tc:entity:xmlns:xml:catalog\">\n"
        for (remote, local) in [("http://dublincore.org/schemas/xmls/simpledc20021212.xsd", "simpledc20021212.xsd"),
                                ("http://www.w3.org/2001/03/xml.xsd", "xml.xsd"),
                                ("http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd", "OAI-PMH.xsd")] {
            catalog += "  <system systemId=\"\(remote)\" uri=\"file://\(official)/\(local)\"/>\n  <uri name=\"\(remote)\" uri=\"file://\(official)/\(local)\"/>\n"
        }
        catalog += "</catalog>\n"
        FileManager.default.createFile(atPath: "\(folder)/wrapper.xsd", contents: Data(wrapper.utf8))
        FileManager.default.createFile(atPath: "\(folder)/catalog.xml", contents: Data(catalog.utf8))
        FileManager.default.createFile(atPath: "\(folder)/kho-product.xsd", contents: Data(schema.utf8))
        return OAISchemas(folder: folder)
    }

    init(folder: String) { self.folder = folder }
    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// xmllint's complaints about `xml`, or nil when it validates.
    public func problems(_ xml: String) -> String? {
        let file = "\(folder)/\(UUID().uuidString).xml"
        FileManager.default.createFile(atPath: file, contents: Data(xml.utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xmllint", "--noout", "--nonet", "--schema", "\(folder)/wrapper.xsd", file]
        var environment = ProcessInfo.processInfo.environment
        environment["XML_CATALOG_FILES"] = "\(folder)/catalog.xml"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { return "xmllint could not run: \(error) (Scripts/test installs libxml2-utils)" }
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : text
    }
}
