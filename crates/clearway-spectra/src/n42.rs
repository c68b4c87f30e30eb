//! ANSI N42.42 reader: the 2006 schema (`N42InstrumentData`, with the DNDO 2006 extension elements for
//! detector status, occupancy and speed) and the 2011/2012 schema (`RadInstrumentData`).
//!
//! One pass over the bytes with a hand-written scanner ([`crate::xml`]); channel data are parsed in place
//! with an integer fast path and `CountedZeroes` expanded on the fly. Namespaces are checked, not
//! required: a wrong or missing default namespace, CRLF line ends and undeclared prefixes are accepted with
//! a warning. A truncated file keeps what was complete and says where it stopped.
//!
//! Mapping: a 2006 `DetectorData` or a 2012 `RadMeasurement` is a [`Slice`]; each `Spectrum` a [`Spectrum`];
//! 2006 `CountDoseData` / `GrossCounts` and 2012 `GrossCounts` are [`GrossCount`]s (neutron when the
//! detector type or the 2012 detector category says so).

use crate::num::{CountIssues, parse_counts, parse_counts_zeroed, parse_duration, parse_list};
use crate::xml::{Event, Scanner, attr, attrs, decode, split_name};
use crate::{
    Calibration, Diagnostic, DetectorStatus, Format, GrossCount, Radiation, Slice, Speed, Spectrum, SpectrumFile,
    line_of,
};

/// Most diagnostics one file produces (further ones are summarised).
const MAX_DIAGS: usize = 200;

struct Cal {
    energy: bool,
    id: Option<String>,
}

struct DetInfo {
    id: String,
    category: Option<String>,
    kind: Option<String>,
}

struct State<'a> {
    b: &'a [u8],
    f: SpectrumFile,
    d: Vec<Diagnostic>,
    dropped: usize,
    declared: Vec<Vec<u8>>,
    undeclared_reported: Vec<Vec<u8>>,
    slice: Option<usize>,
    slice_title: Option<String>,
    cur: Option<Spectrum>,
    cur_cal_ref: Option<String>,
    cur_pos: usize,
    pending_refs: Vec<(usize, String, usize)>,
    cals: Vec<(Option<String>, Calibration)>,
    cal: Option<Cal>,
    det_name: Option<String>,
    det_type: Option<String>,
    det_infos: Vec<DetInfo>,
    gross: Option<(GrossCount, Option<String>)>,
    compressed: bool,
    /// The current spectrum has negative counts.
    negatives: bool,
    /// `CountedZeroes` channel data go into a zero-filled vector at this cursor (see
    /// [`parse_counts_zeroed`]); the vector is cut to it when the spectrum ends.
    zfill: Option<usize>,
    state_ref: Option<String>,
}

impl<'a> State<'a> {
    fn diag(&mut self, pos: usize, path: &str, warning: bool, msg: impl Into<String>) {
        if self.d.len() >= MAX_DIAGS {
            self.dropped += 1;
            return;
        }
        let line = line_of(self.b, pos);
        let d = if warning { Diagnostic::warning(path, msg) } else { Diagnostic::error(path, msg) };
        self.d.push(d.at_line(line, None));
    }

    fn slice_idx(&mut self) -> usize {
        match self.slice {
            Some(i) => i,
            None => {
                self.f.slices.push(Slice::default());
                let i = self.f.slices.len() - 1;
                self.slice = Some(i);
                i
            }
        }
    }

    fn count_issues(&mut self, pos: usize, path: &str, i: &CountIssues) {
        if i.bad_tokens > 0 {
            let first = i.first_bad.clone().unwrap_or_default();
            self.diag(pos, path, false, format!("{} value(s) that are not numbers skipped (first {first:?})", i.bad_tokens));
        }
        if i.negatives > 0 {
            self.diag(pos, path, false, format!("{} negative count(s)", i.negatives));
        }
        if i.too_long {
            self.diag(pos, path, false, format!("more than {} channels; cut", crate::num::MAX_CHANNELS));
        }
        if i.dangling_zero {
            self.diag(pos, path, true, "CountedZeroes: a final 0 without its count (taken as one zero)");
        }
    }

    fn finish_spectrum(&mut self) {
        let zfill = self.zfill.take();
        if let Some(mut s) = self.cur.take() {
            if let Some(p) = zfill {
                s.counts.truncate(p);
            }
            let si = self.slice_idx();
            s.slice = si;
            if s.title.is_none() {
                s.title = self.slice_title.clone();
            }
            // negative counts become zero for analysis; the diagnostic was given while parsing
            if self.negatives {
                for c in s.counts.iter_mut() {
                    if *c < 0.0 {
                        *c = 0.0;
                    }
                }
                self.negatives = false;
            }
            let idx = self.f.spectra.len();
            if let Some(r) = self.cur_cal_ref.take() {
                self.pending_refs.push((idx, r, self.cur_pos));
            }
            self.f.spectra.push(s);
        }
    }
}

/// Read N42 bytes (either schema). Never fails: unreadable parts become diagnostics.
pub fn read(b: &[u8]) -> (SpectrumFile, Vec<Diagnostic>) {
    let mut st = State {
        b,
        f: SpectrumFile::new(Format::N42_2006),
        d: Vec::new(),
        dropped: 0,
        declared: vec![b"xml".to_vec(), b"xmlns".to_vec()],
        undeclared_reported: Vec::new(),
        slice: None,
        slice_title: None,
        cur: None,
        cur_cal_ref: None,
        cur_pos: 0,
        pending_refs: Vec::new(),
        cals: Vec::new(),
        cal: None,
        det_name: None,
        det_type: None,
        det_infos: Vec::new(),
        gross: None,
        compressed: false,
        negatives: false,
        zfill: None,
        state_ref: None,
    };
    if let Some(i) = memchr::memchr(b'\n', b) {
        if i > 0 && b[i - 1] == b'\r' {
            st.diag(i, "", true, "CRLF line endings (accepted)");
        }
    }
    let mut stack: Vec<&[u8]> = Vec::with_capacity(16);
    let mut root_seen = false;
    let mut top_attrs: &[u8] = &[];
    for ev in Scanner::new(b) {
        match ev {
            Event::Start { name, attrs: at, empty, pos } => {
                let (prefix, local) = split_name(name);
                if memchr::memmem::find(at, b"xmlns").is_some() {
                    for (n, _) in attrs(at) {
                        if let Some(p) = n.strip_prefix(b"xmlns:") {
                            st.declared.push(p.to_vec());
                        }
                    }
                }
                if !prefix.is_empty()
                    && !st.declared.iter().any(|d| d == prefix)
                    && !st.undeclared_reported.iter().any(|d| d == prefix)
                {
                    st.undeclared_reported.push(prefix.to_vec());
                    let p = String::from_utf8_lossy(prefix).into_owned();
                    st.diag(pos, &String::from_utf8_lossy(name), true, format!("undeclared namespace prefix {p:?} (accepted)"));
                }
                if !root_seen {
                    root_seen = true;
                    start_root(&mut st, local, at, pos);
                }
                start(&mut st, local, at, pos, &stack);
                if empty {
                    end(&mut st, local, pos, &stack);
                } else {
                    stack.push(local);
                    top_attrs = at;
                }
            }
            Event::End { name, pos } => {
                let (_, local) = split_name(name);
                match stack.iter().rposition(|n| *n == local) {
                    Some(k) => {
                        let unclosed = stack.len() - 1 - k;
                        if unclosed > 0 {
                            let names: Vec<String> =
                                stack[k + 1..].iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect();
                            st.diag(pos, &String::from_utf8_lossy(local), true, format!("closes unclosed {}", names.join(", ")));
                        }
                        while stack.len() > k + 1 {
                            let n = stack.pop().unwrap_or_default();
                            end(&mut st, n, pos, &stack);
                        }
                        stack.pop();
                        end(&mut st, local, pos, &stack);
                    }
                    None => {
                        st.diag(pos, &String::from_utf8_lossy(local), true, "end tag without a start tag (ignored)");
                    }
                }
                top_attrs = &[];
            }
            Event::Text { text, pos } => {
                if let Some(top) = stack.last().copied() {
                    text_of(&mut st, top, text, pos, &stack, top_attrs);
                }
            }
            Event::Truncated { pos } => {
                st.diag(pos, "", false, "input ends inside a tag: truncated file");
            }
        }
    }
    if !root_seen {
        st.diag(0, "", false, "no XML element found");
    }
    if !stack.is_empty() {
        let path: Vec<String> = stack.iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect();
        let path = path.join("/");
        st.diag(b.len(), &path, false, format!("truncated: {} element(s) not closed", stack.len()));
        let started = match st.zfill {
            Some(p) => p > 0,
            None => st.cur.as_ref().is_some_and(|s| !s.counts.is_empty()),
        };
        if started {
            st.diag(b.len(), &path, true, "the last spectrum may be incomplete");
        }
        st.finish_spectrum();
        if let Some((g, _)) = st.gross.take() {
            st.f.gross_counts.push(g);
        }
    }
    finish(&mut st);
    if st.dropped > 0 {
        let n = st.dropped;
        st.d.push(Diagnostic::warning("", format!("{n} further diagnostic(s) not shown")));
    }
    (st.f, st.d)
}

fn start_root(st: &mut State, local: &[u8], at: &[u8], pos: usize) {
    let ns = attrs(at).find(|(n, _)| *n == b"xmlns").map(|(_, v)| decode(v));
    match local {
        b"N42InstrumentData" => {
            st.f.format = Format::N42_2006;
            if !ns.as_deref().is_some_and(|n| n.contains("ANSIN4242")) {
                st.diag(pos, "N42InstrumentData", true, format!("unexpected namespace {ns:?} for N42-2006 (read as 2006)"));
            }
        }
        b"RadInstrumentData" => {
            st.f.format = Format::N42_2012;
            if !ns.as_deref().is_some_and(|n| n.contains("N42/2011/N42")) {
                st.diag(pos, "RadInstrumentData", true, format!("unexpected namespace {ns:?} for N42-2012 (read as 2012)"));
            }
        }
        other => {
            let n = String::from_utf8_lossy(other).into_owned();
            st.diag(pos, &n, false, format!("root element {n:?} is not N42InstrumentData or RadInstrumentData"));
            if memchr::memmem::find(st.b, b"RadMeasurement").is_some() {
                st.f.format = Format::N42_2012;
            }
        }
    }
}

fn in_(stack: &[&[u8]], name: &[u8]) -> bool {
    stack.iter().any(|n| *n == name)
}

fn start(st: &mut State, local: &[u8], at: &[u8], pos: usize, stack: &[&[u8]]) {
    match local {
        b"DetectorData" | b"RadMeasurement" => {
            st.finish_spectrum();
            let mut s = Slice::default();
            if local == b"RadMeasurement" {
                s.id = attr(at, "id");
            }
            st.f.slices.push(s);
            st.slice = Some(st.f.slices.len() - 1);
            st.slice_title = None;
        }
        b"DetectorMeasurement" => {
            st.det_name = attr(at, "Detector");
            st.det_type = attr(at, "DetectorType");
        }
        b"Spectrum" => {
            st.finish_spectrum();
            let detector = attr(at, "Detector")
                .or_else(|| attr(at, "radDetectorInformationReference"))
                .or_else(|| st.det_name.clone())
                .unwrap_or_default();
            // the channel array is allocated when ChannelData says whether it is compressed
            st.cur = Some(Spectrum { detector, sample: attr(at, "SampleNumber"), ..Spectrum::default() });
            st.cur_cal_ref = attr(at, "energyCalibrationReference").or_else(|| attr(at, "CalibrationIDs"));
            st.cur_pos = pos;
        }
        b"Calibration" | b"EnergyCalibration" => {
            let ty = attr(at, "Type");
            let energy = local == b"EnergyCalibration" || ty.as_deref().is_none_or(|t| t.eq_ignore_ascii_case("energy"));
            st.cal = Some(Cal { energy, id: attr(at, "ID").or_else(|| attr(at, "id")) });
        }
        b"ChannelData" => {
            let c = attr(at, "Compression").or_else(|| attr(at, "compressionCode")).unwrap_or_default();
            st.compressed = c.to_ascii_lowercase().contains("countedzeroes");
            if !c.is_empty() && !st.compressed && !c.eq_ignore_ascii_case("none") {
                st.diag(pos, "ChannelData", true, format!("unknown compression {c:?}; read as uncompressed"));
            }
            if st.cur.is_none() {
                st.diag(pos, "ChannelData", true, "ChannelData outside a Spectrum");
                st.cur = Some(Spectrum { detector: st.det_name.clone().unwrap_or_default(), ..Spectrum::default() });
                st.cur_pos = pos;
            }
            // The previous spectrum's length is the best guess (no regrowth). Compressed data go into a
            // zero-filled array: zero runs are then skipped, not written.
            let guess = st.f.spectra.last().map_or(1024, |s| s.counts.len());
            let compressed = st.compressed;
            if let Some(s) = st.cur.as_mut()
                && s.counts.is_empty()
                && st.zfill.is_none()
            {
                if compressed {
                    s.counts = vec![0.0; guess];
                    st.zfill = Some(0);
                } else {
                    s.counts.reserve(guess);
                }
            }
        }
        b"GrossCounts" | b"CountDoseData" if !in_(stack, b"Spectrum") => {
            let detector = attr(at, "radDetectorInformationReference")
                .or_else(|| attr(at, "Detector"))
                .or_else(|| st.det_name.clone())
                .unwrap_or_default();
            let ty = attr(at, "DetectorType").or_else(|| st.det_type.clone());
            let neutron = ty.as_deref().is_some_and(|t| t.to_ascii_lowercase().contains("neutron"));
            let si = st.slice_idx();
            let g = GrossCount {
                detector,
                slice: si,
                radiation: if neutron { Radiation::Neutron } else { Radiation::Gamma },
                counts: 0.0,
                windows: Vec::new(),
                live_time_s: None,
                real_time_s: None,
            };
            // 2006 `GrossCounts` inside `CountDoseData` is the value, not a new record
            if !(local == b"GrossCounts" && st.gross.is_some()) {
                st.gross = Some((g, None));
            }
        }
        b"DetectorStatus" => {
            if let Some(d) = attr(at, "Detector") {
                let op = attr(at, "Operational").unwrap_or_else(|| "1".into());
                let operational = matches!(op.trim(), "1" | "true" | "True" | "TRUE");
                st.f.instrument.detector_status.push(DetectorStatus { detector: d, operational });
            }
        }
        b"RadDetectorState" => st.state_ref = attr(at, "radDetectorInformationReference"),
        b"Fault" if st.state_ref.is_some() => {
            let d = st.state_ref.clone().unwrap_or_default();
            if !st.f.instrument.detector_status.iter().any(|s| s.detector == d) {
                st.f.instrument.detector_status.push(DetectorStatus { detector: d, operational: false });
            }
        }
        b"RadDetectorInformation" => {
            st.det_infos.push(DetInfo { id: attr(at, "id").unwrap_or_default(), category: None, kind: None });
        }
        _ => {}
    }
}

fn end(st: &mut State, local: &[u8], _pos: usize, _stack: &[&[u8]]) {
    match local {
        b"Spectrum" => st.finish_spectrum(),
        b"Calibration" | b"EnergyCalibration" => st.cal = None,
        b"GrossCounts" | b"CountDoseData" => {
            // a 2006 GrossCounts inside CountDoseData ends the value, not the record
            let inner = local == b"GrossCounts" && _stack.iter().any(|n| *n == b"CountDoseData");
            if !inner {
                if let Some((g, _)) = st.gross.take() {
                    st.f.gross_counts.push(g);
                }
            }
        }
        b"DetectorMeasurement" => {
            st.det_name = None;
            st.det_type = None;
        }
        b"RadDetectorState" => st.state_ref = None,
        b"DetectorData" | b"RadMeasurement" => {
            st.finish_spectrum();
            st.slice = None;
            st.slice_title = None;
        }
        _ => {}
    }
}

fn text_of(st: &mut State, top: &[u8], text: &[u8], pos: usize, stack: &[&[u8]], top_attrs: &[u8]) {
    let path = || String::from_utf8_lossy(top).into_owned();
    match top {
        b"ChannelData" => {
            let compressed = st.compressed;
            if let Some(s) = st.cur.as_mut() {
                let issues = match st.zfill.as_mut() {
                    Some(p) => parse_counts_zeroed(text, compressed, &mut s.counts, p),
                    None => parse_counts(text, compressed, &mut s.counts),
                };
                st.negatives |= issues.negatives > 0;
                if !issues.is_clean() {
                    st.count_issues(pos, "ChannelData", &issues);
                }
            }
        }
        b"CountData" | b"Counts" | b"GrossCounts" => {
            let mut v = Vec::new();
            let issues = parse_counts(text, false, &mut v);
            if !issues.is_clean() {
                st.count_issues(pos, &path(), &issues);
            }
            v.retain(|x| *x >= 0.0);
            if let Some((g, _)) = st.gross.as_mut() {
                g.counts = v.iter().sum();
                if v.len() > 1 {
                    g.windows = v;
                }
            }
        }
        _ => {
            let s = decode(text);
            if s.is_empty() {
                return;
            }
            let in_spec = st.cur.is_some() && in_(stack, b"Spectrum");
            match top {
                b"RealTime" | b"LiveTime" | b"LiveTimeDuration" | b"SampleRealTime" | b"RealTimeDuration" => {
                    let Some(v) = parse_duration(&s) else {
                        st.diag(pos, &path(), false, format!("not an ISO-8601 duration: {s:?}"));
                        return;
                    };
                    let live = top == b"LiveTime" || top == b"LiveTimeDuration";
                    if v <= 0.0 {
                        let what = if live { "live" } else { "real" };
                        st.diag(pos, &path(), false, format!("{what} time {s} is not positive (dropped)"));
                        return;
                    }
                    if let Some((g, _)) = st.gross.as_mut() {
                        if live {
                            g.live_time_s = Some(v);
                        } else {
                            g.real_time_s = Some(v);
                        }
                    } else if in_spec {
                        let c = st.cur.as_mut().expect("in_spec");
                        if live {
                            c.live_time_s = Some(v);
                        } else {
                            c.real_time_s = Some(v);
                        }
                    } else if !live {
                        let i = st.slice_idx();
                        st.f.slices[i].real_time_s = Some(v);
                    }
                }
                b"StartTime" | b"StartDateTime" => {
                    if in_spec {
                        st.cur.as_mut().expect("in_spec").start = Some(s);
                    } else if in_(stack, b"DetectorData") || in_(stack, b"RadMeasurement") {
                        let i = st.slice_idx();
                        st.f.slices[i].start = Some(s);
                    }
                }
                b"Occupied" | b"OccupancyIndicator" => {
                    let v = match s.to_ascii_lowercase().as_str() {
                        "1" | "true" | "yes" => Some(true),
                        "0" | "false" | "no" => Some(false),
                        _ => None,
                    };
                    if v.is_none() {
                        st.diag(pos, &path(), true, format!("occupancy flag {s:?} not understood"));
                    }
                    let i = st.slice_idx();
                    st.f.slices[i].occupied = v;
                }
                b"Speed" | b"SpeedValue" => {
                    let unit = attr(top_attrs, "Units").or_else(|| attr(top_attrs, "units")).unwrap_or_else(|| {
                        if top == b"SpeedValue" { "m/s".into() } else { String::new() }
                    });
                    match crate::num::parse_number(s.as_bytes()) {
                        Some(v) if v >= 0.0 => {
                            let k = match unit.to_ascii_lowercase().as_str() {
                                "mph" => Some(0.44704),
                                "km/h" | "kph" | "kmh" => Some(1.0 / 3.6),
                                "m/s" | "mps" => Some(1.0),
                                _ => None,
                            };
                            let i = st.slice_idx();
                            st.f.slices[i].speed = Some(Speed { value: v, m_per_s: k.map(|k| k * v), unit });
                        }
                        _ => st.diag(pos, &path(), true, format!("speed {s:?} not understood")),
                    }
                }
                b"LaneNumber" => match s.parse::<u32>() {
                    Ok(v) => st.f.instrument.lane = Some(v),
                    Err(_) => st.diag(pos, &path(), true, format!("lane number {s:?} not understood")),
                },
                b"InstrumentType" | b"RadInstrumentClassCode" => st.f.instrument.kind = Some(s),
                b"Manufacturer" | b"RadInstrumentManufacturerName" => st.f.instrument.manufacturer = Some(s),
                b"InstrumentModel" | b"RadInstrumentModelName" => st.f.instrument.model = Some(s),
                b"InstrumentID" | b"RadInstrumentIdentifier" => st.f.instrument.id = Some(s),
                b"DetectorType" if in_spec => st.cur.as_mut().expect("in_spec").detector_kind = Some(s),
                b"SourceType" if in_spec => {
                    let class = match s.to_ascii_lowercase().as_str() {
                        "item" => "Foreground".to_string(),
                        "background" => "Background".to_string(),
                        "calibration" => "Calibration".to_string(),
                        _ => s,
                    };
                    st.cur.as_mut().expect("in_spec").class = Some(class);
                }
                b"MeasurementClassCode" => {
                    let i = st.slice_idx();
                    st.f.slices[i].class = Some(s);
                }
                b"Remark" => {
                    let parent = stack.len().checked_sub(2).map(|i| stack[i]);
                    if in_spec {
                        let c = st.cur.as_mut().expect("in_spec");
                        if c.title.is_none() {
                            c.title = Some(s.strip_prefix("Title: ").unwrap_or(&s).to_string());
                        }
                    } else if parent == Some(b"RadMeasurement") {
                        st.slice_title = Some(s.strip_prefix("Title: ").unwrap_or(&s).to_string());
                    } else if matches!(parent, Some(b"MeasuredItemInformation" | b"Measurement" | b"N42InstrumentData" | b"RadInstrumentData")) {
                        st.f.remarks.push(s);
                    }
                }
                b"Coefficients" | b"CoefficientValues" | b"EnergyBoundaryValues" => {
                    let Some(cal) = st.cal.as_ref() else { return };
                    if !cal.energy {
                        return;
                    }
                    let id = cal.id.clone();
                    let (v, bad) = parse_list(&s);
                    if bad > 0 {
                        st.diag(pos, &path(), true, format!("{bad} calibration value(s) that are not numbers skipped"));
                    }
                    if v.is_empty() {
                        st.diag(pos, &path(), false, "empty energy calibration");
                        return;
                    }
                    let c = if top == b"EnergyBoundaryValues" {
                        Calibration::LowerEdges { energies: v }
                    } else {
                        Calibration::Polynomial { coefficients: v }
                    };
                    if in_spec && id.is_none() {
                        st.cur.as_mut().expect("in_spec").calibration = Some(c);
                    } else {
                        // a 2012 EnergyCalibration may hold both; boundaries win over coefficients
                        if let Some(e) = st.cals.iter_mut().find(|(i, _)| *i == id) {
                            if top == b"EnergyBoundaryValues" || matches!(e.1, Calibration::Polynomial { .. }) {
                                e.1 = c;
                            }
                        } else {
                            st.cals.push((id, c));
                        }
                    }
                }
                b"ItemToDetectorDistance" => {
                    let unit = attr(top_attrs, "Units").unwrap_or_else(|| "m".into());
                    let k = match unit.as_str() {
                        "m" => 1.0,
                        "cm" => 0.01,
                        "mm" => 0.001,
                        "ft" => 0.3048,
                        _ => f64::NAN,
                    };
                    match crate::num::parse_number(s.as_bytes()).map(|v| v * k) {
                        Some(v) if v.is_finite() && v >= 0.0 => st.f.item_distance_m = Some(v),
                        _ => st.diag(pos, &path(), true, format!("distance {s:?} {unit} not understood")),
                    }
                }
                b"RadDetectorCategoryCode" => {
                    if let Some(d) = st.det_infos.last_mut() {
                        d.category = Some(s);
                    }
                }
                b"RadDetectorKindCode" => {
                    if let Some(d) = st.det_infos.last_mut() {
                        d.kind = Some(s);
                    }
                }
                _ => {}
            }
        }
    }
}

fn finish(st: &mut State) {
    // resolve calibration references
    let refs = std::mem::take(&mut st.pending_refs);
    for (idx, r, pos) in refs {
        if st.f.spectra[idx].calibration.is_some() {
            continue;
        }
        let found = r
            .split_whitespace()
            .find_map(|one| st.cals.iter().find(|(id, _)| id.as_deref() == Some(one)).map(|(_, c)| c.clone()));
        match found {
            Some(c) => st.f.spectra[idx].calibration = Some(c),
            None => st.diag(pos, "Spectrum", true, format!("energy calibration {r:?} not found")),
        }
    }
    // a lone unnamed calibration applies to spectra without one
    if st.cals.len() == 1 {
        let c = st.cals[0].1.clone();
        for s in st.f.spectra.iter_mut().filter(|s| s.calibration.is_none()) {
            s.calibration = Some(c.clone());
        }
    }
    let kinds: Vec<(String, Option<String>)> = st.det_infos.iter().map(|d| (d.id.clone(), d.kind.clone())).collect();
    for (i, s) in st.f.spectra.iter_mut().enumerate() {
        let sl = st.f.slices.get(s.slice).cloned().unwrap_or_default();
        if s.real_time_s.is_none() {
            s.real_time_s = sl.real_time_s;
        }
        if s.start.is_none() {
            s.start = sl.start.clone();
        }
        if s.class.is_none() {
            s.class = sl.class.clone();
        }
        if s.detector_kind.is_none() {
            s.detector_kind = kinds.iter().find(|(id, _)| *id == s.detector).and_then(|(_, k)| k.clone());
        }
        if let Some(c) = &s.calibration {
            if !c.is_monotonic(s.counts.len()) {
                st.d.push(Diagnostic::error(
                    format!("spectra[{i}].calibration"),
                    "energy calibration is not monotonic over the channels (dropped)",
                ));
                s.calibration = None;
            }
        }
        if s.counts.is_empty() {
            st.d.push(Diagnostic::warning(format!("spectra[{i}]"), "spectrum without channel data"));
        }
    }
    for g in st.f.gross_counts.iter_mut() {
        if let Some(d) = st.det_infos.iter().find(|d| d.id == g.detector) {
            if d.category.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("neutron")) {
                g.radiation = Radiation::Neutron;
            }
        }
        if g.real_time_s.is_none() {
            g.real_time_s = st.f.slices.get(g.slice).and_then(|s| s.real_time_s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N2006: &str = r#"<?xml version="1.0"?>
<N42InstrumentData xmlns:dndons="http://www.DNDO.gov/N42Schema/2006/DNDOSchema" xmlns="http://physics.nist.gov/Divisions/Div846/Gp4/ANSIN4242/2005/ANSIN4242">
<Measurement><InstrumentInformation><LaneNumber>3</LaneNumber>
<dndons:DetectorStatus Detector="A1" Operational="0"/></InstrumentInformation>
<DetectorData><StartTime>2010-01-24T00:08:24Z</StartTime><SampleRealTime>PT0.2S</SampleRealTime><Occupied>1</Occupied><Speed Units="mph">10</Speed>
<DetectorMeasurement Detector="P" DetectorType="Other"><SpectrumMeasurement>
<Spectrum Detector="A1" SampleNumber="1"><RealTime>PT0.2S</RealTime><LiveTime>PT0.19S</LiveTime>
<Calibration Type="Energy"><Equation><Coefficients>0 3</Coefficients></Equation></Calibration>
<ChannelData Compression="CountedZeroes">0 2 5 7 0 1 1</ChannelData></Spectrum>
</SpectrumMeasurement></DetectorMeasurement>
<DetectorMeasurement Detector="N1" DetectorType="Neutron"><CountDoseData><SampleRealTime>PT0.2S</SampleRealTime><Counts>4</Counts></CountDoseData></DetectorMeasurement>
</DetectorData></Measurement></N42InstrumentData>"#;

    #[test]
    fn reads_2006_with_dndo_extensions() {
        let (f, d) = read(N2006.as_bytes());
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(f.format, Format::N42_2006);
        assert_eq!(f.spectra.len(), 1);
        let s = &f.spectra[0];
        assert_eq!(s.counts, vec![0.0, 0.0, 5.0, 7.0, 0.0, 1.0]);
        assert_eq!(s.live_time_s, Some(0.19));
        assert_eq!(s.detector, "A1");
        assert_eq!(f.instrument.lane, Some(3));
        assert!(!f.instrument.detector_status[0].operational);
        assert_eq!(f.slices[0].occupied, Some(true));
        let sp = f.slices[0].speed.as_ref().unwrap();
        assert!((sp.m_per_s.unwrap() - 4.4704).abs() < 1e-9);
        assert_eq!(f.gross_counts.len(), 1);
        assert_eq!(f.gross_counts[0].radiation, Radiation::Neutron);
        assert_eq!(f.gross_counts[0].counts, 4.0);
        assert_eq!(f.gross_gamma().len(), 1);
    }

    #[test]
    fn truncated_and_bad_values_give_diagnostics() {
        let cut = &N2006[..N2006.find("0 1 1").unwrap()];
        let (f, d) = read(cut.as_bytes());
        assert_eq!(f.spectra.len(), 1);
        assert!(d.iter().any(|x| x.message.contains("truncated")));
        let bad = N2006.replace("5 7", "-5 x").replace("PT0.19S", "PT0S").replace("0 3<", "5 -3<");
        let (f, d) = read(bad.as_bytes());
        assert!(d.iter().any(|x| x.message.contains("negative")));
        assert!(d.iter().any(|x| x.message.contains("not numbers")));
        assert!(d.iter().any(|x| x.message.contains("not positive")));
        assert!(d.iter().any(|x| x.message.contains("not monotonic")));
        assert!(f.spectra[0].counts.iter().all(|c| *c >= 0.0));
        assert!(f.spectra[0].live_time_s.is_none());
        let wrong = N2006.replace("http://physics.nist.gov/Divisions/Div846/Gp4/ANSIN4242/2005/ANSIN4242", "urn:other");
        let (_, d) = read(wrong.as_bytes());
        assert!(d.iter().any(|x| x.message.contains("unexpected namespace")));
    }
}
