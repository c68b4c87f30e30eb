//! The comparison as one self-contained HTML page: no script, no external file; charts are inline SVG
//! (`#lane-mix`, `#overlap`, `#precision-at-budget`), every figure also in a table beside its chart.

use super::{CompareReport, Estimate};
use std::fmt::Write;

const COLOURS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f",
];
const LANE_COLOURS: [(&str, &str); 4] = [
    ("green", "#3a9d5d"),
    ("blue", "#4a7fd0"),
    ("yellow", "#e5c02e"),
    ("red", "#cc3b3b"),
];

/// Escape text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

fn est(e: &Estimate) -> String {
    format!(
        "{:.3} <span class=ci>[{:.3}, {:.3}]</span>",
        e.value, e.lo, e.hi
    )
}

fn opt(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.3}")).unwrap_or_else(|| "—".into())
}

/// The letters bundles go by in the charts: A, B, C…
pub fn letter(i: usize) -> char {
    (b'A' + i as u8) as char
}

/// Render the report.
pub fn render(r: &CompareReport) -> String {
    let mut h = String::with_capacity(32 * 1024);
    let names: Vec<String> = r.bundles.iter().map(|b| b.name.clone()).collect();
    let _ = write!(
        h,
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Clearway comparison: {}</title><style>\
         body{{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}}\
         table{{border-collapse:collapse;margin:.5em 0 1.5em}}td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}\
         th{{background:#f3f3f3}}td.l,th.l{{text-align:left}}.ci{{color:#777;font-size:85%}}h2{{margin-top:1.6em}}\
         .note{{color:#555;font-size:90%}}</style></head><body>",
        esc(&names.join(" · "))
    );
    let _ = write!(
        h,
        "<h1>Comparison of assessment bundles</h1><p>{} — {} filings{}; data fingerprint <code>{}</code>{}.</p>",
        esc(&r.data.source),
        r.data.filings,
        if r.data.rejected > 0 {
            format!(" ({} rejected inputs)", r.data.rejected)
        } else {
            String::new()
        },
        esc(&r.data.fingerprint),
        if r.metrics_only {
            "; metrics only (no filing ids, no parties)"
        } else {
            ""
        }
    );
    // Bundles.
    h.push_str("<h2 id=bundles>Bundles</h2><table><tr><th></th><th class=l>bundle</th><th class=l>agency</th><th class=l>version</th><th class=l>hash</th><th>selected</th><th>exam rate</th><th>random</th><th>do-not-load</th><th>mean score</th><th>decisions/s</th></tr>");
    for (i, b) in r.bundles.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td style=\"color:{}\"><b>{}</b></td><td class=l>{}</td><td class=l>{}</td><td class=l>{}</td><td class=l><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.0}</td></tr>",
            COLOURS[i % 8],
            letter(i),
            esc(&b.name),
            esc(&b.agency),
            esc(&b.version),
            esc(&b.hash[..16.min(b.hash.len())]),
            b.selected,
            pct(b.exam_rate),
            b.random_selected,
            b.do_not_load,
            b.mean_score,
            b.decisions_per_second
        );
    }
    h.push_str("</table>");
    // Lane mix.
    h.push_str("<h2>Lane mix</h2>");
    h.push_str(&lane_mix(r));
    // Overlap.
    h.push_str("<h2>Selected for examination: overlap</h2>");
    h.push_str(&overlap(r));
    h.push_str("<table><tr><th class=l>selected by</th><th>filings</th></tr>");
    for g in &r.agreement.regions {
        let who: Vec<String> = g.members.iter().map(|&m| letter(m).to_string()).collect();
        let only = if g.members.len() < r.bundles.len() {
            " only"
        } else {
            ""
        };
        let _ = write!(
            h,
            "<tr><td class=l>{}{}</td><td>{}</td></tr>",
            who.join(" and "),
            only,
            g.filings
        );
    }
    h.push_str("</table>");
    if !r.agreement.pairs.is_empty() {
        h.push_str("<table id=agreement><tr><th class=l>pair</th><th>both</th><th>first only</th><th>second only</th><th>neither</th><th>Jaccard</th><th>Cohen's κ</th></tr>");
        for p in &r.agreement.pairs {
            let _ = write!(
                h,
                "<tr><td class=l>{} – {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                letter(p.a),
                letter(p.b),
                p.table.both,
                p.table.only_a,
                p.table.only_b,
                p.table.neither,
                opt(p.jaccard),
                opt(p.kappa)
            );
        }
        h.push_str("</table>");
    }
    // Disagreements.
    if !r.disagreements.is_empty() {
        h.push_str("<h2>Disagreements explained</h2><p class=note>For filings one bundle selects and another does not: the findings (layer: code) present in the selecting bundle's decision and absent from the other's, by the number of filings each explains.</p>");
        for d in &r.disagreements {
            let _ = write!(
                h,
                "<h3>{} selects, {} does not: {} filings</h3><table><tr><th class=l>layer</th><th class=l>code</th><th>filings</th><th class=l>examples</th></tr>",
                letter(d.selected_by),
                letter(d.not_by),
                d.filings
            );
            for x in &d.reasons {
                let _ = write!(
                    h,
                    "<tr><td class=l>{}</td><td class=l>{}</td><td>{}</td><td class=l>{}</td></tr>",
                    esc(&x.layer),
                    esc(&x.code),
                    x.filings,
                    esc(&x.examples.join(", "))
                );
            }
            h.push_str("</table>");
        }
    }
    // Labelled.
    if let Some(l) = &r.labelled {
        let _ = write!(
            h,
            "<h2>With labels: equal examination budgets</h2><p>{} labelled filings ({}), {} positive ({}). Each bundle examines the top n % by its own score; intervals are 95 % percentile bootstrap over {} Poisson replicates (seed {}).</p>",
            l.filings,
            esc(&l.source),
            l.positives,
            pct(if l.filings > 0 {
                l.positives as f64 / l.filings as f64
            } else {
                0.0
            }),
            l.replicates,
            l.seed
        );
        h.push_str(&precision_curves(r));
        h.push_str("<table id=at-budget><tr><th class=l>bundle</th><th>budget</th><th>examined</th><th>precision</th><th>recall</th>");
        if l.has_revenue {
            h.push_str("<th>revenue</th>");
        }
        h.push_str("</tr>");
        for (i, b) in l.bundles.iter().enumerate() {
            for a in &b.at_budget {
                let _ = write!(
                    h,
                    "<tr><td class=l>{}</td><td>{} %</td><td>{}</td><td>{}</td><td>{}</td>",
                    letter(i),
                    a.budget,
                    a.inspected,
                    est(&a.precision),
                    a.recall.as_ref().map(est).unwrap_or_else(|| "—".into())
                );
                if l.has_revenue {
                    let _ = write!(
                        h,
                        "<td>{}</td>",
                        a.revenue.as_ref().map(est).unwrap_or_else(|| "—".into())
                    );
                }
                h.push_str("</tr>");
            }
        }
        h.push_str("</table><table id=own-selection><tr><th class=l>bundle</th><th>own selection</th><th>hit rate</th></tr>");
        for (i, b) in l.bundles.iter().enumerate() {
            let _ = write!(
                h,
                "<tr><td class=l>{}</td><td>{}</td><td>{}</td></tr>",
                letter(i),
                b.own_selected,
                b.own_hit_rate
                    .as_ref()
                    .map(est)
                    .unwrap_or_else(|| "—".into())
            );
        }
        h.push_str("</table>");
    }
    // Harmonised.
    if !r.harmonised.profiles.is_empty() {
        h.push_str("<h2>Harmonised profile, side by side</h2><table id=harmonised><tr><th class=l>profile</th>");
        for i in 0..r.bundles.len() {
            let _ = write!(
                h,
                "<th colspan=3>{}: hits / selected / hit rate</th>",
                letter(i)
            );
        }
        h.push_str("</tr>");
        let cell = |h: &mut String, c: Option<&super::ProfileCell>| match c {
            Some(c) => {
                let _ = write!(
                    h,
                    "<td>{}</td><td>{}</td><td>{}</td>",
                    c.hits,
                    c.selected,
                    c.precision.as_ref().map(est).unwrap_or_else(|| "—".into())
                );
            }
            None => h.push_str("<td colspan=3>not carried</td>"),
        };
        for row in &r.harmonised.profiles {
            let _ = write!(h, "<tr><td class=l>{}</td>", esc(&row.profile));
            for c in &row.cells {
                cell(&mut h, c.as_ref());
            }
            h.push_str("</tr>");
        }
        h.push_str("<tr><td class=l><i>agency's own profiles</i></td>");
        for c in &r.harmonised.own {
            cell(&mut h, Some(c));
        }
        h.push_str("</tr></table>");
    }
    if r.timing.wall_seconds > 0.0 {
        let _ = write!(
            h,
            "<p class=note>One pass: {:.1} s wall, {:.1} s parsing (once, shared), {:.0} filings/s through all bundles.</p>",
            r.timing.wall_seconds, r.timing.parse_seconds, r.timing.filings_per_second
        );
    }
    h.push_str("<p class=note>Bundles are configuration files; the example bundles shipped with Clearway are examples, not any agency's real rules.</p></body></html>\n");
    h
}

fn lane_mix(r: &CompareReport) -> String {
    let (w, row) = (640.0, 28.0);
    let height = 20.0 + row * r.bundles.len() as f64 + 30.0;
    let mut s = format!(
        "<svg id=lane-mix xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=img aria-label=\"lane mix\">",
        w + 120.0
    );
    for (i, b) in r.bundles.iter().enumerate() {
        let y = 10.0 + row * i as f64;
        let total: u64 = b.lanes.values().sum();
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" font-size=\"13\">{} {}</text>",
            y + 17.0,
            letter(i),
            esc(&trunc(&b.name, 12))
        );
        let mut x = 110.0;
        for (lane, colour) in LANE_COLOURS {
            let c = b.lanes.get(lane).copied().unwrap_or(0);
            if total == 0 || c == 0 {
                continue;
            }
            let bw = w * c as f64 / total as f64;
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{bw:.1}\" height=\"{}\" fill=\"{colour}\"><title>{lane}: {c} ({})</title></rect>",
                row - 6.0,
                pct(c as f64 / total as f64)
            );
            if bw > 46.0 {
                let _ = write!(
                    s,
                    "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" fill=\"#fff\">{}</text>",
                    x + 4.0,
                    y + 15.0,
                    pct(c as f64 / total as f64)
                );
            }
            x += bw;
        }
    }
    let ly = 20.0 + row * r.bundles.len() as f64;
    for (j, (lane, colour)) in LANE_COLOURS.iter().enumerate() {
        let x = 110.0 + 90.0 * j as f64;
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{ly}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{lane}</text>",
            x + 16.0,
            ly + 11.0
        );
    }
    s.push_str("</svg>");
    s
}

fn trunc(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).chain(std::iter::once('…')).collect()
    }
}

/// Circles of the overlap diagram (not area-proportional: every region gets its count written in it).
fn overlap(r: &CompareReport) -> String {
    let k = r.bundles.len();
    let centres: &[(f64, f64)] = match k {
        1 => &[(200.0, 150.0)],
        2 => &[(160.0, 150.0), (260.0, 150.0)],
        _ => &[(160.0, 125.0), (260.0, 125.0), (210.0, 210.0)],
    };
    let rad = 95.0;
    let mut s = String::from(
        "<svg id=overlap xmlns=\"http://www.w3.org/2000/svg\" width=\"420\" height=\"340\" role=img aria-label=\"overlap of selections\">",
    );
    for (i, (x, y)) in centres.iter().enumerate().take(k) {
        let _ = write!(
            s,
            "<circle cx=\"{x}\" cy=\"{y}\" r=\"{rad}\" fill=\"{}\" fill-opacity=\"0.18\" stroke=\"{}\" stroke-width=\"2\"/>",
            COLOURS[i], COLOURS[i]
        );
        let (lx, ly) = match (k, i) {
            (1, _) => (x - 10.0, y - rad - 8.0),
            (2, 0) | (3, 0) => (x - rad + 5.0, y - rad + 25.0),
            (2, 1) | (3, 1) => (x + rad - 25.0, y - rad + 25.0),
            _ => (x - 5.0, y + rad + 18.0),
        };
        let _ = write!(
            s,
            "<text x=\"{lx}\" y=\"{ly}\" font-size=\"16\" font-weight=\"bold\" fill=\"{}\">{}</text>",
            COLOURS[i],
            letter(i)
        );
    }
    // A label point for each region: the mean of member centres pushed away from non-members.
    for g in &r.agreement.regions {
        let (mut x, mut y) = (0.0, 0.0);
        for &m in &g.members {
            x += centres[m].0;
            y += centres[m].1;
        }
        x /= g.members.len() as f64;
        y /= g.members.len() as f64;
        for (i, c) in centres.iter().enumerate().take(k) {
            if !g.members.contains(&i) {
                let (dx, dy) = (x - c.0, y - c.1);
                let d = (dx * dx + dy * dy).sqrt().max(1.0);
                x += 38.0 * dx / d;
                y += 38.0 * dy / d;
            }
        }
        if g.members.len() == 1 && k > 1 {
            // Single regions: push outward from the centre of all circles.
            let (cx, cy) = (
                centres.iter().map(|c| c.0).sum::<f64>() / k as f64,
                centres.iter().map(|c| c.1).sum::<f64>() / k as f64,
            );
            let (dx, dy) = (x - cx, y - cy);
            let d = (dx * dx + dy * dy).sqrt().max(1.0);
            x += 10.0 * dx / d;
            y += 10.0 * dy / d;
        }
        let label: String = g.members.iter().map(|&m| letter(m)).collect();
        let _ = write!(
            s,
            "<text class=region data-region=\"{label}\" x=\"{x:.0}\" y=\"{y:.0}\" font-size=\"14\" text-anchor=\"middle\">{}</text>",
            g.filings
        );
    }
    s.push_str("</svg>");
    s
}

/// Precision at each budget, one line per bundle, with its interval as a vertical bar.
fn precision_curves(r: &CompareReport) -> String {
    let Some(l) = &r.labelled else {
        return String::new();
    };
    let (w, hgt, left, top) = (560.0, 260.0, 60.0, 20.0);
    let ymax = l
        .bundles
        .iter()
        .flat_map(|b| {
            b.at_budget.iter().map(|a| {
                if a.precision.hi.is_finite() {
                    a.precision.hi
                } else {
                    a.precision.value
                }
            })
        })
        .fold(0.0f64, f64::max)
        .max(0.05);
    let ymax = (ymax * 10.0).ceil() / 10.0;
    let nb = l.budgets.len().max(1);
    let xat = |j: usize| {
        left + if nb == 1 {
            w / 2.0
        } else {
            w * j as f64 / (nb - 1) as f64
        }
    };
    let yat = |v: f64| top + hgt * (1.0 - v / ymax);
    let mut s = format!(
        "<svg id=precision-at-budget xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=img aria-label=\"precision at budget\">",
        w + left + 150.0,
        hgt + top + 50.0
    );
    for t in 0..=5 {
        let v = ymax * t as f64 / 5.0;
        let y = yat(v);
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{v:.2}</text>",
            left + w,
            left - 6.0,
            y + 4.0
        );
    }
    for (j, b) in l.budgets.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{b} %</text>",
            xat(j),
            top + hgt + 18.0
        );
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">examination budget</text>",
        left + w / 2.0,
        top + hgt + 38.0
    );
    let _ = write!(
        s,
        "<text x=\"14\" y=\"{:.1}\" font-size=\"12\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\">precision</text>",
        top + hgt / 2.0,
        top + hgt / 2.0
    );
    for (i, b) in l.bundles.iter().enumerate() {
        let c = COLOURS[i % 8];
        let dx = (i as f64 - (l.bundles.len() as f64 - 1.0) / 2.0) * 6.0;
        let pts: Vec<String> = b
            .at_budget
            .iter()
            .enumerate()
            .map(|(j, a)| format!("{:.1},{:.1}", xat(j) + dx, yat(a.precision.value)))
            .collect();
        let _ = write!(
            s,
            "<polyline class=curve data-bundle=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2\"/>",
            letter(i),
            pts.join(" ")
        );
        for (j, a) in b.at_budget.iter().enumerate() {
            let x = xat(j) + dx;
            if a.precision.lo.is_finite() && a.precision.hi.is_finite() {
                let _ = write!(
                    s,
                    "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{c}\" stroke-width=\"1.5\"/>",
                    yat(a.precision.lo),
                    yat(a.precision.hi)
                );
            }
            let _ = write!(
                s,
                "<circle cx=\"{x:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{c}\"><title>{} at {} %: {:.3} [{:.3}, {:.3}]</title></circle>",
                yat(a.precision.value),
                letter(i),
                a.budget,
                a.precision.value,
                a.precision.lo,
                a.precision.hi
            );
        }
        let ly = top + 14.0 + 18.0 * i as f64;
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{:.1}\" width=\"12\" height=\"3\" fill=\"{c}\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"12\">{} {}</text>",
            left + w + 14.0,
            ly - 4.0,
            left + w + 30.0,
            ly,
            letter(i),
            esc(&trunc(&r.bundles[i].name, 16))
        );
    }
    s.push_str("</svg>");
    s
}
