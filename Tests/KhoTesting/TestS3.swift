// The S3 server the tests talk to: a real one (SeaweedFS) that Scripts/test starts on loopback
// and names in $KHO_TEST_S3_ENDPOINT, with one bucket and one key. Without it, the tests that
// need it are skipped with a notice; under CI=true its absence is a failure.
import Foundation
import Testing

public enum TestS3 {
    public static var endpoint: String? { ProcessInfo.processInfo.environment["KHO_TEST_S3_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } }
    public static var bucket: String { ProcessInfo.processInfo.environment["KHO_TEST_S3_BUCKET"] ?? "kho-test" }
    public static let accessKey = "khotest"
    public static let secretKey = "khotest-secret-key"
    /// How long the tests' own clients wait for an answer to go on (Kho's default is 120 s).
    /// The answer is read by the test's task. `packedSidecarsGoUpOneByOneAndRebuild` failed on a
    /// read timeout in two full runs on two cores (sessions 53 and 54), each time while hundreds
    /// of other tests finished in the same second: the test process's threads of Swift's
    /// concurrency busy elsewhere for minutes, as it looks, and the answer left unread.
    public static let readTimeout: Int64 = 900

    /// The endpoint, or the test is skipped with a notice (a failure under CI=true).
    public static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        if let endpoint { return endpoint }
        let notice = "no S3 server: KHO_TEST_S3_ENDPOINT is not set (Scripts/test starts one)"
        if SharedTestData.underCI { Issue.record(Comment(rawValue: notice + "; CI=true requires it"), sourceLocation: sourceLocation) }
        try Test.cancel("skipped: \(notice)", sourceLocation: sourceLocation)
    }

    /// A prefix no other test (nor an earlier run) uses.
    public static func prefix(_ name: String) -> String {
        "t-\(name)-\(getpid())-\(UInt64(Date().timeIntervalSince1970 * 1000) % 100_000_000)"
    }

    /// The environment a `kho` run needs to reach the server.
    public static var environment: [String: String] {
        ["AWS_ENDPOINT_URL": endpoint ?? "", "AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey, "AWS_DEFAULT_REGION": "us-east-1"]
    }
}
