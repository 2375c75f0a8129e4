// The one table from error codes to HTTP statuses, for the server: each code once, checked by
// the compiler (a new code does not build until it has a status here).
import KhoCore

extension ErrorCode {
    public var httpStatus: Int {
        switch self {
        case .usage, .uploadInterrupted:
            400
        case .notAuthenticated:
            401
        case .forbidden:
            403
        case .unknownProduct, .unknownFile, .unknownUnit, .noFiles, .notAnArchive, .noPreviousExport, .unknownUser, .unknownUpload, .unknownJob, .unknownLanguage:
            404
        case .accessLowered, .alreadyWithdrawn, .changedMeanwhile, .fileExists, .folderNotEmpty, .sourceIdConflict, .fileChanged, .userExists, .offsetMismatch:
            409
        case .unsupportedVersion:
            412
        case .payloadTooLarge:
            413
        case .unsupportedMediaType:
            415
        case .absolutePath, .ambiguousLanguage, .controlCharacters, .duplicateColumn, .duplicateRow, .emptyManifest, .emptyQuery, .extraCells,
             .invalidChoice, .invalidDate, .invalidPeriod, .invalidRange, .invalidTitle, .invalidUnitCode, .malformedJson,
             .malformedLanguageTag, .malformedManifest, .malformedProductId, .missingFile, .missingKind, .missingLanguage, .missingReason,
             .missingTitle, .missingUnit, .mistypedProductId, .noKnownColumns, .notUtf8, .notAFile, .notAFolder, .notAKhoBundle,
             .notARegularFile, .notMaster, .notPhysical, .outputIsTerminal, .outputInArchive, .pathEscapesFolder, .sourceIdTooLong,
             .titleTooLong, .unclosedQuote, .unknownAccess, .unknownCarrier, .unknownChannel, .unknownField,
             .unknownKind, .unknownLanguageTag, .unknownMethod, .unknownRole, .invalidBundle, .invalidUserName, .weakPassword:
            422
        case .tooManyAttempts:
            429
        case .checksumMismatch:
            460  // tus 1.0, checksum extension
        case .archiveLocked:
            503
        case .diskFull:
            507
        case .archiveDamaged, .blobDamaged, .blobMissing, .catalogDamaged, .sizeChanged, .invalidConfig, .archiveTooNew,
             .bundleWriteFailed, .catalogUnwritable, .ioError, .outOfMemory, .readOnly, .systemError, .unreadableFile,
             .catalogError, .duplicatePath, .internal, .retryChunk:
            500
        }
    }
}
