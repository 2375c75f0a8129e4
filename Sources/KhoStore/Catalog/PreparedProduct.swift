// Everything about a new product row that can be computed without the database — its ID,
// sort key, folded search text, event texts — made ahead, in parallel, so the single
// writer thread only binds and steps.
import KhoCore
import KhoPlatform

struct PreparedProduct: Sendable {
    var id: ProductID
    var metadata: ProductMetadata
    var digitization: Digitization
    var titleSort: [UInt8]
    var titleKey: Int64
    var searchTitle: String
    var searchDescription: String
    var searchKeywords: String
    /// The product event's type and detail.
    var eventType: EventType
    var eventDetail: String
    /// Column texts, made ahead so the writer only binds them.
    var languagesJSON: String
    var channelsJSON: String
    var topicsJSON: String
    var produced: String?
    var published: String?
    var referenceDate: String?
    var digitizedOn: String?
    /// The report flags under the archive's configuration.
    var flags: ReportFlags
    /// The archive the product came from (a bundle); nil: created here.
    var homeArchive: String?

    init(id: ProductID, metadata: ProductMetadata, digitization: Digitization, detail: String, config: ArchiveConfig) {
        self.id = id
        self.metadata = metadata
        self.digitization = digitization
        titleSort = VietnameseText.collationKey(metadata.title)
        titleKey = TitleKey.of(metadata.title)
        searchTitle = SearchQuery.indexText(metadata.title)
        searchDescription = SearchQuery.indexText(metadata.description)
        searchKeywords = SearchQuery.indexText(metadata.searchKeywords)
        eventType = digitization.origin == .bornDigital ? .ingestion : .registration
        eventDetail = detail
        languagesJSON = JSONList.encode(metadata.languages.map(\.value))
        channelsJSON = JSONList.encode(metadata.channels.map(\.rawValue))
        topicsJSON = JSONList.encode(metadata.topics)
        produced = metadata.produced?.description
        published = metadata.published?.description
        referenceDate = metadata.referenceDate?.description
        digitizedOn = digitization.digitizedOn?.description
        flags = config.flags(metadata)
    }

}
