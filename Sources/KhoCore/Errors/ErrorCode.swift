// Every error code Kho uses, and its category. The raw values are stable: scripts match them
// in `--json` output. Adding a code means deciding its category here and its HTTP status in
// KhoOperations (both switches are exhaustive, so the compiler asks).

public enum ErrorCode: String, Sendable, Codable, CaseIterable {
    // usage: The command line or a request is malformed: an unknown option, a missing argument, options that exclude each other.
    case usage
    // input: Something the user gave is wrong or names nothing: a value, a file, an ID.
    case absolutePath = "absolute_path"
    case ambiguousLanguage = "ambiguous_language"
    case accessLowered = "access_lowered"
    case alreadyWithdrawn = "already_withdrawn"
    case changedMeanwhile = "changed_meanwhile"
    case controlCharacters = "control_characters"
    case duplicateColumn = "duplicate_column"
    case duplicateRow = "duplicate_row"
    case emptyManifest = "empty_manifest"
    case emptyQuery = "empty_query"
    case extraCells = "extra_cells"
    case fileChanged = "file_changed"
    case fileExists = "file_exists"
    case folderNotEmpty = "folder_not_empty"
    case invalidChoice = "invalid_choice"
    case invalidDate = "invalid_date"
    case invalidPeriod = "invalid_period"
    case invalidRange = "invalid_range"
    case invalidTitle = "invalid_title"
    case invalidUnitCode = "invalid_unit_code"
    case malformedJson = "malformed_json"
    case malformedLanguageTag = "malformed_language_tag"
    case malformedManifest = "malformed_manifest"
    case malformedProductId = "malformed_product_id"
    case missingFile = "missing_file"
    case missingReason = "missing_reason"
    case missingKind = "missing_kind"
    case missingLanguage = "missing_language"
    case missingTitle = "missing_title"
    case missingUnit = "missing_unit"
    case mistypedProductId = "mistyped_product_id"
    case noFiles = "no_files"
    case noKnownColumns = "no_known_columns"
    case noPreviousExport = "no_previous_export"
    case notUtf8 = "not_utf8"
    case notAFile = "not_a_file"
    case notAFolder = "not_a_folder"
    case notAKhoBundle = "not_a_kho_bundle"
    case notARegularFile = "not_a_regular_file"
    case notAnArchive = "not_an_archive"
    case notMaster = "not_master"
    case notPhysical = "not_physical"
    case outputIsTerminal = "output_is_terminal"
    case outputInArchive = "output_in_archive"
    case pathEscapesFolder = "path_escapes_folder"
    case payloadTooLarge = "payload_too_large"
    case sourceIdConflict = "source_id_conflict"
    case sourceIdTooLong = "source_id_too_long"
    case titleTooLong = "title_too_long"
    case unclosedQuote = "unclosed_quote"
    case unknownAccess = "unknown_access"
    case unknownCarrier = "unknown_carrier"
    case unknownChannel = "unknown_channel"
    case unknownField = "unknown_field"
    case unknownFile = "unknown_file"
    case unknownKind = "unknown_kind"
    case unknownLanguageTag = "unknown_language_tag"
    case unknownMethod = "unknown_method"
    case unknownProduct = "unknown_product"
    case unknownRole = "unknown_role"
    case unknownUnit = "unknown_unit"
    case unknownUser = "unknown_user"
    case invalidUserName = "invalid_user_name"
    case weakPassword = "weak_password"
    case userExists = "user_exists"
    /// No valid session or token: log in first.
    case notAuthenticated = "not_authenticated"
    /// Logged in, but the role does not allow this, or a form came without its CSRF token.
    case forbidden
    /// Too many failed logins for an account or an address: wait before the next try.
    case tooManyAttempts = "too_many_attempts"
    case uploadInterrupted = "upload_interrupted"
    /// A resumable upload that does not exist (or not for this user), or has expired.
    case unknownUpload = "unknown_upload"
    /// A background job or an export that does not exist, or not for this user.
    case unknownJob = "unknown_job"
    /// A language asked for by name or tag (a filter) that Kho does not know: nothing to find.
    case unknownLanguage = "unknown_language"
    /// A chunk of a resumable upload whose bytes do not match the checksum sent with it.
    case checksumMismatch = "checksum_mismatch"
    /// A chunk of a resumable upload sent for another offset than the upload is at.
    case offsetMismatch = "offset_mismatch"
    /// A request body of a type the route does not take.
    case unsupportedMediaType = "unsupported_media_type"
    /// A protocol version the server does not speak (tus other than 1.0.0).
    case unsupportedVersion = "unsupported_version"
    // environment: The machine stopped the work: a full disk, a lock held by another process, a permission.
    case archiveLocked = "archive_locked"
    /// The archive's kho-config.json cannot be read.
    case invalidConfig = "invalid_config"
    case archiveTooNew = "archive_too_new"
    case bundleWriteFailed = "bundle_write_failed"
    case catalogUnwritable = "catalog_unwritable"
    case diskFull = "disk_full"
    case ioError = "io_error"
    case outOfMemory = "out_of_memory"
    case readOnly = "read_only"
    case systemError = "system_error"
    case unreadableFile = "unreadable_file"
    // damage: Stored or received content is damaged or missing.
    case archiveDamaged = "archive_damaged"
    case blobDamaged = "blob_damaged"
    case blobMissing = "blob_missing"
    case catalogDamaged = "catalog_damaged"
    case invalidBundle = "invalid_bundle"
    case sizeChanged = "size_changed"
    // internal: A bug or an impossible state.
    case catalogError = "catalog_error"
    case duplicatePath = "duplicate_path"
    case `internal`
    case retryChunk = "retry_chunk"
}

/// What kind of failure an error is; the command line maps it to an exit code.
public enum ErrorCategory: String, Sendable, Codable {
    /// The command line itself is wrong: exit 2.
    case usage
    /// The user gave something wrong (a value, a file, an ID): exit 1.
    case input
    /// The environment stopped us (disk full, archive locked, unreadable): exit 1.
    case environment
    /// Stored content is damaged or missing: exit 3.
    case damage
    /// A bug or an impossible state: exit 1, with the cause.
    case `internal`
}

extension ErrorCode {
    public var category: ErrorCategory {
        switch self {
        case .usage:
            .usage
        case .absolutePath, .pathEscapesFolder, .sourceIdTooLong, .accessLowered, .alreadyWithdrawn, .missingReason, .ambiguousLanguage, .changedMeanwhile, .controlCharacters, .duplicateColumn, .duplicateRow, .emptyManifest, .emptyQuery,
             .extraCells, .fileChanged, .fileExists, .folderNotEmpty, .invalidChoice, .invalidDate,
             .invalidPeriod, .invalidRange, .invalidTitle, .invalidUnitCode, .malformedJson, .malformedLanguageTag,
             .malformedManifest, .malformedProductId, .missingFile, .missingKind, .missingLanguage, .missingTitle,
             .missingUnit, .mistypedProductId, .noFiles, .noKnownColumns, .noPreviousExport, .notUtf8, .notAFile, .notAFolder,
             .notAKhoBundle, .notARegularFile, .notAnArchive, .notMaster, .notPhysical, .outputIsTerminal, .outputInArchive,
             .payloadTooLarge, .sourceIdConflict, .titleTooLong, .unclosedQuote, .unknownAccess, .unknownCarrier,
             .unknownChannel, .unknownField, .unknownFile, .unknownKind, .unknownLanguageTag, .unknownMethod,
             .unknownProduct, .unknownRole, .unknownUnit, .uploadInterrupted, .unknownUser, .invalidUserName, .weakPassword,
             .userExists, .notAuthenticated, .forbidden, .tooManyAttempts, .unknownUpload, .unknownJob, .unknownLanguage, .checksumMismatch, .offsetMismatch,
             .unsupportedMediaType, .unsupportedVersion:
            .input
        case .invalidConfig, .archiveLocked, .archiveTooNew, .bundleWriteFailed, .catalogUnwritable, .diskFull, .ioError, .outOfMemory,
             .readOnly, .systemError, .unreadableFile:
            .environment
        case .archiveDamaged, .blobDamaged, .blobMissing, .catalogDamaged, .invalidBundle, .sizeChanged:
            .damage
        case .catalogError, .duplicatePath, .internal, .retryChunk:
            .internal
        }
    }
}
