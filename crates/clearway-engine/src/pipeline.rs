//! The pipeline: enrich → layers → combine.

use chrono::{DateTime, Utc};
use clearway_core::{Decision, FastCheck, Filing, Finding};

use crate::history::{EntityHistory, HistoryAt};
use crate::{combine, config::Config, deadlines, layers, reference::ReferenceData, trust, trust::Registry};

/// What is known of earlier versions of the same filing id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prior {
    /// Filing time of the earliest version (the clock an amendment keeps where the rule says so).
    pub first_filed_at: Option<DateTime<Utc>>,
    /// Number of versions already stored.
    pub versions: usize,
}

/// Everything a layer may read besides the filing.
pub struct Context<'a> {
    pub config: &'a Config,
    pub reference: &'a ReferenceData,
    pub registry: &'a Registry,
    pub prior: Option<&'a Prior>,
    /// FAST eligibility, computed once before the layers run (highway crossings into CA / US).
    pub fast: Option<FastCheck>,
    /// The importer (exporter on exports) holds a valid trusted-trader membership (what the
    /// trusted-trader layer's `TT-IMPORTER` finding says), computed once before the layers run.
    pub trusted_importer: bool,
    /// The filing is late under the deadline table (what the deadline layer's `DL-LATE` says), computed
    /// once before the layers run.
    pub late: bool,
    /// Entity history strictly before the filing's UTC filing day ([`crate::history`]); `None` when the
    /// caller keeps none or the filing has no filing time.
    pub history: Option<HistoryAt<'a>>,
    /// What each export licence item has used: the store's balances when the caller loaded them plus
    /// what it assessed since (`clearway_core::licence`); `None` when the caller keeps none.
    pub licence_used: Option<&'a clearway_core::licence::Balances>,
}

impl<'a> Context<'a> {
    /// The context of one filing: the facts every layer may read are computed here, before any layer
    /// runs, so no layer reads another layer's findings.
    pub fn new(
        config: &'a Config,
        reference: &'a ReferenceData,
        registry: &'a Registry,
        prior: Option<&'a Prior>,
        history: Option<&'a EntityHistory>,
        filing: &Filing,
    ) -> Self {
        let fast = trust::fast_check(filing, registry);
        let fast_eligible = filing.fast && fast.as_ref().is_some_and(|c| c.eligible);
        let late = matches!(layers::deadline_check(filing, prior, fast_eligible), layers::DeadlineCheck::Timed { late, .. } if late > 0);
        Context {
            config,
            reference,
            registry,
            prior,
            fast,
            trusted_importer: layers::importer_membership(filing, registry).is_some(),
            late,
            history: history.and_then(|h| h.at(filing)),
            licence_used: None,
        }
    }
}

impl Context<'_> {
    /// Whether the filing asks for FAST and every link holds.
    pub fn fast_eligible(&self, f: &Filing) -> bool {
        f.fast && self.fast.as_ref().is_some_and(|c| c.eligible)
    }
}

/// One assessment layer. Adding a layer never requires touching the pipeline.
pub trait Layer: Send + Sync {
    /// Short kebab-case name recorded on its findings.
    fn name(&self) -> &'static str;
    /// A digest of what the layer was loaded with (a model file, list versions, rule texts): it enters
    /// the configuration hash every decision records, so a decision names the inputs that produced it.
    /// Empty for layers whose behaviour is fixed by the code.
    fn fingerprint(&self) -> String {
        String::new()
    }
    /// Assess one filing; push findings to `out`. A finding's weight comes from
    /// `ctx.config.weight(code, default)`, so a configured override applies; a layer that scales its weight
    /// (the model's by its probability) scales the configured one. The pipeline does not overwrite weights.
    fn assess(&self, filing: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>);
}

/// The layered pipeline.
pub struct Pipeline {
    layers: Vec<Box<dyn Layer>>,
    /// Each layer's name and fingerprint, taken once when it was added (a fingerprint may hash a whole
    /// model or list set; the configuration hash is recomputed on every change).
    layer_keys: Vec<String>,
    config: Config,
    reference: ReferenceData,
    registry: Registry,
    config_hash: String,
    /// A configuration hash given from outside (an assessment bundle's), recorded instead of the
    /// computed one.
    pinned_hash: Option<String>,
}

impl Pipeline {
    /// A pipeline with the standard layers.
    pub fn new(config: Config, reference: ReferenceData, registry: Registry) -> Self {
        let mut p = Pipeline::empty(config, reference, registry);
        p.add_layer(Box::new(layers::DataQuality));
        p.add_layer(Box::new(layers::Deadline));
        p.add_layer(Box::new(layers::TrustedTrader));
        p.add_layer(Box::new(layers::RadioactiveSource::default()));
        p
    }

    /// A pipeline with no layers yet.
    pub fn empty(config: Config, reference: ReferenceData, registry: Registry) -> Self {
        let mut p = Pipeline { layers: Vec::new(), layer_keys: Vec::new(), config, reference, registry, config_hash: String::new(), pinned_hash: None };
        p.rehash();
        p
    }

    /// Add a layer (findings appear in layer order before combining).
    pub fn add_layer(&mut self, layer: Box<dyn Layer>) {
        self.layer_keys.push(format!("{}\0{}\0", layer.name(), layer.fingerprint()));
        self.layers.push(layer);
        self.rehash();
    }

    /// Replace the trusted-trader registry (a suspension applies from the next assessment).
    pub fn set_registry(&mut self, registry: Registry) {
        self.registry = registry;
        self.rehash();
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn layer_names(&self) -> Vec<&'static str> {
        self.layers.iter().map(|l| l.name()).collect()
    }

    /// Hash of the configuration, layer list (with each layer's fingerprint), deadline table, reference data
    /// and registry.
    pub fn config_hash(&self) -> &str {
        &self.config_hash
    }

    /// Record `hash` as the configuration hash of every decision from now on, instead of the computed
    /// one: an assessment bundle names, by its own signed hash, the whole configuration the pipeline was
    /// built from. [`computed_hash`](Self::computed_hash) still gives the pipeline's own.
    pub fn pin_config_hash(&mut self, hash: impl Into<String>) {
        self.pinned_hash = Some(hash.into());
        self.rehash();
    }

    /// The hash computed from the configuration, layers, deadline table, reference data and registry,
    /// whether or not a hash is pinned.
    pub fn computed_hash(&self) -> String {
        let mut h = blake3::Hasher::new();
        h.update(serde_json::to_string(&self.config).unwrap_or_default().as_bytes());
        for k in &self.layer_keys {
            h.update(k.as_bytes());
        }
        h.update(deadlines::table_fingerprint().as_bytes());
        h.update(self.reference.fingerprint().as_bytes());
        h.update(self.registry.fingerprint().as_bytes());
        h.finalize().to_hex()[..16].to_string()
    }

    fn rehash(&mut self) {
        self.config_hash = self.pinned_hash.clone().unwrap_or_else(|| self.computed_hash());
    }

    /// Assess one filing version.
    pub fn assess(&self, filing: &Filing, prior: Option<&Prior>) -> Decision {
        self.assess_with(filing, prior, None)
    }

    /// Assess one filing version with the entity history its caller keeps (the service loads it from
    /// the store; a filing reads only the days before its own).
    pub fn assess_with(&self, filing: &Filing, prior: Option<&Prior>, history: Option<&EntityHistory>) -> Decision {
        self.assess_in(filing, prior, history, None)
    }

    /// [`assess_with`](Self::assess_with), with the export licence balances its caller keeps.
    pub fn assess_in(
        &self,
        filing: &Filing,
        prior: Option<&Prior>,
        history: Option<&EntityHistory>,
        licence_used: Option<&clearway_core::licence::Balances>,
    ) -> Decision {
        let mut ctx = Context::new(&self.config, &self.reference, &self.registry, prior, history, filing);
        ctx.licence_used = licence_used;
        let mut findings = Vec::with_capacity(8);
        for layer in &self.layers {
            layer.assess(filing, &ctx, &mut findings);
        }
        combine::combine(filing, &ctx, findings, &self.config_hash)
    }
}
