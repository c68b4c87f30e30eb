//! Radiation instrument files and spectrum analysis. Pure: no I/O, no panics on input, no NaN in a result.
//!
//! Principal items:
//! - [`read`] / [`read_with`]: detect the format of a file's bytes and read it into a [`SpectrumFile`]
//!   plus [`Diagnostic`]s. Formats ([`Format`]): ANSI N42.42-2006 (with the DNDO 2006 extension
//!   elements: occupancy, speed, lane, detector status) and N42.42-2011/2012, IAEA SPE text, CSV spectra,
//!   RadiaCode/BecqMoni `ResultDataFile` XML, Canberra CNF and ORTEC SPC (integer/real) binaries.
//! - [`Spectrum`]: one channel array of one detector for one time slice, with live/real time and an
//!   energy [`Calibration`]; [`GrossCount`]: a gross gamma or neutron count of one detector in one slice;
//!   [`Slice`]: a time slice (a 2006 `DetectorData`, a 2012 `RadMeasurement`) with occupancy facts.
//! - [`analysis`]: rebinning, live-time-scaled background subtraction, peak search and Gaussian fits.
//! - [`library`] and [`identify`]: the gamma-line library and nuclide identification with classes
//!   (NORM, medical, industrial, SNM).
//!
//! Readers are lenient: whatever can be understood is returned, and every repair or doubt is a
//! [`Diagnostic`] naming a line or an element path. Only input in no known format is an [`Error`].

pub mod analysis;
pub mod binary;
pub mod csvspec;
pub mod identify;
pub mod library;
pub mod n42;
pub mod num;
pub mod radiacode;
pub mod spe;
mod xml;

pub use clearway_core::{Diagnostic, Severity};
use serde::{Deserialize, Serialize};

/// Errors: the input is in no format this crate reads.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("unrecognised spectrum file: {0}")]
    UnknownFormat(String),
    #[error("empty input")]
    Empty,
    #[error("CSV: {0}")]
    Csv(String),
}

/// The format a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// ANSI N42.42-2006 (`N42InstrumentData`, namespace `.../ANSIN4242/2005/ANSIN4242`), possibly with the
    /// DNDO 2006 extension namespace.
    #[serde(rename = "N42-2006")]
    N42_2006,
    /// ANSI N42.42-2011/2012 (`RadInstrumentData`, namespace `http://physics.nist.gov/N42/2011/N42`).
    #[serde(rename = "N42-2012")]
    N42_2012,
    /// IAEA / ORTEC SPE text (`$SPEC_ID:` ... `$DATA:`).
    #[serde(rename = "SPE")]
    Spe,
    /// CSV: an energy or channel column and one or more count columns.
    #[serde(rename = "CSV")]
    Csv,
    /// RadiaCode / BecqMoni `ResultDataFile` XML.
    #[serde(rename = "RadiaCode-XML")]
    RadiaCode,
    /// Canberra CNF binary.
    #[serde(rename = "CNF")]
    Cnf,
    /// ORTEC SPC binary.
    #[serde(rename = "SPC")]
    Spc,
}

impl Format {
    /// A short name for people.
    pub fn name(self) -> &'static str {
        match self {
            Format::N42_2006 => "N42-2006",
            Format::N42_2012 => "N42-2012",
            Format::Spe => "SPE",
            Format::Csv => "CSV",
            Format::RadiaCode => "RadiaCode-XML",
            Format::Cnf => "CNF",
            Format::Spc => "SPC",
        }
    }
}

/// Energy calibration: how a channel maps to an energy in keV.
///
/// Channel numbers are zero-based and refer to the *lower edge* of a channel (N42 convention); the centre of
/// channel `i` is at channel coordinate `i + 0.5`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calibration {
    /// `E(x) = c0 + c1·x + c2·x² + …` keV for channel coordinate `x`.
    Polynomial { coefficients: Vec<f64> },
    /// The energy (keV) of the lower edge of every channel (as many values as channels, possibly one more
    /// for the upper edge of the last channel), increasing.
    LowerEdges { energies: Vec<f64> },
}

impl Calibration {
    /// Multiply every energy the calibration gives by `f` (an energy axis off by a known factor).
    pub fn scale(&mut self, f: f64) {
        match self {
            Calibration::Polynomial { coefficients: v } | Calibration::LowerEdges { energies: v } => v.iter_mut().for_each(|x| *x *= f),
        }
    }

    /// Energy (keV) at channel coordinate `x` (fractional). Finite for finite input.
    pub fn energy(&self, x: f64) -> f64 {
        match self {
            Calibration::Polynomial { coefficients } => {
                let mut e = 0.0;
                for c in coefficients.iter().rev() {
                    e = e * x + c;
                }
                if e.is_finite() { e } else { 0.0 }
            }
            Calibration::LowerEdges { energies } => {
                let n = energies.len();
                if n == 0 {
                    return 0.0;
                }
                if n == 1 {
                    return energies[0];
                }
                let i = (x.floor().max(0.0) as usize).min(n - 2);
                let f = x - i as f64;
                energies[i] + f * (energies[i + 1] - energies[i])
            }
        }
    }

    /// Whether the calibration gives strictly increasing energies over `channels` channels (checked at
    /// every channel edge for tables, at 64 points plus both ends for polynomials) and has a positive slope.
    pub fn is_monotonic(&self, channels: usize) -> bool {
        match self {
            Calibration::Polynomial { coefficients } => {
                if coefficients.len() < 2 || coefficients.iter().any(|c| !c.is_finite()) {
                    return false;
                }
                let n = channels.max(2) as f64;
                let steps = 64usize;
                let mut prev = self.energy(0.0);
                for k in 1..=steps {
                    let e = self.energy(n * k as f64 / steps as f64);
                    if e <= prev {
                        return false;
                    }
                    prev = e;
                }
                true
            }
            Calibration::LowerEdges { energies } => {
                energies.len() >= 2 && energies.iter().all(|e| e.is_finite()) && energies.windows(2).all(|w| w[1] > w[0])
            }
        }
    }

    /// The channel coordinate of `energy` keV (inverse of [`Calibration::energy`]) within `[0, channels]`,
    /// by bisection; `None` outside the calibrated range.
    pub fn channel_of(&self, energy: f64, channels: usize) -> Option<f64> {
        let (mut lo, mut hi) = (0.0f64, channels as f64);
        let (elo, ehi) = (self.energy(lo), self.energy(hi));
        if !(energy >= elo && energy <= ehi) {
            return None;
        }
        for _ in 0..50 {
            let mid = 0.5 * (lo + hi);
            if self.energy(mid) < energy {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(0.5 * (lo + hi))
    }
}

/// One spectrum: the channel counts of one detector for one time slice.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Spectrum {
    /// Detector (panel) name, e.g. `A1`; for CSV the column name. Empty when the file names none.
    pub detector: String,
    /// Index into [`SpectrumFile::slices`] of the time slice this spectrum belongs to.
    pub slice: usize,
    /// The sample number the file gives (N42-2006 `SampleNumber`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<String>,
    /// Measurement class: `Foreground`, `Background`, `IntrinsicActivity`, `Calibration`, ... as the file says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Title or remark of the spectrum (sample description), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Detector kind as the file describes it (`HPGe 50%`, `CsI`, `NaI`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector_kind: Option<String>,
    /// Start date-time as written in the file (ISO 8601 when the format uses it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Live time in seconds (positive; a zero or negative value is dropped with a diagnostic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_time_s: Option<f64>,
    /// Real (clock) time in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_time_s: Option<f64>,
    /// Energy calibration, when the file gives a usable (monotonic) one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Calibration>,
    /// Counts per channel, `CountedZeroes` already expanded. Finite; may be negative only in
    /// background-subtracted CSV traces (with a diagnostic).
    pub counts: Vec<f64>,
}

impl Spectrum {
    /// Number of channels.
    pub fn channels(&self) -> usize {
        self.counts.len()
    }
    /// Sum of all channels.
    pub fn total(&self) -> f64 {
        self.counts.iter().sum()
    }
    /// Energy (keV) of the centre of channel `i`, if calibrated.
    pub fn energy_of_channel(&self, i: usize) -> Option<f64> {
        self.calibration.as_ref().map(|c| c.energy(i as f64 + 0.5))
    }
}

/// Whether a count is of gamma rays or neutrons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Radiation {
    Gamma,
    Neutron,
}

/// A gross count of one detector in one time slice (N42 `GrossCounts`, 2006 `CountDoseData`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrossCount {
    pub detector: String,
    /// Index into [`SpectrumFile::slices`].
    pub slice: usize,
    pub radiation: Radiation,
    /// Counts (the sum when the file gives several values, e.g. several energy windows).
    pub counts: f64,
    /// Individual values when the file gives several (energy windows); empty when one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_time_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_time_s: Option<f64>,
}

/// Vehicle speed as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Speed {
    pub value: f64,
    /// Unit as written (`mph`, `km/h`, `m/s`, ...); empty when none.
    pub unit: String,
    /// The speed in m/s when the unit is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub m_per_s: Option<f64>,
}

/// One time slice (an N42-2006 `DetectorData`, an N42-2012 `RadMeasurement`, or the single measurement of
/// the other formats) and its occupancy facts.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Slice {
    /// Measurement id (2012 `id` attribute), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Start date-time as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Slice duration in seconds (2006 `SampleRealTime`, 2012 `RealTimeDuration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_time_s: Option<f64>,
    /// Measurement class (`Foreground`, `Background`, ...), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Whether a vehicle occupied the portal (2006 `Occupied`, 2012 `OccupancyIndicator`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupied: Option<bool>,
    /// Vehicle speed (2006 `Speed`, 2012 `SpeedValue`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<Speed>,
}

/// Operational status of one detector (DNDO 2006 `DetectorStatus`, 2012 `RadDetectorState`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectorStatus {
    pub detector: String,
    pub operational: bool,
}

/// The instrument that made the file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Instrument {
    /// Instrument type / class (`SpecPortal`, `Spectroscopic Personal Radiation Detector`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Portal lane number (2006 `LaneNumber`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lane: Option<u32>,
    /// Detector status per detector, as the file reports it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detector_status: Vec<DetectorStatus>,
}

/// Everything read from one instrument file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectrumFile {
    pub format: Format,
    pub instrument: Instrument,
    /// Time slices, in file order; [`Spectrum::slice`] and [`GrossCount::slice`] index into this.
    pub slices: Vec<Slice>,
    /// Every spectrum, in file order.
    pub spectra: Vec<Spectrum>,
    /// Gross counts given as such (not derived from spectra), in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gross_counts: Vec<GrossCount>,
    /// Distance from item to detector in metres (2006 `ItemToDetectorDistance`), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_distance_m: Option<f64>,
    /// Free-text remarks of the file (e.g. `Occupancy number = 25`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<String>,
    /// Index into [`SpectrumFile::spectra`] of the spectrum to analyse by default: the selected CSV column,
    /// else the first foreground spectrum, else the first spectrum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<usize>,
}

impl SpectrumFile {
    /// An empty file of a format.
    pub fn new(format: Format) -> Self {
        SpectrumFile {
            format,
            instrument: Instrument::default(),
            slices: Vec::new(),
            spectra: Vec::new(),
            gross_counts: Vec::new(),
            item_distance_m: None,
            remarks: Vec::new(),
            primary: None,
        }
    }

    /// Detector names in order of first appearance (spectra, then gross counts, then status).
    pub fn detectors(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let names = self
            .spectra
            .iter()
            .map(|s| &s.detector)
            .chain(self.gross_counts.iter().map(|g| &g.detector))
            .chain(self.instrument.detector_status.iter().map(|d| &d.detector));
        for n in names {
            if !out.iter().any(|o| o == n) {
                out.push(n.clone());
            }
        }
        out
    }

    /// The spectrum to analyse by default (see [`SpectrumFile::primary`]).
    pub fn primary_spectrum(&self) -> Option<&Spectrum> {
        self.primary.and_then(|i| self.spectra.get(i)).or_else(|| self.spectra.first())
    }

    /// The first spectrum marked as background, if any.
    pub fn background_spectrum(&self) -> Option<&Spectrum> {
        self.spectra.iter().find(|s| s.class.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("background")))
    }

    /// Gross gamma counts per detector per slice: the given gamma [`GrossCount`]s, and for a detector and
    /// slice that has a spectrum but no gross count, the spectrum's total. Ordered by slice, then by
    /// detector as in [`SpectrumFile::detectors`].
    pub fn gross_gamma(&self) -> Vec<GrossCount> {
        let mut out: Vec<GrossCount> =
            self.gross_counts.iter().filter(|g| g.radiation == Radiation::Gamma).cloned().collect();
        for s in &self.spectra {
            if !out.iter().any(|g| g.slice == s.slice && g.detector == s.detector) {
                out.push(GrossCount {
                    detector: s.detector.clone(),
                    slice: s.slice,
                    radiation: Radiation::Gamma,
                    counts: s.total(),
                    windows: Vec::new(),
                    live_time_s: s.live_time_s,
                    real_time_s: s.real_time_s,
                });
            }
        }
        let dets = self.detectors();
        let pos = |d: &str| dets.iter().position(|x| x == d).unwrap_or(usize::MAX);
        out.sort_by(|a, b| a.slice.cmp(&b.slice).then(pos(&a.detector).cmp(&pos(&b.detector))));
        out
    }

    /// Neutron gross counts, in file order.
    pub fn gross_neutron(&self) -> Vec<&GrossCount> {
        self.gross_counts.iter().filter(|g| g.radiation == Radiation::Neutron).collect()
    }

    /// Sum of live times over all spectra (seconds).
    pub fn sum_live_time_s(&self) -> f64 {
        self.spectra.iter().filter_map(|s| s.live_time_s).sum()
    }

    /// Total counts over all spectra.
    pub fn total_counts(&self) -> f64 {
        self.spectra.iter().map(Spectrum::total).sum()
    }

    pub(crate) fn set_primary(&mut self) {
        if self.primary.is_none() && !self.spectra.is_empty() {
            let fg = self
                .spectra
                .iter()
                .position(|s| s.class.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("foreground")));
            let not_bg = self
                .spectra
                .iter()
                .position(|s| !s.class.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("background")));
            self.primary = fg.or(not_bg).or(Some(0));
        }
    }
}

/// Reading options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// CSV: the count column to analyse (by header name, case-insensitive, or 1-based number); default the last.
    pub column: Option<String>,
    /// A file name, used only as a hint for binary formats whose content has no signature.
    pub file_name: Option<String>,
}

/// Read an instrument file with default options. See [`read_with`].
pub fn read(bytes: &[u8]) -> Result<(SpectrumFile, Vec<Diagnostic>), Error> {
    read_with(bytes, &Options::default())
}

/// Detect the format of `bytes` and read them. Returns the file and diagnostics; an [`Error`] only when the
/// input is empty or in no known format.
pub fn read_with(bytes: &[u8], opts: &Options) -> Result<(SpectrumFile, Vec<Diagnostic>), Error> {
    let fmt = detect(bytes, opts.file_name.as_deref()).ok_or_else(|| {
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            Error::Empty
        } else {
            Error::UnknownFormat("not N42, SPE, CSV, RadiaCode XML, CNF or SPC".into())
        }
    })?;
    let (mut f, d) = match fmt {
        Format::N42_2006 | Format::N42_2012 => n42::read(bytes),
        Format::RadiaCode => radiacode::read(bytes),
        Format::Spe => spe::read(bytes),
        Format::Csv => csvspec::read(bytes, opts.column.as_deref())?,
        Format::Cnf => binary::read_cnf(bytes),
        Format::Spc => binary::read_spc(bytes),
    };
    f.set_primary();
    Ok((f, d))
}

/// Detect the format from content (the file name is a hint for the binaries only).
pub fn detect(bytes: &[u8], file_name: Option<&str>) -> Option<Format> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)?;
    let head = &bytes[start..bytes.len().min(start + 4096)];
    let lower_name = file_name.map(|n| n.to_ascii_lowercase());
    let ext = lower_name.as_deref().and_then(|n| n.rsplit_once('.').map(|(_, e)| e.to_string()));
    if head.starts_with(b"<") {
        let text = String::from_utf8_lossy(head);
        if text.contains("ResultDataFile") {
            return Some(Format::RadiaCode);
        }
        if text.contains("N42InstrumentData") || text.contains("ANSIN4242") {
            return Some(Format::N42_2006);
        }
        if text.contains("RadInstrumentData") || text.contains("N42/2011") {
            return Some(Format::N42_2012);
        }
        // A root we do not know but that looks like N42: let the N42 reader decide with diagnostics.
        let t = String::from_utf8_lossy(&bytes[start..bytes.len().min(start + 65536)]);
        if t.contains("ChannelData") || t.contains("Spectrum") {
            return Some(if t.contains("RadMeasurement") { Format::N42_2012 } else { Format::N42_2006 });
        }
        return None;
    }
    if head.starts_with(b"$SPEC_ID") || head.starts_with(b"$DATA") || head.starts_with(b"$") {
        return Some(Format::Spe);
    }
    if binary::looks_like_spc(bytes) || ext.as_deref() == Some("spc") {
        return Some(Format::Spc);
    }
    if binary::looks_like_cnf(bytes) || ext.as_deref() == Some("cnf") {
        return Some(Format::Cnf);
    }
    // Text with a delimiter on its first line: CSV.
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or(&[]);
    if head.iter().all(|b| *b != 0) && (first_line.contains(&b',') || first_line.contains(&b';') || first_line.contains(&b'\t'))
    {
        return Some(Format::Csv);
    }
    if head.iter().all(|b| *b != 0) && std::str::from_utf8(head).is_ok() {
        // One number per line: a bare column of counts.
        let t = String::from_utf8_lossy(head);
        if t.lines().take(5).all(|l| l.trim().is_empty() || l.trim().parse::<f64>().is_ok()) {
            return Some(Format::Csv);
        }
    }
    None
}

/// Line number (1-based) of byte offset `pos` in `bytes`.
pub(crate) fn line_of(bytes: &[u8], pos: usize) -> u64 {
    memchr::memchr_iter(b'\n', &bytes[..pos.min(bytes.len())]).count() as u64 + 1
}
