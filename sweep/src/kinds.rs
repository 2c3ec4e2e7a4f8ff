//! The kinds the sweep knows by their plural resource names: for naming the
//! items of dump files (`pods.json`, `core_v1_pods.json`) and for listing
//! them from the API server.

/// A listable kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindInfo {
    /// Kind.
    pub kind: &'static str,
    /// apiVersion of its objects.
    pub api_version: &'static str,
    /// Plural resource name.
    pub plural: &'static str,
    /// Namespaced (false: cluster-scoped).
    pub namespaced: bool,
}

const fn k(
    kind: &'static str,
    api_version: &'static str,
    plural: &'static str,
    namespaced: bool,
) -> KindInfo {
    KindInfo {
        kind,
        api_version,
        plural,
        namespaced,
    }
}

/// Known kinds. The first ten are what a sweep lists; the rest are read when
/// the engine's cross-object rules need them.
pub const KINDS: &[KindInfo] = &[
    k("Node", "v1", "nodes", false),
    k("Pod", "v1", "pods", true),
    k("Event", "v1", "events", true),
    k("Deployment", "apps/v1", "deployments", true),
    k("StatefulSet", "apps/v1", "statefulsets", true),
    k("DaemonSet", "apps/v1", "daemonsets", true),
    k("ReplicaSet", "apps/v1", "replicasets", true),
    k(
        "ReplicationController",
        "v1",
        "replicationcontrollers",
        true,
    ),
    k("Job", "batch/v1", "jobs", true),
    k("CronJob", "batch/v1", "cronjobs", true),
    k("Service", "v1", "services", true),
    k("ServiceAccount", "v1", "serviceaccounts", true),
    k("Namespace", "v1", "namespaces", false),
    k(
        "PodDisruptionBudget",
        "policy/v1",
        "poddisruptionbudgets",
        true,
    ),
    k(
        "NetworkPolicy",
        "networking.k8s.io/v1",
        "networkpolicies",
        true,
    ),
    k(
        "HorizontalPodAutoscaler",
        "autoscaling/v2",
        "horizontalpodautoscalers",
        true,
    ),
    k("Role", "rbac.authorization.k8s.io/v1", "roles", true),
    k(
        "RoleBinding",
        "rbac.authorization.k8s.io/v1",
        "rolebindings",
        true,
    ),
    k(
        "ClusterRole",
        "rbac.authorization.k8s.io/v1",
        "clusterroles",
        false,
    ),
    k(
        "ClusterRoleBinding",
        "rbac.authorization.k8s.io/v1",
        "clusterrolebindings",
        false,
    ),
    k("LimitRange", "v1", "limitranges", true),
    k("ResourceQuota", "v1", "resourcequotas", true),
    k("ConfigMap", "v1", "configmaps", true),
    k("Ingress", "networking.k8s.io/v1", "ingresses", true),
];

/// The kind named by a plural, a kubectl dump file stem
/// (`replication-controllers`) or a sonobuoy file stem (`apps_v1_deployments`).
pub fn by_plural(name: &str) -> Option<&'static KindInfo> {
    let name = name.rsplit('_').next().unwrap_or(name);
    let flat: String = name
        .chars()
        .filter(|c| *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    KINDS.iter().find(|k| k.plural == flat)
}

/// The kind with this name.
pub fn by_kind(kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_files() {
        assert_eq!(
            by_plural("replication-controllers").map(|k| k.kind),
            Some("ReplicationController")
        );
        assert_eq!(by_plural("core_v1_pods").map(|k| k.kind), Some("Pod"));
        assert_eq!(
            by_plural("apps_v1_deployments").map(|k| k.api_version),
            Some("apps/v1")
        );
        assert_eq!(by_plural("cluster_version"), None);
    }
}
