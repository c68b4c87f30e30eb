//! A small SVG line chart: detection probability against source strength (log scale), one line per
//! algorithm. Written by hand; no plotting library.

use std::fmt::Write;

const COLORS: [&str; 6] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Render series of (x, y) points, x > 0 on a log axis, y in [0, 1].
pub fn line_chart(title: &str, x_label: &str, y_label: &str, series: &[(String, Vec<(f64, f64)>)]) -> String {
    let (w, h) = (720.0, 440.0);
    let (l, r, t, b) = (70.0, 190.0, 40.0, 60.0);
    let (pw, ph) = (w - l - r, h - t - b);
    let xs: Vec<f64> = series.iter().flat_map(|(_, p)| p.iter().map(|q| q.0)).filter(|x| x.is_finite() && *x > 0.0).collect();
    let (mut x0, mut x1) = (xs.iter().cloned().fold(f64::INFINITY, f64::min), xs.iter().cloned().fold(0.0, f64::max));
    if !(x0.is_finite() && x1 > x0) {
        x0 = 1.0;
        x1 = 10.0;
    }
    let (lx0, lx1) = (x0.ln(), x1.ln());
    let px = |x: f64| l + (x.max(x0).ln() - lx0) / (lx1 - lx0) * pw;
    let py = |y: f64| t + (1.0 - if y.is_finite() { y.clamp(0.0, 1.0) } else { 0.0 }) * ph;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">
<rect width="{w}" height="{h}" fill="white"/>
<text x="{}" y="22" text-anchor="middle" font-size="15">{}</text>
"#,
        l + pw / 2.0,
        esc(title)
    );
    // Grid and y ticks.
    for k in 0..=5 {
        let y = k as f64 / 5.0;
        let _ = writeln!(s, r##"<line x1="{l}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#ddd"/><text x="{2}" y="{3:.1}" text-anchor="end">{y:.1}</text>"##, py(y), l + pw, l - 6.0, py(y) + 4.0);
    }
    // x ticks at the data's x values.
    let mut ticks: Vec<f64> = xs.clone();
    ticks.sort_by(|a, b| a.total_cmp(b));
    ticks.dedup();
    for x in ticks {
        let _ = writeln!(s, r##"<line x1="{0:.1}" y1="{t}" x2="{0:.1}" y2="{1:.1}" stroke="#eee"/><text x="{0:.1}" y="{2:.1}" text-anchor="middle">{x}</text>"##, px(x), t + ph, t + ph + 16.0);
    }
    let _ = writeln!(s, r##"<rect x="{l}" y="{t}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>"##);
    let _ = writeln!(s, r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#, l + pw / 2.0, h - 16.0, esc(x_label));
    let _ = writeln!(s, r#"<text transform="translate(18,{}) rotate(-90)" text-anchor="middle">{}</text>"#, t + ph / 2.0, esc(y_label));
    for (i, (name, pts)) in series.iter().enumerate() {
        let c = COLORS[i % COLORS.len()];
        let path: Vec<String> = pts.iter().filter(|p| p.0 > 0.0 && p.0.is_finite()).map(|p| format!("{:.1},{:.1}", px(p.0), py(p.1))).collect();
        let _ = writeln!(s, r#"<polyline fill="none" stroke="{c}" stroke-width="2" points="{}"/>"#, path.join(" "));
        for p in pts.iter().filter(|p| p.0 > 0.0 && p.0.is_finite()) {
            let _ = writeln!(s, r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{c}"/>"#, px(p.0), py(p.1));
        }
        let ly = t + 20.0 + 20.0 * i as f64;
        let _ = writeln!(s, r#"<line x1="{0}" y1="{ly}" x2="{1}" y2="{ly}" stroke="{c}" stroke-width="2"/><text x="{2}" y="{3}">{4}</text>"#, l + pw + 12.0, l + pw + 36.0, l + pw + 42.0, ly + 4.0, esc(name));
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn chart_is_well_formed_svg() {
        let s = super::line_chart("P<d>", "x", "y", &[("a&b".into(), vec![(10.0, 0.1), (100.0, 0.9)]), ("c".into(), vec![])]);
        assert!(s.starts_with("<svg") && s.trim_end().ends_with("</svg>"));
        assert!(s.contains("P&lt;d&gt;") && s.contains("a&amp;b"));
        assert_eq!(s.matches("<polyline").count(), 2);
        assert!(!s.contains("NaN"));
    }
}
