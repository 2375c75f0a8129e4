// Errors as values: a stable code, a message a clerk can act on, and the cause.
// The command line turns them into one line and an exit code; nothing else does.

/// What kind of failure this is, which decides the exit code.
public enum ErrorCategory: String, Sendable, Codable {
    /// The user gave something wrong (a value, a file, an ID): exit 1.
    case input
    /// The environment stopped us (disk full, archive locked, unreadable): exit 1.
    case environment
    /// Stored content is damaged or missing: exit 3.
    case damage
    /// A bug or an impossible state: exit 1, with the cause.
    case `internal`
}

/// An error a user can act on. `code` is stable (scripts may match it);
/// `message` is one line that names the value and what was expected.
public struct KhoError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var category: ErrorCategory
    /// Where it came from, for logs and `--json` (e.g. the errno text).
    public var cause: String?

    public init(_ code: String, _ message: String, category: ErrorCategory = .input, cause: String? = nil) {
        self.code = code
        self.message = message
        self.category = category
        self.cause = cause
    }

    public var description: String { message }

    public var exitCode: Int32 {
        switch category {
        case .damage: 3
        default: 1
        }
    }
}

/// One problem found while validating input: which field, which value, what was expected.
public struct Problem: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public var field: String
    public var value: String
    public var expected: String
    public var code: String

    public init(code: String, field: String, value: String, expected: String) {
        self.code = code
        self.field = field
        self.value = value
        self.expected = expected
    }

    public var description: String {
        "\(field): \(value.isEmpty ? "(empty)" : "'\(value)'") — \(expected)"
    }
}

/// Several problems at once; validation reports all of them, not just the first.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var problems: [Problem]
    public init(_ problems: [Problem]) { self.problems = problems }

    public var asKhoError: KhoError {
        let first = problems.first?.code ?? "invalid"
        return KhoError(first, problems.map(\.description).joined(separator: "\n"))
    }
}
