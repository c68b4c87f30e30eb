//! CSV spectra: an optional energy (keV) or channel column and one or more count columns.
//!
//! The delimiter is `,`, `;` or a tab (from the first line). A first line with a non-numeric field is a
//! header: a column whose name contains `energy` or `keV` is the energy axis (bin centres; turned into
//! channel edges), one named `channel`/`chan`/`ch` the channel axis; every other column is a count column
//! and becomes one [`Spectrum`] named after it. Without a header, a first column of increasing values is the
//! axis when there are two or more columns. The spectrum to analyse ([`SpectrumFile::primary`]) is the
//! column chosen by name or 1-based number, by default the last. Negative counts (background-subtracted
//! traces) are kept with a warning; non-numbers are read as 0 with an error diagnostic.

use crate::{Calibration, Diagnostic, Error, Format, Slice, Spectrum, SpectrumFile};

/// Read CSV bytes; `column` selects the count column (name or 1-based number; default the last).
pub fn read(b: &[u8], column: Option<&str>) -> Result<(SpectrumFile, Vec<Diagnostic>), Error> {
    let text = String::from_utf8_lossy(b);
    let mut d = Vec::new();
    let lines: Vec<(usize, &str)> =
        text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r'))).filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#')).collect();
    let Some(&(_, first)) = lines.first() else { return Err(Error::Empty) };
    let delim = [',', ';', '\t'].into_iter().max_by_key(|c| first.matches(*c).count()).unwrap_or(',');
    let split = |l: &str| -> Vec<String> { l.split(delim).map(|f| f.trim().trim_matches('"').trim().to_string()).collect() };
    let first_fields = split(first);
    let header = first_fields.iter().any(|f| !f.is_empty() && crate::num::parse_number(f.as_bytes()).is_none() && f.parse::<f64>().is_err());
    let ncols = first_fields.len();
    let names: Vec<String> = if header {
        first_fields.clone()
    } else {
        (1..=ncols).map(|i| format!("column{i}")).collect()
    };
    let mut cols: Vec<Vec<f64>> = vec![Vec::with_capacity(lines.len()); ncols];
    let mut bad = 0usize;
    let mut first_bad_line = 0;
    for &(ln, l) in lines.iter().skip(usize::from(header)) {
        let fields = split(l);
        if fields.len() != ncols {
            d.push(Diagnostic::warning("", format!("{} fields, the header has {ncols}", fields.len())).at_line(ln as u64, None));
        }
        for (c, col) in cols.iter_mut().enumerate() {
            let v = fields.get(c).and_then(|f| f.parse::<f64>().ok()).filter(|v| v.is_finite());
            if v.is_none() {
                bad += 1;
                if first_bad_line == 0 {
                    first_bad_line = ln;
                }
            }
            col.push(v.unwrap_or(0.0));
        }
    }
    if bad > 0 {
        d.push(Diagnostic::error("", format!("{bad} field(s) that are not numbers read as 0 (first on this line)")).at_line(first_bad_line as u64, None));
    }
    // which column is the axis?
    let lname: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let mut energy_col = lname.iter().position(|n| n.contains("energy") || n.contains("kev"));
    let mut channel_col = lname.iter().position(|n| n == "channel" || n == "chan" || n == "ch" || n == "channels");
    if !header && ncols >= 2 && energy_col.is_none() {
        let c0 = &cols[0];
        let increasing = c0.windows(2).all(|w| w[1] > w[0]);
        if increasing {
            if c0.iter().all(|v| v.fract() == 0.0) {
                channel_col = Some(0);
            } else {
                energy_col = Some(0);
            }
        }
    }
    let axis: Vec<usize> = [energy_col, channel_col].into_iter().flatten().collect();
    let count_cols: Vec<usize> = (0..ncols).filter(|c| !axis.contains(c)).collect();
    if count_cols.is_empty() {
        return Err(Error::Csv("no count column".into()));
    }
    let selected = match column {
        None => *count_cols.last().unwrap_or(&0),
        Some(sel) => {
            let by_name = count_cols.iter().copied().find(|c| names[*c].eq_ignore_ascii_case(sel.trim()));
            let by_num = sel.trim().parse::<usize>().ok().and_then(|n| n.checked_sub(1)).filter(|c| count_cols.contains(c));
            match by_name.or(by_num) {
                Some(c) => c,
                None => {
                    let avail: Vec<&str> = count_cols.iter().map(|c| names[*c].as_str()).collect();
                    return Err(Error::Csv(format!("no count column {sel:?} (count columns: {})", avail.join(", "))));
                }
            }
        }
    };
    let calibration = energy_col.and_then(|c| {
        let e = &cols[c];
        if e.len() < 2 {
            return None;
        }
        let mut edges = Vec::with_capacity(e.len() + 1);
        edges.push(e[0] - 0.5 * (e[1] - e[0]));
        for w in e.windows(2) {
            edges.push(0.5 * (w[0] + w[1]));
        }
        let n = e.len();
        edges.push(e[n - 1] + 0.5 * (e[n - 1] - e[n - 2]));
        let cal = Calibration::LowerEdges { energies: edges };
        if cal.is_monotonic(n) {
            Some(cal)
        } else {
            d.push(Diagnostic::error(names[c].clone(), "energy column is not increasing: no calibration"));
            None
        }
    });
    let mut f = SpectrumFile::new(Format::Csv);
    f.slices.push(Slice::default());
    for &c in &count_cols {
        let neg = cols[c].iter().filter(|v| **v < 0.0).count();
        if neg > 0 {
            d.push(Diagnostic::warning(names[c].clone(), format!("{neg} negative count(s) kept (a background-subtracted trace?)")));
        }
        let class = if c == selected {
            Some("Foreground".to_string())
        } else if lname[c].contains("background") || lname[c] == "bg" {
            Some("Background".to_string())
        } else {
            None
        };
        if c == selected {
            f.primary = Some(f.spectra.len());
        }
        f.spectra.push(Spectrum {
            detector: names[c].clone(),
            class,
            calibration: calibration.clone(),
            counts: std::mem::take(&mut cols[c]),
            ..Spectrum::default()
        });
    }
    Ok((f, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_energy_and_columns() {
        let t = "energy_keV,Background,Clean\n1.0,5,1\n2.0,6,-1\n3.0,7,x\n";
        let (f, d) = read(t.as_bytes(), None).unwrap();
        assert_eq!(f.spectra.len(), 2);
        assert_eq!(f.primary, Some(1));
        assert_eq!(f.spectra[1].counts, vec![1.0, -1.0, 0.0]);
        assert_eq!(f.spectra[0].class.as_deref(), Some("Background"));
        let c = f.spectra[0].calibration.as_ref().unwrap();
        assert!((c.energy(1.5) - 2.0).abs() < 1e-9);
        assert_eq!(d.len(), 2);
        let (f, _) = read(t.as_bytes(), Some("background")).unwrap();
        assert_eq!(f.primary, Some(0));
        assert!(read(t.as_bytes(), Some("nope")).is_err());
        let (f, _) = read(b"3\n4\n5\n", None).unwrap();
        assert_eq!(f.spectra[0].counts, vec![3.0, 4.0, 5.0]);
    }
}
