use serde_json::Value;

use super::util::{add, set_fix};

use crate::declare_rule;
use crate::finding::{Category, FixSafety, Severity};
use crate::object::At;
use crate::path::FieldPath;
use crate::rule::{Ctx, Emitter, Rule, RuleMeta, Scope};

const LABEL: &str = "app.kubernetes.io/instance";

declare_rule! {
    /// ## What it does
    /// Flags pod-bearing objects whose `app.kubernetes.io/instance` label is
    /// missing or differs from the object's `metadata.name`.
    ///
    /// ## Why it matters
    /// `app.kubernetes.io/instance` is the recommended label that tells
    /// instances of the same application apart. Dashboards, cost reports and
    /// GitOps tools group by it; a missing or copy-pasted value makes two
    /// releases look like one.
    ///
    /// ## Example failing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: checkout
    ///   namespace: shop
    ///   labels:
    ///     app.kubernetes.io/name: checkout
    ///     app.kubernetes.io/instance: cart
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels:
    ///       app: checkout
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: checkout
    ///     spec:
    ///       containers:
    ///         - name: app
    ///           image: registry.example.com/checkout:2.3.0
    /// ```
    ///
    /// ## Passing YAML
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: checkout
    ///   namespace: shop
    ///   labels:
    ///     app.kubernetes.io/name: checkout
    ///     app.kubernetes.io/instance: checkout
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels:
    ///       app: checkout
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: checkout
    ///     spec:
    ///       containers:
    ///         - name: app
    ///           image: registry.example.com/checkout:2.3.0
    /// ```
    ///
    /// ## Config
    /// `checks.metadataAndInstanceMismatched: warning` (default). No options.
    /// As in Polaris, a missing label fails. An object with only
    /// `generateName` (no `metadata.name`) is not judged.
    ///
    /// ## Roles inspected
    /// None: the object's own labels.
    ///
    /// ## Fix safety
    /// Unsafe: sets the label to the object's name. Tools that track
    /// ownership through this label (some GitOps controllers use it as their
    /// tracking label) may then consider the object part of another
    /// application, or orphaned, and prune it.
    pub struct MetadataAndInstanceMismatched;
    meta {
        id: "metadataAndInstanceMismatched",
        category: Category::Reliability,
        severity: Severity::Warning,
        scope: Scope::Workload,
        kinds: &[],
        needs: &[],
        fix: Some(FixSafety::Unsafe),
        summary: "app.kubernetes.io/instance label does not match the name",
    }
}

impl Rule for MetadataAndInstanceMismatched {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Emitter) {
        let Some(name) = cx
            .object
            .at(&["metadata", "name"])
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        else {
            out.not_applicable();
            return;
        };
        let labels = cx.object.at(&["metadata", "labels"]);
        let field = FieldPath::keys("metadata.labels").key(LABEL);
        match labels.and_then(|l| l.get(LABEL)) {
            Some(Value::String(v)) if v == name => {}
            Some(v) => {
                let shown = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                let hit = out.fail(
                    field,
                    format!("label {LABEL} is `{shown}`, not the object's name `{name}`"),
                );
                let op = add(&FieldPath::root(), &["metadata", "labels", LABEL], name);
                set_fix(hit, vec![op], FixSafety::Unsafe);
            }
            None => {
                let root = FieldPath::root();
                let op = if labels.is_some_and(Value::is_object) {
                    add(&root, &["metadata", "labels", LABEL], name)
                } else {
                    let labels = std::collections::BTreeMap::from([(LABEL, name)]);
                    add(&root, &["metadata", "labels"], labels)
                };
                let hit = out.fail(
                    field.nearest_existing(cx.object),
                    format!("label {LABEL} is not set (expected `{name}`)"),
                );
                set_fix(hit, vec![op], FixSafety::Unsafe);
            }
        }
    }
}
