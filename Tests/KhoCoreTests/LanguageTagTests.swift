import Testing
@testable import KhoCore

@Suite struct LanguageTagTests {
    @Test(arguments: [
        ("vi", "vi"), ("VI", "vi"), ("tyz", "tyz"), ("blt-tavt", "blt-Tavt"), ("BLT-TAVT-vn", "blt-Tavt-VN"),
        ("zh-hant-tw", "zh-Hant-TW"), ("en-US", "en-US"), ("es-419", "es-419"), ("de-CH-1901", "de-CH-1901"),
        ("sl-rozaj-biske", "sl-rozaj-biske"), ("en-a-bbb-x-ccc", "en-a-bbb-x-ccc"), ("x-kho", "x-kho"),
        ("i-klingon", "i-klingon"), ("zh-yue", "zh-yue"), ("cjm-Cham", "cjm-Cham"), ("km-Khmr", "km-Khmr"),
    ])
    func wellFormedTagsAreAcceptedInCanonicalCase(input: String, canonical: String) throws {
        let tag = try LanguageTag.parse(input).get()
        #expect(tag.value == canonical)
    }

    @Test func subtagsAreUnderstood() throws {
        let tag = try LanguageTag.parse("blt-Tavt-VN").get()
        #expect(tag.language == "blt")
        #expect(tag.script == "Tavt")
        #expect(tag.region == "VN")
        #expect(try LanguageTag.parse("zh-yue").get().language == "yue")
    }

    @Test(arguments: [
        ("vi_VN", "'-', not '_'"), ("", "empty"), ("e", "singleton"), ("thai", "reserved"), ("khmer", "5 to 8 letter"),
        ("en--US", "empty"), ("en-US-", "empty"), ("de-1901-1901", "appears twice"), ("en-a-aa-a-bb", "appears twice"),
        ("x", "private-use"), ("vi-Latn-Latn", "not valid in this position"), ("en-a", "at least one subtag"),
        ("tiếng", "ASCII"), ("123", "must be letters"), ("abcdefghi", "longer than 8"),
    ])
    func malformedTagsAreRejectedWithAReason(input: String, reason: String) {
        switch LanguageTag.parse(input) {
        case .success(let tag): Issue.record("\(input) parsed as \(tag)")
        case .failure(let malformed): #expect(malformed.reason.contains(reason), "\(malformed.reason)")
        }
    }
}

@Suite struct LanguageRegistryTests {
    let registry = LanguageRegistry.standard

    @Test(arguments: [
        ("Tày", "tyz"), ("Ê Đê", "rad"), ("Khmer", "km"), ("Mông", "hmn"), ("Gia Rai", "jra"), ("Mường", "mtq"),
        ("Xơ Đăng", "sed"), ("K'Ho", "kpm"), ("Tiếng Việt", "vi"), ("Thái Đen", "blt"), ("Hà Nhì", "hni"),
    ])
    func languageNamesResolveToTags(name: String, tag: String) throws {
        let resolved = try registry.resolve(name).get()
        #expect(resolved.tag.value == tag)
        #expect(resolved.warning == nil)
    }

    @Test(arguments: ["dao", "th", "tay", "DAO"])
    func trapsAreAcceptedWithAWarning(tag: String) throws {
        let resolved = try registry.resolve(tag).get()
        #expect(resolved.tag.value == tag.lowercased())
        #expect(resolved.warning != nil)
    }

    @Test func ambiguousNamesListTheChoices() {
        guard case .failure(let problem) = registry.resolve("Thái") else { Issue.record("Thái resolved"); return }
        #expect(problem.code == .ambiguousLanguage)
        #expect(problem.expected.contains("blt") && problem.expected.contains("twh") && problem.expected.contains("tyr"))
    }

    @Test func unknownNamesAreMalformedTags() {
        guard case .failure(let problem) = registry.resolve("Klingonese") else { Issue.record("resolved"); return }
        #expect(problem.code == .malformedLanguageTag)
        #expect(problem.value == "Klingonese")
    }

    @Test(arguments: [
        ("vi", LanguageGroup.national), ("vi-VN", .national), ("tyz", .minority), ("blt-Tavt", .minority),
        ("hmn", .minority), ("km", .minority), ("zh-yue", .minority), ("en", .foreign), ("fr", .foreign),
        ("th", .foreign), ("dao", .foreign), ("x-kho", .undetermined), ("und", .undetermined),
    ])
    func groupsFollowTheMinorityList(tag: String, group: LanguageGroup) throws {
        #expect(registry.group(of: try LanguageTag.parse(tag).get()) == group)
    }

    @Test func theMinorityListIsConfiguration() throws {
        let abroad = LanguageRegistry(minorityTags: LanguageRegistry.defaultMinorityTags.subtracting(["km", "zh"]))
        #expect(abroad.group(of: try LanguageTag.parse("km").get()) == .foreign)
        #expect(abroad.group(of: try LanguageTag.parse("tyz").get()) == .minority)
    }

    @Test func everyTableTagIsWellFormed() {
        for entry in LanguageRegistry.vietnamLanguages {
            #expect((try? LanguageTag.parse(entry.tag).get()) != nil, "\(entry.tag)")
        }
        for tag in LanguageRegistry.defaultMinorityTags {
            #expect(LanguageRegistry.vietnamLanguages.contains { $0.tag == tag }, "\(tag) has no name")
        }
    }
}
