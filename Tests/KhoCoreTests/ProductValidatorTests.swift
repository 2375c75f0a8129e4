import Testing
@testable import KhoCore

@Suite struct ProductValidatorTests {
    let validator = ProductValidator()

    func valid() -> ProductInput {
        ProductInput(title: "Quyền con người", kind: "article", languages: ["vi"], unit: "00004")
    }

    @Test func aMinimalProductIsValid() throws {
        let result = try validator.validate(valid()).get()
        #expect(result.value.title == "Quyền con người")
        #expect(result.value.kind == .article)
        #expect(result.value.access == .public)
        #expect(result.warnings.isEmpty)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let input = ProductInput(title: "  ", kind: "poem", languages: ["vi_VN", "Klingonese"], unit: "4",
                                 produced: "2023-02-30", published: "10/12/2024", channels: ["facebook", "pigeon"],
                                 access: "secret")
        guard case .failure(let failure) = validator.validate(input) else { Issue.record("accepted"); return }
        let fields = failure.problems.map(\.field)
        #expect(fields == ["title", "kind", "language", "language", "unit", "produced", "published", "channel", "access"])
        let codes = Set(failure.problems.map(\.code.rawValue))
        #expect(codes == ["missing_title", "unknown_kind", "malformed_language_tag", "invalid_unit_code", "invalid_date", "unknown_channel", "unknown_access"])
        #expect(failure.problems.first { $0.field == "kind" }?.value == "poem")
        #expect(failure.problems.first { $0.field == "channel" }?.value == "pigeon")
        #expect(failure.problems.first { $0.field == "kind" }?.expected.contains("radio_report") == true)
    }

    @Test func requiredFieldsAreNamed() {
        guard case .failure(let failure) = validator.validate(ProductInput()) else { Issue.record("accepted"); return }
        #expect(failure.problems.map(\.code.rawValue) == ["missing_title", "missing_kind", "missing_language", "missing_unit"])
    }

    @Test func textIsStoredInNFCAndTrimmed() throws {
        var input = valid()
        input.title = "  Quye\u{0302}\u{0300}n con ngu\u{031B}o\u{031B}\u{0300}i \n"
        input.description = "Dòng 1\nDòng 2"
        input.topics = ["iccpr", "  giáo dục quyền con người "]
        let m = try validator.validate(input).get().value
        #expect(m.title == "Quyền con người")
        #expect(m.title.unicodeScalars.count == 15)
        #expect(m.description == "Dòng 1\nDòng 2")
        #expect(m.topics == ["ICCPR", "giáo dục quyền con người"])
    }

    @Test func listsAreSplitAndDeduplicated() throws {
        var input = valid()
        input.languages = ["vi,tyz", "vi|hmn", "Tày"]
        input.channels = ["facebook", "Facebook", "Loudspeaker", "loudspeaker"]
        let m = try validator.validate(input).get().value
        #expect(m.languages.map(\.value) == ["vi", "tyz", "hmn"])
        #expect(m.channels == [.facebook, .loudspeaker])
        #expect(m.isOnDigitalPlatform)
    }

    @Test func trapsAndOddDatesAreWarningsNotErrors() throws {
        var input = valid()
        input.languages = ["dao"]
        input.produced = "2024-05-01"
        input.published = "2024-04-01"
        let result = try validator.validate(input).get()
        #expect(result.warnings.count == 2)
        #expect(result.warnings.contains { $0.contains("Daai Chin") })
        #expect(result.warnings.contains { $0.contains("before the production date") })
        #expect(result.value.referenceDate?.description == "2024-04-01")
    }

    @Test func legacyEncodedTitlesGetAWarning() throws {
        var input = valid()
        input.title = "QuyÒn con ng\u{AD}êi ë ViÖt Nam"
        let result = try validator.validate(input).get()
        #expect(result.warnings.contains { $0.contains("TCVN3") })
    }

    @Test func referenceDateFallsBackToProduction() throws {
        var input = valid()
        input.produced = "2024-05-01"
        #expect(try validator.validate(input).get().value.referenceDate?.description == "2024-05-01")
    }

    @Test func metadataDiffNamesWhatChanged() throws {
        let before = try validator.validate(valid()).get().value
        var after = before
        after.title = "Mới"
        after.languages = [try LanguageTag.parse("tyz").get()]
        #expect(MetadataDiff.changes(from: before, to: after) == ["title: 'Quyền con người' → 'Mới'", "languages: 'vi' → 'tyz'"])
        #expect(MetadataDiff.changes(from: before, to: before).isEmpty)
    }

    @Test func anInputRebuiltFromMetadataValidatesToTheSame() throws {
        var input = valid()
        input.channels = ["zalo"]
        input.topics = ["CRC", "trẻ em"]
        input.published = "2024-06-01"
        let m = try validator.validate(input).get().value
        #expect(try validator.validate(ProductInput(m)).get().value == m)
    }
}

@Suite struct LegacyEncodingTests {
    @Test(arguments: [
        ("ViÖt Nam ®æi míi", "TCVN3"),
        ("QuyÒn con ng\u{AD}êi", "TCVN3"),
        ("Quyeàn con ngöôøi", "VNI"),
    ])
    func legacyTextIsRecognised(text: String, encoding: String) {
        #expect(LegacyEncoding.suspect(text) == encoding)
    }

    @Test(arguments: ["Việt Nam đổi mới", "Quyền con người", "Café au lait", "© 2024 UBND xã", "Hello", "Müller"])
    func realTextIsNotFlagged(text: String) {
        #expect(LegacyEncoding.suspect(text) == nil)
    }
}
