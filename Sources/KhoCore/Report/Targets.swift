// The three indicators of the scheme and the targets they are measured against
// (DOMAIN.md, "Ratio definitions"). The defaults are data; an archive may set its own
// numbers and its own list of digital channels in kho-config.json.

public enum IndicatorKey: String, Sendable, Codable, CaseIterable {
    /// Products with at least one master file in the store.
    case digitized
    /// Products published on at least one digital channel.
    case digitalPlatform = "digital_platform"
    /// Products on a digital platform, or in an ethnic-minority or a foreign language.
    case diversified

    public var vietnamese: String {
        switch self {
        case .digitized: "Tỷ lệ số hóa"
        case .digitalPlatform: "Tỷ lệ trên nền tảng số"
        case .diversified: "Tỷ lệ đa dạng hóa (tiếng dân tộc thiểu số, tiếng nước ngoài hoặc nền tảng số)"
        }
    }

    public var english: String {
        switch self {
        case .digitized: "Digitized share"
        case .digitalPlatform: "Digital-platform share"
        case .diversified: "Diversified share (minority language, foreign language or digital platform)"
        }
    }
}

public enum TargetStatus: String, Sendable, Codable {
    case behind
    case onTarget = "on_target"
    case beyond

    public var vietnamese: String {
        switch self {
        case .behind: "chưa đạt"
        case .onTarget: "đạt"
        case .beyond: "vượt"
        }
    }

    public var english: String {
        switch self {
        case .behind: "behind"
        case .onTarget: "on target"
        case .beyond: "beyond target"
        }
    }
}

/// A target band: `min` to `max` (both inclusive); a single target is min = max.
public struct TargetBand: Sendable, Equatable, Codable {
    public var min: Double
    public var max: Double

    public init(min: Double, max: Double) {
        self.min = min
        self.max = max
    }

    /// Below the band: behind; inside: on target; above: beyond. A 100% target is met only at 100%.
    public func status(of share: Double) -> TargetStatus {
        // Shares are ratios of counts; compare with a tolerance so 3/20 is exactly 15%.
        let epsilon = 1e-9
        if share < min - epsilon { return .behind }
        if share > max + epsilon { return .beyond }
        return .onTarget
    }

    public var text: String {
        func pct(_ v: Double) -> String {
            let tenths = Int((v * 1000).rounded())
            return tenths % 10 == 0 ? "\(tenths / 10)%" : "\(tenths / 10).\(tenths % 10)%"
        }
        return min == max ? pct(min) : "\(pct(min))–\(pct(max))"
    }
}

public struct Targets: Sendable, Equatable {
    public var digitized: TargetBand
    public var digitalPlatform: TargetBand
    public var diversified: TargetBand
    /// The channels counted as digital platforms.
    public var digitalChannels: Set<Channel>
    /// Where the numbers came from: "DOMAIN.md defaults" or the archive's kho-config.json.
    public var source: String

    public init(digitized: TargetBand, digitalPlatform: TargetBand, diversified: TargetBand,
                digitalChannels: Set<Channel>, source: String) {
        self.digitized = digitized
        self.digitalPlatform = digitalPlatform
        self.diversified = diversified
        self.digitalChannels = digitalChannels
        self.source = source
    }

    /// The scheme's own numbers (Decision 1079/QĐ-TTg, DOMAIN.md).
    public static let defaults = Targets(
        digitized: TargetBand(min: 1, max: 1),
        digitalPlatform: TargetBand(min: 0.15, max: 0.20),
        diversified: TargetBand(min: 0.15, max: 0.20),
        digitalChannels: Set(Channel.allCases.filter(\.isDigital)),
        source: "defaults (Decision 1079/QĐ-TTg, DOMAIN.md)")

    public func band(_ key: IndicatorKey) -> TargetBand {
        switch key {
        case .digitized: digitized
        case .digitalPlatform: digitalPlatform
        case .diversified: diversified
        }
    }

    public func isDigital(_ channels: [Channel]) -> Bool { channels.contains(where: digitalChannels.contains) }
}
