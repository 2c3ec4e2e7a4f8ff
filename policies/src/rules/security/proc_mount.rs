use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::Roles;
use crate::rule::{Ctx, Emitter, Rule, Scope};
use crate::rules::security::util::{remove, sub, Sc, WithPatch};

declare_rule! {
    /// ## What it does
    /// Flags containers whose `securityContext.procMount` is set to anything
    /// other than `Default` (in practice `Unmasked`).
    ///
    /// Polaris checks only `containers`; eyelint also inspects init
    /// containers, native sidecars and ephemeral containers.
    ///
    /// ## Why it matters
    /// The default proc mount masks and makes read-only the parts of `/proc`
    /// that leak host information or allow changing kernel settings. An
    /// unmasked `/proc` removes that protection. Pod Security's Baseline
    /// profile forbids it.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   hostUsers: false
    ///   containers:
    ///     - name: build
    ///       image: registry.example.com/builder:5.0
    ///       securityContext:
    ///         procMount: Unmasked
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   containers:
    ///     - name: build
    ///       image: registry.example.com/builder:5.0
    ///       securityContext:
    ///         procMount: Default
    /// ```
    ///
    /// ## Config
    /// `checks.procMount: warning` (default). No options.
    ///
    /// ## Roles inspected
    /// Every role: containers, init containers, native sidecars and ephemeral
    /// containers.
    ///
    /// ## Fix safety
    /// Unsafe: removes `procMount` (so the default, masked `/proc` applies).
    /// Nested container builders that rely on an unmasked `/proc` stop working.
    pub struct ProcMount;
    meta {
        id: "procMount",
        category: Category::Security,
        severity: Severity::Warning,
        scope: Scope::Container(Roles::ALL),
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "container uses a non-default /proc mount",
    }
}

impl Rule for ProcMount {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(c) = cx.container else { return };
        let Some(v) = Sc::of(c).field("procMount") else {
            return;
        };
        if v.as_str() == Some("Default") {
            return;
        }
        let shown = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        let keys = ["securityContext", "procMount"];
        let op = remove(&c.path, &keys);
        out.fail(
            sub(&c.path, &keys),
            format!("container uses procMount `{shown}` instead of `Default`"),
        )
        .with_patch(vec![op], FixSafety::Unsafe);
    }
}
