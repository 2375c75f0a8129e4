// Where S3 replicas live and the keys to them: the variables every S3 tool reads
// (AWS_ENDPOINT_URL, AWS_DEFAULT_REGION or AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), else the archive's kho-config.json:
//
//   "s3": {"endpoint": "https://s3.example.vn", "region": "hn-1", "accessKeyId": "…", "secretAccessKey": "…"}
//
// A variable that is set wins over the file. The keys never leave with a copy of the file.
import Foundation
import KhoCore

public struct S3Settings: Sendable, Equatable {
    public var endpoint: String?
    public var region: String?
    public var accessKeyID: String?
    public var secretAccessKey: String?
    public var sessionToken: String?

    public init(endpoint: String? = nil, region: String? = nil, accessKeyID: String? = nil, secretAccessKey: String? = nil, sessionToken: String? = nil) {
        self.endpoint = endpoint
        self.region = region
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// From the environment's variables (empty ones count as not set).
    public static func fromEnvironment(_ env: [String: String]) -> S3Settings {
        func value(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        return S3Settings(endpoint: value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL"), region: value("AWS_DEFAULT_REGION") ?? value("AWS_REGION"),
                          accessKeyID: value("AWS_ACCESS_KEY_ID"), secretAccessKey: value("AWS_SECRET_ACCESS_KEY"), sessionToken: value("AWS_SESSION_TOKEN"))
    }

    /// These settings, with `other`'s where these have none. The keys come together from one
    /// side (a key ID from here with a secret from there would never sign right).
    func over(_ other: S3Settings) -> S3Settings {
        let keys = accessKeyID != nil || secretAccessKey != nil ? self : other
        return S3Settings(endpoint: endpoint ?? other.endpoint, region: region ?? other.region, accessKeyID: keys.accessKeyID,
                          secretAccessKey: keys.secretAccessKey, sessionToken: keys.sessionToken)
    }

    static var fileKeys: [String: WritableKeyPath<S3Settings, String?>] {
        ["endpoint": \.endpoint, "region": \.region, "accessKeyId": \.accessKeyID, "secretAccessKey": \.secretAccessKey, "sessionToken": \.sessionToken]
    }

    /// kho-config.json's "s3" object.
    static func parse(_ value: Any, path: String) throws(KhoError) -> S3Settings {
        guard let object = value as? [String: Any] else {
            throw KhoError(.invalidConfig, "\(path): s3 must be an object like {\"endpoint\": \"https://s3.example.vn\", \"region\": \"hn-1\"}")
        }
        var settings = S3Settings()
        for (key, item) in object {
            guard let field = fileKeys[key] else {
                throw KhoError(.invalidConfig, "\(path): unknown s3 setting '\(key)' (known: \(fileKeys.keys.sorted().joined(separator: ", ")))")
            }
            guard let text = item as? String, !text.isEmpty, text.count <= 2048, !text.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                throw KhoError(.invalidConfig, "\(path): s3.\(key) must be a non-empty text on one line")
            }
            settings[keyPath: field] = text
        }
        return settings
    }

    /// kho-config.json's bytes without the S3 keys (for a copy that leaves the archive): written
    /// anew from what was read whenever it has an "s3" setting (so a second "s3" in the file
    /// cannot carry a key through); nil, copy nothing, when it cannot be read.
    static func withoutKeys(_ config: [UInt8]) -> [UInt8]? {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(config))) as? [String: Any] else { return nil }
        guard var s3 = object["s3"] as? [String: Any] else {
            return object["s3"] == nil && !String(decoding: config, as: UTF8.self).contains("\"s3\"") ? config : nil
        }
        for key in ["accessKeyId", "secretAccessKey", "sessionToken"] { s3.removeValue(forKey: key) }
        object["s3"] = s3
        return (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])).map { Array($0) + [0x0A] }
    }
}
