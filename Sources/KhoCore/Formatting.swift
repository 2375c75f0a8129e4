// Human figures: byte counts, rates, durations and the progress line.

public enum Formatting {
    /// 1.5 KB, 12.3 MB, 2.0 GB (decimal units, as disks are sold).
    public static func bytes(_ count: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        if unit == 0 { return "\(count) B" }
        return "\(oneDecimal(value)) \(units[unit])"
    }

    public static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    /// 0:09, 12:30, 1:02:03.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(seconds.rounded())
        let h = total / 3600, m = total / 60 % 60, s = total % 60
        let ss = s < 10 ? "0\(s)" : "\(s)"
        if h > 0 { return "\(h):\(m < 10 ? "0\(m)" : "\(m)"):\(ss)" }
        return "\(m):\(ss)"
    }

    /// One line of progress: `verify  45% [#########-----------] 1.2 GB/2.7 GB  230.0 MB/s  ETA 0:07`.
    /// Progress goes by bytes; with no bytes to move (metadata only) it goes by items.
    public static func progressLine(label: String, done: Int64, total: Int64, elapsed: Double, width: Int = 80,
                                    items: (done: Int, total: Int)? = nil, noun: String = "files") -> String {
        let byItems = total == 0 && (items?.total ?? 0) > 0
        let fraction = byItems ? Double(items!.done) / Double(items!.total) : total > 0 ? min(1, Double(done) / Double(total)) : 1
        let percent = Int((fraction * 100).rounded(.down))
        let remaining = fraction > 0 && elapsed > 0 ? elapsed * (1 - fraction) / fraction : .infinity
        var tail = byItems ? (done > 0 ? "\(bytes(done))  " : "") : "\(bytes(done))/\(bytes(total))  "
        if let items { tail += "\(items.done)/\(items.total) \(noun)  " }
        if byItems, let items, elapsed > 0 {
            tail += "\(Int((Double(items.done) / elapsed).rounded())) \(noun)/s"
            if done > 0 { tail += ", \(bytes(Int64(Double(done) / elapsed)))/s" }
        }
        else { tail += "\(bytes(Int64(elapsed > 0 ? Double(done) / elapsed : 0)))/s" }
        tail += "  ETA \(duration(remaining))"
        let pct = percent < 10 ? "  \(percent)%" : percent < 100 ? " \(percent)%" : "\(percent)%"
        let fixed = label.count + pct.count + tail.count + 6
        let barWidth = max(10, min(30, width - fixed))
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled)
        return "\(label) \(pct) [\(bar)] \(tail)"
    }
}
