import Foundation
import GatehouseStore

/// A server-rendered SVG bar chart of an integration's requests per day, stacked by answer
/// (successes, client errors, rate-limit refusals, server errors): readable without JavaScript.
enum UsageChart {
    static let buckets: [(status: String, label: String, color: String)] = [
        ("2xx", "succeeded", "#2f6feb"), ("3xx", "redirected", "#8c959f"), ("4xx", "refused (4xx)", "#d4a72c"),
        ("429", "rate limited", "#cf222e"), ("5xx", "failed (5xx)", "#24292f"),
    ]

    /// The chart for the `days` days ending with `today` (days since 1970, UTC).
    static func svg(_ usage: [DailyUsage], today: Int64, days: Int = 30) -> String {
        var perDay: [Int64: [String: Int]] = [:]
        for entry in usage { perDay[entry.day, default: [:]][entry.status, default: 0] += entry.count }
        let first = today - Int64(days - 1)
        let maximum = max(1, (first...today).map { perDay[$0]?.values.reduce(0, +) ?? 0 }.max() ?? 1)
        let width = 720.0
        let height = 180.0
        let left = 40.0
        let bottom = 20.0
        let slot = (width - left) / Double(days)
        var bars = ""
        for (index, day) in (first...today).enumerated() {
            var y = height - bottom
            let counts = perDay[day] ?? [:]
            for bucket in buckets {
                let count = counts[bucket.status] ?? 0
                guard count > 0 else { continue }
                let barHeight = (height - bottom - 10) * Double(count) / Double(maximum)
                y -= barHeight
                let date = Date(timeIntervalSince1970: Double(day) * 86_400).formatted(.iso8601.year().month().day())
                bars += String(
                    format:
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"><title>%@: %d %@</title></rect>",
                    left + Double(index) * slot + 1,
                    y,
                    max(1, slot - 2),
                    barHeight,
                    bucket.color,
                    date,
                    count,
                    bucket.label
                )
            }
        }
        let total = usage.filter { $0.day >= first }.reduce(0) { $0 + $1.count }
        let limited = usage.filter { $0.day >= first && $0.status == "429" }.reduce(0) { $0 + $1.count }
        let legend = buckets.enumerated().map { index, bucket in
            String(
                format:
                    "<rect x=\"%.0f\" y=\"%.0f\" width=\"10\" height=\"10\" fill=\"%@\"/><text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">%@</text>",
                left + Double(index) * 120,
                height + 6,
                bucket.color,
                left + Double(index) * 120 + 14,
                height + 15,
                bucket.label
            )
        }.joined()
        return """
            <svg class="chart" id="usage-chart" viewBox="0 0 \(Int(width)) \(Int(height + 24))" role="img" \
            aria-label="Requests per day over the last \(days) days: \(total) in all, \(limited) rate limited" \
            xmlns="http://www.w3.org/2000/svg">\
            <line x1="\(Int(left))" y1="\(Int(height - bottom))" x2="\(Int(width))" y2="\(Int(height - bottom))" stroke="#d1d9e0"/>\
            <text x="0" y="14" font-size="11">\(maximum)</text><text x="0" y="\(Int(height - bottom))" font-size="11">0</text>\
            \(bars)\(legend)</svg>
            """
    }
}
