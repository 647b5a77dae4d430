import SkiffStats

/// Renders a ``DriftReport`` as one self-contained HTML page: verdict table, notes, and per column an inline
/// SVG overlay of the reference and current distributions. No scripts, fonts or external resources.
public enum HTMLReport {
    /// The page. Charts appear for columns whose report carries a ``ColumnChart``.
    public static func render(_ report: DriftReport, title: String = "Skiff data drift report") -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem;color:#1d232b;max-width:1100px}
            h1{font-size:1.5rem;margin-bottom:.2rem}.sub{color:#5b6470;margin-top:0}
            .verdict{padding:.8rem 1rem;border-radius:6px;font-weight:600;margin:1rem 0}
            .drift{background:#fde8e6;color:#9b1c12}.nodrift{background:#e5f5ea;color:#1c6b35}
            table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{padding:.35rem .6rem;border-bottom:1px solid #e3e6ea;text-align:left}
            td.num{text-align:right;font-variant-numeric:tabular-nums}
            .badge{padding:.1rem .5rem;border-radius:10px;font-size:.85em}.b-drift{background:#d93025;color:#fff}
            .b-ok{background:#1e8e3e;color:#fff}.b-na{background:#9aa0a6;color:#fff}
            .col{border:1px solid #e3e6ea;border-radius:6px;padding:.8rem 1rem;margin:1rem 0}
            .col h3{margin:.1rem 0 .4rem 0;font-size:1.05rem}.notes{color:#8a5300;font-size:.9em}
            .legend span{display:inline-block;width:12px;height:12px;margin:0 .3rem 0 1rem;vertical-align:middle}
            </style></head><body>
            <h1>\(escape(title))</h1>
            <p class="sub">reference: \(escape(report.referenceDescription)) · current: \(escape(report.currentDescription))</p>

            """
        let tested = report.testedColumns.count
        let cls = report.datasetDrift ? "drift" : "nodrift"
        html += "<div class=\"verdict \(cls)\">"
        html += report.datasetDrift ? "Dataset drift detected" : "No dataset drift"
        html +=
            ": \(report.driftedColumns) of \(tested) tested columns drifted (share \(DriftReport.format(report.share)); "
        html += "dataset drift when share ≥ \(DriftReport.format(report.driftShare)))</div>\n"
        for note in report.notes { html += "<p class=\"notes\">\(escape(note))</p>\n" }
        html +=
            "<table><thead><tr><th>column</th><th>type</th><th>method</th><th>statistic</th><th>threshold</th><th>drift</th></tr></thead><tbody>\n"
        for column in report.columns {
            html +=
                "<tr><td><a href=\"#\(anchor(column.name))\">\(escape(column.name))</a></td><td>\(column.kind.rawValue)</td>"
            if let drift = column.drift {
                html +=
                    "<td>\(escape(drift.method.displayName))</td><td class=\"num\">\(DriftReport.format(drift.statistic))</td>"
                html += "<td class=\"num\">\(DriftReport.format(drift.threshold))</td>"
                html +=
                    drift.drifted
                    ? "<td><span class=\"badge b-drift\">drift</span></td>"
                    : "<td><span class=\"badge b-ok\">ok</span></td>"
            } else {
                html += "<td>–</td><td></td><td></td><td><span class=\"badge b-na\">not tested</span></td>"
            }
            html += "</tr>\n"
        }
        html += "</tbody></table>\n"
        html +=
            "<p class=\"legend\">Charts:<span style=\"background:#4c78a8\"></span>reference<span style=\"background:#f58518\"></span>current</p>\n"
        for column in report.columns {
            html += "<div class=\"col\" id=\"\(anchor(column.name))\"><h3>\(escape(column.name)) "
            if let drift = column.drift {
                html +=
                    drift.drifted
                    ? "<span class=\"badge b-drift\">drift</span>" : "<span class=\"badge b-ok\">ok</span>"
                html +=
                    "</h3><div>\(escape(drift.method.displayName)) = \(DriftReport.format(drift.statistic)), threshold \(DriftReport.format(drift.threshold))</div>\n"
            } else {
                html += "<span class=\"badge b-na\">not tested</span></h3><div>\(escape(column.error ?? ""))</div>\n"
            }
            for note in column.notes { html += "<div class=\"notes\">\(escape(note))</div>\n" }
            if let chart = column.chart { html += svg(chart, categorical: column.kind == .categorical) }
            html += "</div>\n"
        }
        html += "</body></html>\n"
        return html
    }

    /// An SVG bar chart: overlaid translucent histograms for numerical columns, paired bars for categories.
    static func svg(_ chart: ColumnChart, categorical: Bool) -> String {
        let width = 720.0
        let height = 200.0
        let left = 52.0
        let bottom = categorical ? 60.0 : 28.0
        let top = 10.0
        let plotW = width - left - 10
        let plotH = height - bottom - top
        let bars = chart.labels.count
        guard bars > 0 else { return "" }
        let peak = max((chart.reference + chart.current).max() ?? 0, 1e-12)
        let slot = plotW / Double(bars)
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"reference and current distributions\">\n"
        out +=
            "<line x1=\"\(left)\" y1=\"\(top + plotH)\" x2=\"\(left + plotW)\" y2=\"\(top + plotH)\" stroke=\"#888\"/>\n"
        for tick in [0.0, 0.5, 1.0] {
            let y = top + plotH - tick * plotH
            out +=
                "<text x=\"\(left - 4)\" y=\"\(f(y + 4))\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">\(DriftReport.formatFixed(peak * tick * 100, 1))%</text>\n"
        }
        for i in 0..<bars {
            let r = chart.reference[i] / peak * plotH
            let c = chart.current[i] / peak * plotH
            let title =
                "\(escape(chart.labels[i])): reference \(DriftReport.format(chart.reference[i] * 100))%, current \(DriftReport.format(chart.current[i] * 100))%"
            if categorical {
                let w = slot * 0.38
                let x = left + Double(i) * slot + slot * 0.1
                out +=
                    "<rect x=\"\(f(x))\" y=\"\(f(top + plotH - r))\" width=\"\(f(w))\" height=\"\(f(r))\" fill=\"#4c78a8\"><title>\(title)</title></rect>\n"
                out +=
                    "<rect x=\"\(f(x + w))\" y=\"\(f(top + plotH - c))\" width=\"\(f(w))\" height=\"\(f(c))\" fill=\"#f58518\"><title>\(title)</title></rect>\n"
                let label = chart.labels[i].count > 14 ? String(chart.labels[i].prefix(13)) + "…" : chart.labels[i]
                let lx = x + w
                let ly = top + plotH + 12
                out +=
                    "<text x=\"\(f(lx))\" y=\"\(f(ly))\" font-size=\"10\" text-anchor=\"end\" transform=\"rotate(-35 \(f(lx)) \(f(ly)))\" fill=\"#333\">\(escape(label))</text>\n"
            } else {
                let x = left + Double(i) * slot
                out +=
                    "<rect x=\"\(f(x))\" y=\"\(f(top + plotH - r))\" width=\"\(f(slot - 1))\" height=\"\(f(r))\" fill=\"#4c78a8\" fill-opacity=\"0.55\"><title>\(title)</title></rect>\n"
                out +=
                    "<rect x=\"\(f(x))\" y=\"\(f(top + plotH - c))\" width=\"\(f(slot - 1))\" height=\"\(f(c))\" fill=\"#f58518\" fill-opacity=\"0.55\"><title>\(title)</title></rect>\n"
            }
        }
        if !categorical, let first = chart.edges.first, let last = chart.edges.last {
            out +=
                "<text x=\"\(left)\" y=\"\(f(height - 8))\" font-size=\"10\" fill=\"#333\">\(DriftReport.format(first))</text>\n"
            out +=
                "<text x=\"\(f(left + plotW))\" y=\"\(f(height - 8))\" font-size=\"10\" text-anchor=\"end\" fill=\"#333\">\(DriftReport.format(last))</text>\n"
        }
        out += "</svg>\n"
        return out
    }

    private static func f(_ x: Double) -> String { DriftReport.formatFixed(x, 1) }

    static func anchor(_ name: String) -> String {
        "col-"
            + String(
                name.unicodeScalars.map { scalar in
                    (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) && scalar.isASCII
                        ? Character(scalar) : "-"
                })
    }

    /// Escapes text for HTML element content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
