//! What a rule is: static metadata with its documentation, and one check
//! function that inspects a context and reports hits to an [`Emitter`].

use crate::object::Field;
use std::borrow::Cow;

use serde_json::Value;

use crate::config::Config;
use crate::finding::{Category, Fix, FixSafety, Severity};
use crate::index::Index;
use crate::object::{ContainerRef, ObjectRef, Roles, Workload};
use crate::path::FieldPath;

/// What a check is run against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Once per container of a pod-bearing object whose role is in the set.
    Container(Roles),
    /// Once per pod-bearing object (Pod, Deployment, CronJob, CRDs with a pod template).
    Workload,
    /// Once per object whose kind the check accepts (Ingress, ConfigMap, RBAC, …).
    Object,
}

/// Static metadata of a built-in rule. The `doc` text is the rule's doc
/// comment, captured by [`declare_rule!`](crate::declare_rule).
#[derive(Debug)]
pub struct RuleMeta {
    /// Polaris-compatible camelCase id.
    pub id: &'static str,
    /// Category.
    pub category: Category,
    /// Default severity (Polaris's `default.yaml`).
    pub severity: Severity,
    /// What it runs against.
    pub scope: Scope,
    /// For `Scope::Object`: the kinds it judges. For workload and container
    /// scopes: if non-empty, only workloads of these kinds are judged.
    pub kinds: &'static [&'static str],
    /// Kinds of *other* objects the rule consults (cross-object rules). Empty
    /// for rules that judge an object on its own.
    pub needs: &'static [&'static str],
    /// The safety of the fix it offers, if any.
    pub fix: Option<FixSafety>,
    /// One-line summary (lowercase, no trailing period).
    pub summary: &'static str,
    /// Full documentation in fixed Markdown sections.
    pub doc: &'static str,
}

/// A built-in rule: one per file under `rules/`.
pub trait Rule: Send + Sync {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Inspects `cx` and reports every failure to `out`. Returning without a
    /// report means "passed".
    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter);
}

/// Everything a check may look at.
pub struct Ctx<'a> {
    /// The whole object (for cross-object rules in the linter's second pass,
    /// a pruned copy; see [`crate::engine::prune_for_cross_checks`]).
    pub object: &'a Value,
    /// Its reference.
    pub object_ref: &'a ObjectRef,
    /// The workload view, when the object bears a pod.
    pub workload: Option<&'a Workload<'a>>,
    /// The container under test, for container-scoped checks.
    pub container: Option<&'a ContainerRef<'a>>,
    /// Other objects of the same run; `None` when unavailable (admission).
    pub index: Option<&'a Index>,
    /// The effective configuration (rule options such as `allowedRegistries`).
    pub config: &'a Config,
}

impl<'a> Ctx<'a> {
    /// The workload; container and workload scoped checks always have one.
    pub fn workload(&self) -> Option<&'a Workload<'a>> {
        self.workload
    }

    /// The container's `securityContext`, if set.
    pub fn container_security_context(&self) -> Option<&'a Value> {
        self.container
            .and_then(|c| c.value.field("securityContext"))
    }

    /// The pod's `securityContext`, if set.
    pub fn pod_security_context(&self) -> Option<&'a Value> {
        self.workload
            .and_then(|w| w.pod_spec.field("securityContext"))
    }

    /// The object's namespace ("" when unset).
    pub fn namespace(&self) -> &str {
        &self.object_ref.namespace
    }
}

/// One failure a check reports.
#[derive(Clone, Debug)]
pub struct Hit {
    /// The offending field, or the nearest enclosing object when missing.
    pub path: FieldPath,
    /// What is wrong (a static string when it has no parameters).
    pub message: Cow<'static, str>,
    /// A fix, if the rule has one for this case.
    pub fix: Option<Fix>,
}

/// Outcome of one check evaluation besides its hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Verdict {
    /// Evaluated: passed when there are no hits.
    #[default]
    Evaluated,
    /// The check does not apply to this target (not counted in the score).
    NotApplicable,
    /// The check could not be decided because something it needs lies outside
    /// the input (a ServiceAccount created elsewhere). Not a finding.
    NotEvaluated,
}

/// Collects what a check reports.
#[derive(Debug, Default)]
pub struct Emitter {
    pub(crate) hits: Vec<Hit>,
    pub(crate) verdict: Verdict,
    pub(crate) reason: Option<String>,
    /// The check itself could not be applied ([`Emitter::check_at_fault`]).
    pub(crate) fault: bool,
}

impl Emitter {
    /// A fresh emitter.
    pub fn new() -> Self {
        Emitter::default()
    }

    /// Makes the emitter fresh again for the next evaluation, keeping the
    /// room its list of hits has.
    pub(crate) fn reset(&mut self) {
        self.hits.clear();
        self.verdict = Verdict::Evaluated;
        self.reason = None;
        self.fault = false;
    }

    /// Reports a failure at `path`; returns the hit so a fix can be attached.
    pub fn fail(&mut self, path: FieldPath, message: impl Into<Cow<'static, str>>) -> &mut Hit {
        self.hits.push(Hit {
            path,
            message: message.into(),
            fix: None,
        });
        let last = self.hits.len() - 1;
        &mut self.hits[last]
    }

    /// Marks the check as not applicable to this target.
    pub fn not_applicable(&mut self) {
        self.verdict = Verdict::NotApplicable;
    }

    /// Marks the check as not decidable from the input, with a reason.
    pub fn not_evaluated(&mut self, reason: impl Into<String>) {
        self.verdict = Verdict::NotEvaluated;
        self.reason = Some(reason.into());
    }

    /// Marks the check as not evaluated because it could not be applied to
    /// this object, through no fault of the object: a custom check whose
    /// template rendered no valid schema for it. A configuration problem,
    /// which front ends report as one.
    pub fn check_at_fault(&mut self, reason: impl Into<String>) {
        self.not_evaluated(reason);
        self.fault = true;
    }

    /// The hits so far.
    pub fn hits(&self) -> &[Hit] {
        &self.hits
    }

    /// The verdict so far.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }
}

impl Hit {
    /// Attaches a fix built from JSON Patch operations (see [`Fix::from_ops`]).
    pub fn with_fix(&mut self, ops: Vec<Value>, safety: FixSafety) -> &mut Self {
        self.fix = Fix::from_ops(ops, safety);
        self
    }
}

/// Declares a built-in rule: a unit struct whose doc comment is the rule's
/// documentation, and a `META` constant holding it.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub struct HostIpcSet;
///     meta {
///         id: "hostIPCSet",
///         category: Category::Security,
///         ...
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident;
        meta { $($field:ident : $value:expr),* $(,)? }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;
        impl $name {
            /// This rule's metadata and documentation.
            pub const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                doc: concat!($($doc, "\n"),*),
                $($field: $value),*
            };
        }
    };
}
