// The types of the layers below that appear in operations' inputs and results, named here so a
// front end needs only KhoCore, KhoPlatform and KhoOperations.
import KhoBundle
import KhoStore

public typealias ArchiveEnvironment = KhoStore.ArchiveEnvironment
public typealias S3Settings = KhoStore.S3Settings
public typealias BundleFormat = KhoBundle.BundleFormat
public typealias ExportSince = KhoStore.ExportSince
public typealias PutStatus = KhoStore.PutStatus
