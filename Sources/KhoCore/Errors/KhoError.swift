// Errors as values: a code the compiler checks, a message a clerk can act on, the offending
// value and where it was, and the underlying cause. Front ends convert them at the edge (the
// command line to an exit code, the server to an HTTP status); nothing below them prints.

/// An error a user can act on. `code` is stable (scripts match its raw value); `message` is
/// one line (several for several problems) naming the value and what was expected.
public struct KhoError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// The offending value and where it was: a file, a row and column, a field.
    public var subject: Subject?
    /// What went wrong underneath (an errno, a SQLite error), for logs and `--json`.
    public var cause: (any Error & Sendable)?
    /// Every problem of a validation that found several (each with its field and value).
    public var problems: [Problem]

    public init(_ code: ErrorCode, _ message: String, subject: Subject? = nil, cause: (any Error & Sendable)? = nil,
                problems: [Problem] = []) {
        self.code = code
        self.message = message
        self.subject = subject
        self.cause = cause
        self.problems = problems
    }

    public var category: ErrorCategory { code.category }
    public var description: String { message }

    /// The cause as one line of text, when there is one.
    public var causeText: String? { cause.map { String(describing: $0) } }

    public static func == (a: KhoError, b: KhoError) -> Bool {
        a.code == b.code && a.message == b.message && a.subject == b.subject && a.problems == b.problems
    }
}

/// Where an offending value was found. Every part is optional: a bad option names only its
/// field, a manifest cell its file, row and column.
public struct Subject: Sendable, Equatable, Codable {
    public var file: String?
    public var row: Int?
    public var column: String?
    public var field: String?
    public var value: String?

    public init(file: String? = nil, row: Int? = nil, column: String? = nil, field: String? = nil, value: String? = nil) {
        self.file = file
        self.row = row
        self.column = column
        self.field = field
        self.value = value
    }

    public static func file(_ path: String) -> Subject { Subject(file: path) }
    public static func field(_ name: String, _ value: String) -> Subject { Subject(field: name, value: value) }
}

/// One problem found while validating input: which field, which value, what was expected.
public struct Problem: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public var field: String
    public var value: String
    public var expected: String
    public var code: ErrorCode

    public init(code: ErrorCode, field: String, value: String, expected: String) {
        self.field = field
        self.value = value
        self.expected = expected
        self.code = code
    }

    /// Control characters in the value are shown escaped, never raw.
    public var description: String {
        "\(field): \(value.isEmpty ? "(empty)" : "'\(TextRules.visible(value))'") — \(expected)"
    }
}

/// Several problems at once; validation reports all of them, not just the first.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var problems: [Problem]
    public init(_ problems: [Problem]) { self.problems = problems }

    /// One error listing every problem, one per line, coded by the first.
    public var asKhoError: KhoError {
        let first = problems.first
        return KhoError(first?.code ?? .invalidChoice, problems.map(\.description).joined(separator: "\n"),
                        subject: first.map { .field($0.field, $0.value) }, problems: problems)
    }
}

/// An errno as a cause: its text is what `strerror` says.
public struct Errno: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int32
    public var description: String
    public init(_ code: Int32, text: String) {
        self.code = code
        description = text
    }
}

/// Another layer's error kept as a cause, by its description (that error need not be Sendable).
/// Shown in logs and `--json`'s cause, never in the message a user reads.
public struct Underlying: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ error: any Error) { description = String(describing: error) }
}
