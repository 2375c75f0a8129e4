import Testing
@testable import KhoCore

/// An ID held as its 16 bytes behaves as its text did, and an export's list of them reads and
/// writes the catalog's text exactly as before.
@Suite struct ProductIDListTests {
    @Test func anIDIsSixteenBytesAndOrdersAsItsText() {
        #expect(MemoryLayout<ProductID>.size == 16)
        var rng = SplitMix64(seed: 3)
        let ids = (0..<2000).map { _ in ProductID.generate(using: &rng) }
        #expect(ids.sorted().map(\.compact) == ids.map(\.compact).sorted())
        #expect(ids.sorted().map(\.description) == ids.map(\.description).sorted())
        // Equal and hashed alike exactly when the text is the same.
        #expect(Set(ids).count == Set(ids.map(\.description)).count)
        for id in ids.prefix(200) {
            let again = try? ProductID.parse(id.description.lowercased()).get()
            #expect(again == id && again?.hashValue == id.hashValue && !(again! < id) && !(id < again!))
            #expect(id.compact == id.description.replacingAll("-", with: "") && id.compact.utf8.count == 16)
        }
    }

    @Test func theListIsTheTextJSONListWrites() {
        var rng = SplitMix64(seed: 8)
        for count in [0, 1, 2, 500] {
            let ids = (0..<count).map { _ in ProductID.generate(using: &rng) }
            let text = ProductID.jsonList(ids)
            #expect(text == JSONList.encode(ids.map(\.description)))
            #expect(ProductID.list(json: text) == ids)
            #expect(JSONList.decode(text) == ids.map(\.description))
        }
    }

    @Test func listsWithSpacesOrLowerCaseRead() {
        let text = " [ \"7k3q-x9m2-pd4r-8wtr\" ,\n\t\"7K3QX9M2PD4R8WTR\" ] "
        let id = try? ProductID.parse("7K3Q-X9M2-PD4R-8WTR").get()
        #expect(ProductID.list(json: text) == [id!, id!])
        #expect(ProductID.list(json: "[ ]") == [])
    }

    @Test(arguments: ["", "{}", "[", "[\"7K3Q-X9M2-PD4R-8WTR\"", "[\"7K3Q-X9M2-PD4R-8WT5\"]", "[\"7K3Q-X9M2-PD4R-8WTR\",]",
                      "[7K3Q-X9M2-PD4R-8WTR]", "[\"7K3Q-X9M2-PD4R-8WTR\" \"7K3Q-X9M2-PD4R-8WTR\"]", "[\"7K3Q\\u002dX9M2-PD4R-8WTR\"]", "[\"7K3Q-X9M2-PD4R-8WTR\"] x", "[]]"])
    func anythingElseIsNotAList(text: String) {
        #expect(ProductID.list(json: text) == nil, "\(text)")
    }
}
