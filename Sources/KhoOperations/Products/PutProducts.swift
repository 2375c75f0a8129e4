// Putting products into the archive: ingest (born digital, with its files), register
// (physical, no file yet), attach (files for an existing product) and edit (metadata).
import KhoCore
import KhoPlatform
import KhoStore

/// `kho ingest`: a born-digital product whose files are its masters.
public struct Ingest: ArchiveOperation {
    public var metadata: ProductInput
    public var files: [HostPath]
    /// Files hashed at once.
    public var jobs: Int

    public init(metadata: ProductInput, files: [HostPath], jobs: Int = Parallel.defaultJobs) {
        self.metadata = metadata
        self.files = files
        self.jobs = jobs
    }

    /// The metadata checked before the archive is opened (the run checks it again by the
    /// archive's own configuration).
    public func check() throws(KhoError) { _ = try validate(metadata, languages: .standard) }

    public func run(in session: Session) throws(KhoError) -> PutDocument {
        let validated = try session.validate(metadata)
        let result = try session.archive.ingest(validated.value, files: files, jobs: max(1, jobs), progress: session.progress)
        return session.document(try session.rerun(result, given: metadata, source: "ingest"), warnings: validated.warnings)
    }
}

/// `kho register`: a product that exists only on paper, tape or film; counted, not yet digitized.
public struct Register: ArchiveOperation {
    public var metadata: ProductInput
    /// nil: the carrier typical of the kind (posters on print, radio on audio tape, …).
    public var carrier: Carrier?

    public init(metadata: ProductInput, carrier: Carrier? = nil) {
        self.metadata = metadata
        self.carrier = carrier
    }

    /// The metadata checked before the archive is opened.
    public func check() throws(KhoError) { _ = try validate(metadata, languages: .standard) }

    public func run(in session: Session) throws(KhoError) -> PutDocument {
        let validated = try session.validate(metadata)
        let result = try session.archive.register(validated.value, carrier: carrier ?? Carrier.typical(for: validated.value.kind))
        return session.document(try session.rerun(result, given: metadata, source: "register"), warnings: validated.warnings)
    }
}

/// `kho attach`: files for an existing product. A master attached to a physical product
/// makes it digitized, on `digitizedOn` (default: today in Vietnam) by `method` (default:
/// by carrier).
public struct Attach: ArchiveOperation {
    public var id: ProductID
    public var files: [HostPath]
    public var role: FileRole
    public var digitizedOn: CalendarDate?
    public var method: DigitizationMethod?
    public var jobs: Int

    public init(id: ProductID, files: [HostPath], role: FileRole = .master, digitizedOn: CalendarDate? = nil,
                method: DigitizationMethod? = nil, jobs: Int = Parallel.defaultJobs) {
        self.id = id
        self.files = files
        self.role = role
        self.digitizedOn = digitizedOn
        self.method = method
        self.jobs = jobs
    }

    public func run(in session: Session) throws(KhoError) -> PutDocument {
        let result = try session.archive.attach(id, files: files, role: role, digitizedOn: digitizedOn, method: method,
                                                jobs: max(1, jobs), progress: session.progress)
        return session.document(result, warnings: [])
    }
}

/// A field `kho edit --clear` empties.
public enum ClearableField: String, Sendable, CaseIterable {
    case produced, published, channels, topics, campaign, description, creator
}

/// `kho edit`: changes the fields given (a list replaces the whole list) and empties those in
/// `clear`. If someone else changed the product meanwhile, nothing is written.
public struct Edit: ArchiveOperation {
    public var id: ProductID
    /// The fields to change; nil (or an empty list) leaves a field as it is.
    public var changes: ProductInput
    public var clear: [ClearableField]

    public init(id: ProductID, changes: ProductInput, clear: [ClearableField] = []) {
        self.id = id
        self.changes = changes
        self.clear = clear
    }

    public func run(in session: Session) throws(KhoError) -> PutDocument {
        let current = try session.archive.product(id)
        let validated = try session.validate(Self.overlay(changes, clearing: clear, on: ProductInput(current.metadata)))
        let result = try session.archive.updateMetadata(id, from: current, to: validated.value)
        return session.document(result, warnings: validated.warnings)
    }

    /// The current fields with the changes laid over them and the cleared ones emptied.
    static func overlay(_ given: ProductInput, clearing clear: [ClearableField], on current: ProductInput) -> ProductInput {
        var input = given.overlaid(on: current)
        for field in clear {
            switch field {
            case .produced: input.produced = nil
            case .published: input.published = nil
            case .channels: input.channels = []
            case .topics: input.topics = []
            case .campaign: input.campaign = nil
            case .description: input.description = nil
            case .creator: input.creator = nil
            }
        }
        return input
    }
}

/// Validates metadata: every problem at once, as one error.
func validate(_ input: ProductInput, languages: LanguageRegistry, today: CalendarDate? = nil) throws(KhoError) -> Validated<ProductMetadata> {
    switch ProductValidator(languages: languages, today: today).validate(input) {
    case .success(let validated): return validated
    case .failure(let failure): throw failure.asKhoError
    }
}

extension Session {
    /// Validates metadata by this archive's rules (its language registry).
    func validate(_ input: ProductInput) throws(KhoError) -> Validated<ProductMetadata> {
        try KhoOperations.validate(input, languages: archive.registry, today: clock.now().vietnamDate)
    }

    /// A put that found its product already there: what it gives differently is applied (or
    /// refused), never ignored.
    func rerun(_ result: PutResult, given: ProductInput, source: String) throws(KhoError) -> PutResult {
        guard result.status == .alreadyPresent else { return result }
        let rerun = try archive.applyRerun(result.product, given: given, source: source)
        guard rerun.status == .updated else { return result }
        var updated = rerun
        updated.newBlobs = result.newBlobs
        return updated
    }

    func document(_ result: PutResult, warnings: [String]) -> PutDocument {
        PutDocument(product: ProductDocument(result.product, registry: archive.registry), status: result.status.rawValue,
                    notices: result.notices, warnings: warnings, bytesStored: result.bytesStored)
    }
}

/// `kho withdraw`: the product leaves lists, exports and harvesting, and stays in the archive.
public struct Withdraw: ArchiveOperation {
    public var id: ProductID
    public var reason: String

    public init(id: ProductID, reason: String) {
        self.id = id
        self.reason = reason
    }

    public func run(in session: Session) throws(KhoError) -> PutDocument {
        session.document(try session.archive.withdraw(id, reason: reason), warnings: [])
    }
}
