//! Security rules.

use crate::rule::Rule;

mod automount_service_account_token;
mod dangerous_capabilities;
mod host_ipc_set;
mod host_network_set;
mod host_path_set;
mod host_pid_set;
mod host_port_set;
mod host_process;
mod image_registry;
mod insecure_capabilities;
mod linux_hardening;
mod missing_network_policy;
mod not_read_only_root_filesystem;
mod privilege_escalation_allowed;
mod proc_mount;
mod run_as_privileged;
mod run_as_root_allowed;
/// Its name and private-key patterns are shared with `sensitiveConfigmapContent`.
pub(crate) mod sensitive_container_env_var;
mod util;

/// Every security rule that judges workloads, in Polaris's order, then
/// `imageRegistry`.
pub fn all() -> Vec<&'static dyn Rule> {
    vec![
        &automount_service_account_token::AutomountServiceAccountToken,
        &host_ipc_set::HostIpcSet,
        &host_path_set::HostPathSet,
        &host_process::HostProcess,
        &host_pid_set::HostPidSet,
        &host_network_set::HostNetworkSet,
        &host_port_set::HostPortSet,
        &linux_hardening::LinuxHardening,
        &missing_network_policy::MissingNetworkPolicy,
        &not_read_only_root_filesystem::NotReadOnlyRootFilesystem,
        &privilege_escalation_allowed::PrivilegeEscalationAllowed,
        &proc_mount::ProcMount,
        &run_as_root_allowed::RunAsRootAllowed,
        &run_as_privileged::RunAsPrivileged,
        &dangerous_capabilities::DangerousCapabilities,
        &insecure_capabilities::InsecureCapabilities,
        &sensitive_container_env_var::SensitiveContainerEnvVar,
        &image_registry::ImageRegistry,
    ]
}
