//! A kubeconfig's credentials plugin (`user.exec`: `aws eks get-token`,
//! `gke-gcloud-auth-plugin`, `kubelogin`), run once per sweep.
//!
//! kube runs the plugin each time it builds a part of its client: for the
//! authentication layer, for the TLS identity and for the certificate's
//! expiry, so three runs for one client. A plugin that takes a second (a
//! Python CLI, a cloud round trip) or asks for a login in the terminal would
//! do so three times. The sweep runs it once here, with the same protocol
//! (`KUBERNETES_EXEC_INFO`, `interactiveMode`, `provideClusterInfo`, its
//! standard error passed on), and
//! hands kube what it printed: a bearer token, or a client certificate and
//! key, in place of the plugin.
//!
//! A credential that expires before the sweep can end (its
//! `expirationTimestamp` less than [`MARGIN`] after the deadline) is not
//! handed over: kube is left to run the plugin itself, as it refreshes such
//! a token when it expires.

use std::io::IsTerminal as _;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use kube::config::{AuthInfo, ExecConfig, ExecInteractiveMode};
use serde::Deserialize;
use serde_json::{json, Value};

/// How long a credential must stay valid after the sweep's deadline to be
/// handed to kube in place of the plugin.
pub const MARGIN: Duration = Duration::from_secs(60);

/// What a plugin printed (`ExecCredential.status`).
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// A bearer token.
    #[serde(default)]
    pub token: Option<String>,
    /// A PEM client certificate (with `client_key_data`).
    #[serde(default)]
    pub client_certificate_data: Option<String>,
    /// A PEM private key.
    #[serde(default)]
    pub client_key_data: Option<String>,
    /// When the credential expires (RFC 3339).
    #[serde(default)]
    pub expiration_timestamp: Option<String>,
}

#[derive(Deserialize)]
struct Credential {
    #[serde(default)]
    status: Option<Status>,
}

/// Whether kube would run the plugin of `user`: it has one, and nothing
/// kube prefers to it (an auth provider, a user name and password, a token,
/// a token file).
pub fn would_run(user: &AuthInfo) -> bool {
    user.exec.is_some()
        && user.auth_provider.is_none()
        && !(user.username.is_some() && user.password.is_some())
        && user.token.is_none()
        && user.token_file.is_none()
}

/// Runs the plugin of `exec` once and returns what it printed.
pub fn run(exec: &ExecConfig) -> Result<Status, String> {
    let Some(program) = exec.command.as_deref().filter(|c| !c.is_empty()) else {
        return Err("the kubeconfig's credentials plugin (user.exec) has no command".to_string());
    };
    let mut cmd = Command::new(program);
    cmd.args(exec.args.iter().flatten());
    for pair in exec.env.iter().flatten() {
        if let (Some(name), Some(value)) = (pair.get("name"), pair.get("value")) {
            cmd.env(name, value);
        }
    }
    for name in exec.drop_env.iter().flatten() {
        cmd.env_remove(name);
    }
    // client-go's rule: a plugin may talk to the user only through a
    // terminal; `Always` without one is an error, not a hang.
    let terminal = std::io::stdin().is_terminal();
    let interactive = match exec.interactive_mode {
        Some(ExecInteractiveMode::Never) => false,
        Some(ExecInteractiveMode::Always) if !terminal => {
            return Err(format!(
                "the credentials plugin `{program}` needs a terminal (interactiveMode: Always) \
                 and standard input is not one"
            ))
        }
        _ => terminal,
    };
    let mut spec = json!({ "interactive": interactive });
    if exec.provide_cluster_info {
        let cluster = exec
            .cluster
            .as_ref()
            .and_then(|c| serde_json::to_value(c).ok())
            .unwrap_or(Value::Null);
        spec["cluster"] = cluster;
    }
    let info = json!({
        "apiVersion": exec.api_version.as_deref().unwrap_or("client.authentication.k8s.io/v1"),
        "kind": "ExecCredential",
        "spec": spec,
    });
    cmd.env("KUBERNETES_EXEC_INFO", info.to_string());
    // Its standard error is the user's, as client-go passes it on: a
    // device-code login prints its instructions there whether or not it
    // may read the terminal.
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    if interactive {
        cmd.stdin(Stdio::inherit());
    } else {
        cmd.stdin(Stdio::null());
        // In a process group of its own, so that the sweep can end it and
        // what it started (`gcloud` under `gke-gcloud-auth-plugin`) when it
        // hangs. Not when it may read the terminal: only the terminal's
        // foreground group may.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    }
    let out = cmd.output().map_err(|e| {
        let hint = exec
            .install_hint
            .as_deref()
            .map(|h| format!("\n{}", h.trim_end()))
            .unwrap_or_default();
        format!("cannot run the credentials plugin `{program}`: {e}{hint}")
    })?;
    if !out.status.success() {
        return Err(format!(
            "the credentials plugin `{program}` failed ({}; what it said, if anything, is \
             above)",
            out.status
        ));
    }
    parse(&out.stdout).map_err(|why| format!("the credentials plugin `{program}` {why}"))
}

/// Reads a plugin's standard output: an `ExecCredential` with a token, or a
/// client certificate and key, in JSON or YAML (client-go reads either).
pub fn parse(stdout: &[u8]) -> Result<Status, String> {
    let not_one = |why: String| format!("did not print an ExecCredential: {why}");
    let text = std::str::from_utf8(stdout).map_err(|e| not_one(e.to_string()))?;
    let loaded = eyelint_policies::yaml::load(text, &eyelint_policies::yaml::Limits::default());
    if let Some(e) = loaded.error {
        return Err(not_one(e.to_string()));
    }
    let value = loaded
        .documents
        .into_iter()
        .next()
        .map(|d| d.value)
        .ok_or_else(|| not_one("it printed nothing".to_string()))?;
    let cred: Credential = serde_json::from_value(value).map_err(|e| not_one(e.to_string()))?;
    let status = cred
        .status
        .ok_or_else(|| "printed an ExecCredential without a status".to_string())?;
    let cert = status.client_certificate_data.is_some() && status.client_key_data.is_some();
    if !cert && status.token.as_deref().is_none_or(str::is_empty) {
        return Err(
            "printed an ExecCredential with neither a token nor a client certificate and key"
                .to_string(),
        );
    }
    if let Some(ts) = &status.expiration_timestamp {
        if crate::time::instant(ts).is_none() {
            return Err(format!(
                "printed an expirationTimestamp that is not an RFC 3339 time: `{ts}`"
            ));
        }
    }
    Ok(status)
}

/// Whether a credential with this expiry lasts until `deadline` and
/// [`MARGIN`] more.
pub fn lasts(status: &Status, deadline: SystemTime) -> bool {
    let Some(ts) = &status.expiration_timestamp else {
        return true;
    };
    let Some((secs, _)) = crate::time::instant(ts) else {
        return false;
    };
    let needed = (deadline + MARGIN)
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    secs >= needed
}

/// Puts what the plugin printed in place of the plugin, as kube would use
/// it: a client certificate and key (kube prefers the plugin's to the
/// kubeconfig's), else a bearer token.
pub fn hand_over(user: &mut AuthInfo, status: Status) {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    match (status.client_certificate_data, status.client_key_data) {
        (Some(cert), Some(key)) => {
            user.client_certificate_data = Some(b64(&cert));
            user.client_key_data = Some(b64(&key).into());
            user.client_certificate = None;
            user.client_key = None;
        }
        _ => {
            if let Some(token) = status.token {
                user.token = Some(token.into());
            }
        }
    }
    user.exec = None;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kubeconfig's `user`, written in JSON.
    fn user(json: &str) -> AuthInfo {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn only_a_plugin_kube_would_run_is_run() {
        let exec = r#""exec": {"command": "p", "apiVersion": "client.authentication.k8s.io/v1"}"#;
        assert!(would_run(&user(&format!("{{{exec}}}"))));
        assert!(!would_run(&user(r#"{"token": "t"}"#)));
        for other in [
            r#""token": "t""#,
            r#""tokenFile": "/f""#,
            r#""username": "u", "password": "p""#,
            r#""auth-provider": {"name": "oidc", "config": {}}"#,
        ] {
            assert!(
                !would_run(&user(&format!("{{{exec}, {other}}}"))),
                "{other}"
            );
        }
        // A user name alone is not basic authentication.
        assert!(would_run(&user(&format!(r#"{{{exec}, "username": "u"}}"#))));
    }

    #[test]
    fn credentials_are_read_and_bad_ones_refused() {
        let ok = parse(br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"abc","expirationTimestamp":"2030-01-01T00:00:00Z"}}"#).unwrap();
        assert_eq!(ok.token.as_deref(), Some("abc"));
        let cert =
            parse(br#"{"status":{"clientCertificateData":"C","clientKeyData":"K"}}"#).unwrap();
        assert_eq!(cert.client_key_data.as_deref(), Some("K"));
        // YAML, as client-go and kube read it too.
        let yaml = parse(b"apiVersion: client.authentication.k8s.io/v1\nkind: ExecCredential\nstatus:\n  token: t0k\n").unwrap();
        assert_eq!(yaml.token.as_deref(), Some("t0k"));
        for (bad, why) in [
            (&b"not json"[..], "did not print an ExecCredential"),
            (b"", "printed nothing"),
            (b"status: [a", "did not print an ExecCredential"),
            (br#"{"kind":"ExecCredential"}"#, "without a status"),
            (br#"{"status":{}}"#, "neither a token"),
            (br#"{"status":{"token":""}}"#, "neither a token"),
            (br#"{"status":{"clientKeyData":"K"}}"#, "neither a token"),
            (
                br#"{"status":{"token":"t","expirationTimestamp":"tomorrow"}}"#,
                "not an RFC 3339 time",
            ),
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
    }

    #[test]
    fn a_credential_is_handed_over_only_when_it_outlasts_the_sweep() {
        let deadline = SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000);
        let at = |secs: i64| Status {
            token: Some("t".into()),
            expiration_timestamp: Some(crate::time::rfc3339(secs)),
            ..Status::default()
        };
        assert!(lasts(&Status::default(), deadline));
        assert!(lasts(&at(1_900_000_060), deadline));
        assert!(!lasts(&at(1_900_000_059), deadline));
        assert!(!lasts(&at(1_800_000_000), deadline));
    }

    #[test]
    fn a_token_or_a_certificate_takes_the_plugins_place() {
        let mut u =
            user(r#"{"exec": {"command": "p"}, "client-certificate": "/c", "client-key": "/k"}"#);
        hand_over(
            &mut u,
            Status {
                token: Some("tok".into()),
                ..Status::default()
            },
        );
        assert!(u.exec.is_none());
        assert!(u.token.is_some());
        // A token leaves the kubeconfig's own certificate in place, as kube
        // uses both.
        assert_eq!(u.client_certificate.as_deref(), Some("/c"));
        let mut u =
            user(r#"{"exec": {"command": "p"}, "client-certificate": "/c", "client-key": "/k"}"#);
        hand_over(
            &mut u,
            Status {
                client_certificate_data: Some("-----BEGIN CERTIFICATE-----\n".into()),
                client_key_data: Some("-----BEGIN PRIVATE KEY-----\n".into()),
                ..Status::default()
            },
        );
        assert!(u.exec.is_none() && u.token.is_none());
        assert_eq!(u.client_certificate, None);
        assert_eq!(
            u.client_certificate_data.as_deref(),
            Some("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==")
        );
    }

    #[test]
    fn a_failing_plugin_says_why() {
        let exec: ExecConfig = serde_json::from_str(
            r#"{"command": "sh", "args": ["-c", "echo 'token expired, run aws sso login' >&2; exit 3"], "interactiveMode": "Never"}"#,
        )
        .unwrap();
        let err = run(&exec).unwrap_err();
        assert!(err.contains("`sh` failed (exit status: 3"), "{err}");
        let missing: ExecConfig = serde_json::from_str(
            r#"{"command": "/nonexistent/plugin", "installHint": "install it from example.com", "interactiveMode": "Never"}"#,
        )
        .unwrap();
        let err = run(&missing).unwrap_err();
        assert!(
            err.contains("cannot run") && err.contains("install it from example.com"),
            "{err}"
        );
    }

    #[test]
    fn the_plugin_gets_its_environment_and_exec_info() {
        let exec: ExecConfig = serde_json::from_str(
            r#"{"command": "sh", "apiVersion": "client.authentication.k8s.io/v1beta1",
                "args": ["-c", "printf '{\"status\":{\"token\":\"%s|%s\"}}' \"$GREETING\" \"$(printf %s \"$KUBERNETES_EXEC_INFO\" | tr -d '\"')\""],
                "env": [{"name": "GREETING", "value": "hi"}], "interactiveMode": "Never"}"#,
        )
        .unwrap();
        let status = run(&exec).unwrap();
        assert_eq!(
            status.token.as_deref(),
            Some("hi|{apiVersion:client.authentication.k8s.io/v1beta1,kind:ExecCredential,spec:{interactive:false}}")
        );
        // provideClusterInfo: the cluster as kube read it from the kubeconfig,
        // with the kubeconfig's field names (client-go's `Cluster` shadows them).
        let mut exec: ExecConfig = serde_json::from_str(
            r#"{"command": "sh", "args": ["-c", "printf '{\"status\":{\"token\":\"%s\"}}' \"$(printf %s \"$KUBERNETES_EXEC_INFO\" | tr -d '\"')\""],
                "provideClusterInfo": true, "interactiveMode": "Never"}"#,
        )
        .unwrap();
        exec.cluster = Some(kube::config::ExecAuthCluster {
            server: Some("https://k.example:6443".into()),
            tls_server_name: Some("k.example".into()),
            ..Default::default()
        });
        let token = run(&exec).unwrap().token.unwrap_or_default();
        assert!(
            token.contains("cluster:{server:https://k.example:6443,tls-server-name:k.example}"),
            "{token}"
        );
    }
}
