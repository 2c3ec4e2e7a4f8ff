//! Rules on objects other than workloads: Ingress, ConfigMap and RBAC
//! (Roles, ClusterRoles and their bindings). The RBAC tests shared by the
//! role and binding rules live in `rbac`.

use crate::rule::Rule;

mod clusterrole_pod_exec_attach;
mod clusterrolebinding_cluster_admin;
mod clusterrolebinding_pod_exec_attach;
mod rbac;
mod role_pod_exec_attach;
mod rolebinding_cluster_admin_cluster_role;
mod rolebinding_cluster_admin_role;
mod rolebinding_clusterrole_pod_exec_attach;
mod rolebinding_role_pod_exec_attach;
mod sensitive_configmap_content;
mod tls_settings_missing;

/// Every object rule, in Polaris's order.
pub fn all() -> Vec<&'static dyn Rule> {
    vec![
        &tls_settings_missing::TlsSettingsMissing,
        &sensitive_configmap_content::SensitiveConfigmapContent,
        &clusterrole_pod_exec_attach::ClusterrolePodExecAttach,
        &role_pod_exec_attach::RolePodExecAttach,
        &clusterrolebinding_pod_exec_attach::ClusterrolebindingPodExecAttach,
        &rolebinding_clusterrole_pod_exec_attach::RolebindingClusterRolePodExecAttach,
        &rolebinding_role_pod_exec_attach::RolebindingRolePodExecAttach,
        &clusterrolebinding_cluster_admin::ClusterrolebindingClusterAdmin,
        &rolebinding_cluster_admin_cluster_role::RolebindingClusterAdminClusterRole,
        &rolebinding_cluster_admin_role::RolebindingClusterAdminRole,
    ]
}

#[cfg(test)]
mod tests;
