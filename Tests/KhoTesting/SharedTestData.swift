// The test data nobody here wrote (../shared/testdata: the Library of Congress BagIt suite,
// the OAI-PMH and Dublin Core schemas, real media samples). A newcomer's clone has none: tests
// that need it are skipped with a one-line notice naming what is missing; under CI=true its
// absence is a failure.
import Foundation
import Testing

public enum SharedTestData {
    /// `$KHO_SHARED_TESTDATA`, else the nearest `shared/testdata` beside the repository or above it.
    public static let root: URL = {
        if let explicit = ProcessInfo.processInfo.environment["KHO_SHARED_TESTDATA"] { return URL(fileURLWithPath: explicit) }
        var dir = repositoryRoot.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("shared/testdata")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    }()

    static var underCI: Bool { ProcessInfo.processInfo.environment["CI"]?.lowercased() == "true" }

    /// `relative` inside the shared test data. When it is absent, the test is skipped with a
    /// notice, or fails under CI=true.
    public static func require(_ relative: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        if let found = path(relative, announce: false, sourceLocation: sourceLocation) { return found }
        try Test.cancel("skipped: needs \(root.appendingPathComponent(relative).path) (the shared test data is not beside this clone)",
                        sourceLocation: sourceLocation)
    }

    /// `relative` inside the shared test data, or nil (with a notice, or a failure under CI=true)
    /// for the part of a test that needs it.
    public static func path(_ relative: String, announce: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) -> URL? {
        let url = root.appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        let notice = "the shared test data is missing: \(url.path) (../shared beside the repository, or set KHO_SHARED_TESTDATA)"
        if underCI {
            Issue.record(Comment(rawValue: notice + "; CI=true requires it"), sourceLocation: sourceLocation)
        } else if announce {
            FileHandle.standardError.write(Data("notice: \(notice); that part is skipped\n".utf8))
        }
        return nil
    }
}
