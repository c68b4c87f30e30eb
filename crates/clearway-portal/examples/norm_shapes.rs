//! Print the evaluation's signatures beside the NORM shapes in the default bins, and the residuals (in σ)
//! of the spectral test's background + NORM-shape fit for each signature on a 4 s window: a look at how well
//! the physics-built shapes describe the labelled spectra. Needs `CLEARWAY_DATA`.
use clearway_portal::binning::EDGES;
use clearway_portal::eval::{self, Kind, LIBRARY};
use clearway_portal::measurement::harness_setup;
use clearway_spectra::{Options, SpectrumFile, read_with};

fn load(rel: &str, column: Option<&str>) -> Option<SpectrumFile> {
    let path = clearway_testdata::file(&format!("radiation/{rel}"))?;
    let bytes = std::fs::read(&path).ok()?;
    let opts = Options { column: column.map(str::to_string), file_name: Some(rel.to_string()) };
    Some(read_with(&bytes, &opts).ok()?.0)
}

fn main() {
    let (Some(bg), Some(pt)) = (load(eval::BACKGROUND_FILE, None), load(eval::PASSTHROUGH_FILE, None)) else {
        eprintln!("shared data absent");
        return;
    };
    let mut files = Vec::new();
    for e in LIBRARY {
        let Some(f) = load(e.path, e.column) else { continue };
        let b = e.background.and_then(|p| load(p, None));
        files.push((e, f, b));
    }
    let sources: Vec<_> = files.iter().map(|(e, f, b)| (e.name.to_string(), e.kind, e.path.to_string(), f, b.as_ref())).collect();
    let (setup, _) = harness_setup(&bg, &pt, &sources, &EDGES).unwrap();
    let nb = EDGES.len() - 1;
    print!("{:>22}", "bin lower edge");
    for b in 0..nb {
        print!(" {:>5}", EDGES[b]);
    }
    println!();
    let bgs: Vec<f64> = (0..nb).map(|b| setup.background_cps.iter().skip(b).step_by(nb).sum::<f64>()).collect();
    let t: f64 = bgs.iter().sum();
    let row = |name: &str, v: &[f64]| {
        print!("{name:>22}");
        for x in v {
            print!(" {:5.1}", 100.0 * x);
        }
        println!();
    };
    row("portal background", &bgs.iter().map(|x| x / t).collect::<Vec<_>>());
    for (n, s) in clearway_portal::templates::norm_shapes(&EDGES) {
        row(&format!("shape {n}"), &s);
    }
    for s in setup.signatures.iter().filter(|s| s.kind == Kind::Norm || std::env::var("ALL").is_ok()) {
        row(&s.name, &s.shape);
    }
    // A 4 s window (16 slices) of background with a source of `SRC` net counts: the residual (in σ) of the
    // spectral test's fit on background + NORM shapes.
    let src: f64 = std::env::var("SRC").ok().and_then(|v| v.parse().ok()).unwrap_or(1500.0);
    let bgw: Vec<f64> = bgs.iter().map(|x| x / t * 3400.0).collect();
    let mut cols = vec![bgs.iter().map(|x| x / t).collect::<Vec<f64>>()];
    cols.extend(clearway_portal::templates::norm_shapes(&EDGES).into_iter().map(|(_, s)| s));
    println!("residuals (σ) with {src} source counts on 3400 background counts:");
    for s in &setup.signatures {
        let y: Vec<f64> = (0..nb).map(|b| bgw[b] + src * s.shape[b]).collect();
        let (coef, res) = wls(&y, &y, &cols);
        let chi2: f64 = res.iter().map(|r| r * r).sum();
        print!("{:>22}", s.name);
        for r in &res {
            print!(" {:5.1}", r);
        }
        println!("   χ² {chi2:6.1} coef {:?}", coef.iter().map(|c| (c * 10.0).round() / 10.0).collect::<Vec<_>>());
    }
}

/// Weighted least-squares fit of `y` on the columns (weights 1/var); returns (coefficients, residual/σ).
pub fn wls(y: &[f64], var: &[f64], cols: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let k = cols.len();
    let nb = y.len();
    let mut g = vec![vec![0.0; k + 1]; k];
    for a in 0..k {
        for c in 0..k {
            g[a][c] = (0..nb).map(|b| cols[a][b] * cols[c][b] / var[b]).sum();
        }
        g[a][k] = (0..nb).map(|b| cols[a][b] * y[b] / var[b]).sum();
    }
    for c in 0..k {
        let piv = (c..k).max_by(|&x, &z| g[x][c].abs().total_cmp(&g[z][c].abs())).unwrap();
        g.swap(c, piv);
        let d = g[c][c];
        for j in 0..=k {
            g[c][j] /= d;
        }
        for r in 0..k {
            if r != c {
                let f = g[r][c];
                for j in 0..=k {
                    g[r][j] -= f * g[c][j];
                }
            }
        }
    }
    let coef: Vec<f64> = (0..k).map(|a| g[a][k]).collect();
    let res = (0..nb).map(|b| (y[b] - (0..k).map(|a| coef[a] * cols[a][b]).sum::<f64>()) / var[b].sqrt()).collect();
    (coef, res)
}
