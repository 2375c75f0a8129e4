// Turns what the catalog returned (counts per day, per breakdown key) into a report: the
// figures of the period, the trend, the breakdown rows with their labels. Pure.

/// Products of one day (and one breakdown key), as the catalog sums them.
public struct DayCounts: Sendable, Equatable {
    public var date: CalendarDate
    /// The breakdown key: a province code, "unit:era", a kind; "" when there is no breakdown.
    public var key: String
    public var counts: Counts
    /// The sum of the products' catalog keys: changes when a product is replaced by another.
    public var keySum: Int64

    public init(date: CalendarDate, key: String, counts: Counts, keySum: Int64) {
        self.date = date
        self.key = key
        self.counts = counts
        self.keySum = keySum
    }
}

/// Products of the period per language or channel (a product may count in several rows).
public struct KeyCounts: Sendable, Equatable {
    public var key: String
    public var counts: Counts

    public init(key: String, counts: Counts) {
        self.key = key
        self.counts = counts
    }
}

public enum ReportBuilder {
    public struct Input: Sendable {
        public var plan: ReportPlan
        public var archiveID: String
        public var targets: Targets
        public var registry: LanguageRegistry
        public var days: [DayCounts]
        /// For a breakdown by language or channel.
        public var listed: [KeyCounts]
        public var gaps: [GapEntry]
        public var undated: Int
        public var generatedAt: Timestamp

        public init(plan: ReportPlan, archiveID: String, targets: Targets, registry: LanguageRegistry, days: [DayCounts],
                    listed: [KeyCounts], gaps: [GapEntry], undated: Int, generatedAt: Timestamp) {
            self.plan = plan
            self.archiveID = archiveID
            self.targets = targets
            self.registry = registry
            self.days = days
            self.listed = listed
            self.gaps = gaps
            self.undated = undated
            self.generatedAt = generatedAt
        }
    }

    /// The report, with its fingerprint made by `hash` over `fingerprintText(input)`.
    public static func build(_ input: Input, table: UnitTable, hash: (String) -> String, computeMillis: Double) -> Report {
        let plan = input.plan
        let period = plan.request.period
        var counts = Counts()
        for day in input.days where period.contains(day.date) { counts += day.counts }
        var trend = plan.trendPeriods.map { p in
            TrendPoint(period: p, counts: input.days.reduce(into: Counts()) { sum, day in if p.contains(day.date) { sum += day.counts } })
        }
        // The trend starts at the first period with products (the archive's history may be shorter).
        while trend.count > 1 && trend[0].counts.total == 0 { trend.removeFirst() }
        return Report(generatedAt: input.generatedAt, archiveID: input.archiveID, scope: plan.scope, targets: input.targets,
                      counts: counts, breakdownKind: plan.request.breakdown,
                      breakdown: breakdown(input, table: table), trend: trend, gaps: input.gaps,
                      gapTotal: counts.total - counts.digitized, restrictedShown: plan.request.showRestricted,
                      undated: input.undated, notes: plan.notes, fingerprint: hash(fingerprintText(input)),
                      computeMillis: computeMillis)
    }

    static func breakdown(_ input: Input, table: UnitTable) -> [BreakdownRow] {
        let plan = input.plan
        let period = plan.request.period
        guard let kind = plan.request.breakdown else { return [] }
        var sums: [String: Counts] = [:]
        var labels: [String: (String, String)] = [:]
        switch kind {
        case .period:
            return period.subPeriods.map { p in
                BreakdownRow(key: p.label, label: p.label, counts: input.days.reduce(into: Counts()) { s, d in if p.contains(d.date) { s += d.counts } })
            }
        case .unit:
            // Rows arrive per day: each key's row is worked out once.
            var rowOf: [String: (key: String, label: String)] = [:]
            for day in input.days where period.contains(day.date) {
                let row: (key: String, label: String)
                if let known = rowOf[day.key] {
                    row = known
                } else if plan.selection == .country {
                    row = table.unit(day.key, era: .from2025).map { ($0.code, "\($0.code) \($0.fullName)") } ?? ("(unknown)", "(units in no table)")
                    rowOf[day.key] = row
                } else {
                    let parts = day.key.split(separator: ":").map(String.init)
                    let era: AdminUnit.Era = parts.count == 2 && parts[1] == "0" ? .before2025 : .from2025
                    row = table.breakdownRow(for: EraCode(parts.first ?? "", era), scope: plan.scope.unit)
                    rowOf[day.key] = row
                }
                sums[row.key, default: Counts()] += day.counts
                labels[row.key] = (row.label, row.label)
            }
            return sums.keys.sorted().map { BreakdownRow(key: $0, label: labels[$0]!.0, labelEnglish: labels[$0]!.1, counts: sums[$0]!) }
        case .kind:
            for day in input.days where period.contains(day.date) { sums[day.key, default: Counts()] += day.counts }
            let order = ProductKind.allCases.map(\.rawValue)
            return sums.keys.sorted { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }.map { key in
                let kind = ProductKind(rawValue: key)
                return BreakdownRow(key: key, label: kind?.vietnamese ?? key, labelEnglish: key.replacingOccurrences(of: "_", with: " "), counts: sums[key]!)
            }
        case .language:
            return input.listed.sorted { ($0.counts.total, $1.key) > ($1.counts.total, $0.key) }.map { row in
                guard let tag = try? LanguageTag.parse(row.key).get() else { return BreakdownRow(key: row.key, label: row.key, counts: row.counts) }
                let group = input.registry.group(of: tag).rawValue
                return BreakdownRow(key: row.key, label: "\(input.registry.label(tag, vietnamese: true)) [\(group)]",
                                    labelEnglish: "\(input.registry.label(tag, vietnamese: false)) [\(group)]", counts: row.counts)
            }
        case .channel:
            return input.listed.sorted { ($0.counts.total, $1.key) > ($1.counts.total, $0.key) }.map { row in
                guard let channel = Channel(rawValue: row.key) else {
                    return BreakdownRow(key: row.key.isEmpty ? "(none)" : row.key,
                                        label: row.key.isEmpty ? "(chưa đăng phát trên kênh nào)" : row.key,
                                        labelEnglish: row.key.isEmpty ? "(no channel)" : row.key, counts: row.counts)
                }
                let digital = input.targets.digitalChannels.contains(channel)
                let social: Set<Channel> = [.facebook, .youtube, .tiktok, .zalo]
                let name = social.contains(channel) ? "\(channel.vietnamese): \(row.key)" : channel.vietnamese
                return BreakdownRow(key: row.key, label: "\(name)\(digital ? " [số]" : "")",
                                    labelEnglish: "\(row.key.replacingOccurrences(of: "_", with: " "))\(digital ? " [digital]" : "")", counts: row.counts)
            }
        }
    }

    /// Everything the figures depend on, in a fixed order: the archive, the definitions and
    /// targets, the scope, and per day the sums read. Independent of the breakdown and format
    /// asked for, and of the time, so two reports of one scope from unchanged data agree.
    public static func fingerprintText(_ input: Input) -> String {
        let t = input.targets
        var lines = [
            "kho-report-fingerprint 1",
            "archive \(input.archiveID)",
            "targets \(t.digitized.min) \(t.digitized.max) \(t.digitalPlatform.min) \(t.digitalPlatform.max) \(t.diversified.min) \(t.diversified.max)",
            "digital-channels \(t.digitalChannels.map(\.rawValue).sorted().joined(separator: ","))",
            "minority \(input.registry.minorityTags.sorted().joined(separator: ","))",
            "scope \(input.plan.scope.unit.map { "\($0.era.rawValue):\($0.code)" } ?? "all") \(input.plan.span.from)..\(input.plan.span.to)",
            "period \(input.plan.request.period.from)..\(input.plan.request.period.to)",
            "undated \(input.undated)",
        ]
        var perDay: [CalendarDate: (Counts, Int64)] = [:]
        for d in input.days {
            let old = perDay[d.date] ?? (Counts(), 0)
            perDay[d.date] = (old.0 + d.counts, old.1 + d.keySum)
        }
        for date in perDay.keys.sorted() {
            let (c, k) = perDay[date]!
            lines.append("\(date) \(c.total) \(c.digitized) \(c.digitalPlatform) \(c.diversified) \(k)")
        }
        return lines.joined(separator: "\n")
    }
}
