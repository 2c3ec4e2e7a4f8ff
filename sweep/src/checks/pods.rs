//! Pod status (image pulls, crash loops, OOM kills, scheduling, eviction)
//! and error strings in the logs of failing or restarting containers.

use std::collections::BTreeMap;

use crate::checks::Section;
use crate::report::{Findings, SweepFinding};
use crate::snapshot::{ended_in_failure, ContainerInfo, LogHit, LogKey, PodInfo};

fn pod_finding(id: &str, pod: &PodInfo, message: String) -> SweepFinding {
    SweepFinding::new(id, Section::Pods, "Pod", &pod.namespace, &pod.name, message).node(&pod.node)
}

/// `REASON: MESSAGE` on one line; either alone when the other is empty.
fn with_message(reason: &str, message: &str) -> String {
    let m = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if m.is_empty() {
        reason.to_string()
    } else if reason.is_empty() {
        m
    } else {
        format!("{reason}: {m}")
    }
}

/// Waiting reasons of a container that cannot start.
const CANNOT_START: &[&str] = &[
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "PreStartHookError",
    "PostStartHookError",
    "ContainerCannotRun",
];

/// Judges pod status; `restarts` is the threshold of `PodRestartingOften`;
/// `job_complete(namespace, name)` tells whether the source shows a Job
/// complete (its earlier failed pods are no failure).
pub fn check(
    pods: &[PodInfo],
    restarts: u64,
    job_complete: &dyn Fn(&str, &str) -> bool,
    out: &mut Findings<'_>,
) {
    for pod in pods {
        for c in &pod.containers {
            let role = if c.init {
                "init container"
            } else {
                "container"
            };
            if let Some((reason, message)) = &c.waiting {
                match reason.as_str() {
                    "ErrImagePull"
                    | "ImagePullBackOff"
                    | "InvalidImageName"
                    | "ErrImageNeverPull"
                    | "ImageInspectError"
                    | "SignatureValidationFailed" => out.push(
                        pod_finding(
                            "PodSetImagePullBackOff",
                            pod,
                            format!(
                                "{role} {} cannot pull its image: {}",
                                c.name,
                                with_message(reason, message)
                            ),
                        )
                        .container(&c.name)
                        .reason(reason),
                    ),
                    "CrashLoopBackOff" => {
                        let last = c
                            .last_terminated
                            .as_ref()
                            .map(|(r, code, _)| format!(", last exit: {r} (code {code})"))
                            .unwrap_or_default();
                        out.push(
                            pod_finding(
                                "PodCrashLoopBackOff",
                                pod,
                                format!(
                                    "{role} {} is in CrashLoopBackOff after {} restart(s){last}",
                                    c.name, c.restarts
                                ),
                            )
                            .container(&c.name)
                            .reason(reason)
                            .count(c.restarts),
                        );
                    }
                    _ => {}
                }
            }
            // Between two crashes a container runs, so a crash loop is not
            // always caught waiting: its restarts and how it last ended
            // tell (its current state when it has ended, else its last
            // state). Caught waiting in a crash loop or unable to start, or
            // last OOM-killed, the checks for those say it.
            let said_waiting = c.waiting.as_ref().is_some_and(|(r, _)| {
                r == "CrashLoopBackOff" || CANNOT_START.contains(&r.as_str())
            });
            let mut restarting_often = false;
            if let Some(end @ (reason, code, at)) = c.last_end() {
                if !said_waiting
                    && c.restarts >= restarts
                    && ended_in_failure(end)
                    && reason != "OOMKilled"
                {
                    restarting_often = true;
                    let when = if at.is_empty() {
                        String::new()
                    } else {
                        format!(" at {at}")
                    };
                    let reason = if reason.is_empty() { "exited" } else { reason };
                    let mut f = pod_finding(
                        "PodRestartingOften",
                        pod,
                        format!(
                            "{role} {} has restarted {} time(s); last exit: {reason} (code {code}){when}",
                            c.name, c.restarts
                        ),
                    )
                    .container(&c.name)
                    .reason(reason)
                    .count(c.restarts);
                    if !at.is_empty() {
                        f = f.last_seen(at);
                    }
                    out.push(f);
                }
            }
            // A container of a running pod that has ended in failure while
            // the pod runs on (its other containers still run; with
            // `restartPolicy: Never` it stays ended): the pod has failed at
            // its work, though its phase does not say so yet. Init
            // containers and sidecars are left out (a failed init container
            // keeps the pod from running at all), as are an OOM kill
            // (PodOOMKilled's), a container PodRestartingOften reported, and
            // the exits of a pod being deleted.
            if let Some((r, code, at)) = c.terminated.as_ref().filter(|t| {
                pod.phase == "Running"
                    && !pod.terminating
                    && !c.init
                    && !restarting_often
                    && ended_in_failure(t)
                    && t.0 != "OOMKilled"
            }) {
                let mut f = pod_finding(
                    "PodFailed",
                    pod,
                    format!(
                        "container {} ended with {} (code {code}) while the pod is still Running",
                        c.name,
                        if r.is_empty() { "exited" } else { r }
                    ),
                )
                .container(&c.name)
                .reason(if r.is_empty() { "Error" } else { r });
                if !at.is_empty() {
                    f = f.last_seen(at);
                }
                out.push(f);
            }
            // The latest OOM kill: the current state's, else the last state's.
            let oom = [c.terminated.as_ref(), c.last_terminated.as_ref()]
                .into_iter()
                .flatten()
                .find(|(r, _, _)| r == "OOMKilled");
            if let Some((_, _, at)) = oom {
                let when = if at.is_empty() {
                    String::new()
                } else {
                    format!(" at {at}")
                };
                let mut f = pod_finding(
                    "PodOOMKilled",
                    pod,
                    format!(
                        "{role} {} was killed for exceeding its memory limit (OOMKilled){when}",
                        c.name
                    ),
                )
                .container(&c.name)
                .reason("OOMKilled");
                if !at.is_empty() {
                    f = f.last_seen(at);
                }
                out.push(f);
            }
            // Cannot start: its configuration (a missing Secret or
            // ConfigMap), the runtime refusing it, or a lifecycle hook.
            if let Some((reason, message)) = &c.waiting {
                if CANNOT_START.contains(&reason.as_str()) {
                    out.push(
                        pod_finding(
                            "PodContainerCannotStart",
                            pod,
                            format!(
                                "{role} {} cannot start: {}",
                                c.name,
                                with_message(reason, message)
                            ),
                        )
                        .container(&c.name)
                        .reason(reason),
                    );
                }
            }
        }
        // Any PodScheduled=False: no node fits (`Unschedulable`, left out
        // of the message, which says why), or the scheduler failed
        // (`SchedulerError`: a plugin's error, a volume that could not be
        // bound). A pod held back by its scheduling gates
        // (`SchedulingGated`) waits by design, for the controller that
        // set them to lift them.
        if let Some((reason, message)) = &pod.unscheduled {
            if reason != "SchedulingGated" {
                let shown = if reason == "Unschedulable" {
                    ""
                } else {
                    reason
                };
                let why = with_message(shown, message);
                out.push(
                    pod_finding(
                        "PodUnschedulable",
                        pod,
                        if why.is_empty() {
                            "pod cannot be scheduled".to_string()
                        } else {
                            format!("pod cannot be scheduled: {why}")
                        },
                    )
                    .reason(reason),
                );
            }
        }
        let retried = pod
            .owner
            .as_ref()
            .is_some_and(|o| o.kind == "Job" && job_complete(&pod.namespace, &o.name));
        if pod.phase == "Failed" && pod.reason != "Evicted" && !retried {
            // Why: the first container that ended in failure other than by
            // an OOM kill (that is PodOOMKilled's, and says so); none when
            // every failure was one.
            let ended_badly =
                |c: &&ContainerInfo| c.terminated.as_ref().is_some_and(ended_in_failure);
            let oom = |c: &&ContainerInfo| {
                c.terminated
                    .as_ref()
                    .is_some_and(|(r, _, _)| r == "OOMKilled")
            };
            let any_failed = pod.containers.iter().any(|c| ended_badly(&c));
            let failed = pod.containers.iter().find(|c| ended_badly(c) && !oom(c));
            if failed.is_some() || !any_failed {
                let why = match failed.and_then(|c| c.terminated.as_ref().map(|t| (c, t))) {
                    Some((c, (r, code, _))) => {
                        let r = if r.is_empty() { "exited" } else { r };
                        let role = if c.init {
                            "init container"
                        } else {
                            "container"
                        };
                        format!("{role} {} ended with {r} (code {code})", c.name)
                    }
                    None if !pod.reason.is_empty() || !pod.message.trim().is_empty() => {
                        with_message(&pod.reason, &pod.message)
                    }
                    None => "no container says why".to_string(),
                };
                let mut f = pod_finding("PodFailed", pod, format!("pod failed: {why}"));
                if let Some((c, (r, _, at))) =
                    failed.and_then(|c| c.terminated.as_ref().map(|t| (c, t)))
                {
                    f = f
                        .container(&c.name)
                        .reason(if r.is_empty() { "Error" } else { r });
                    if !at.is_empty() {
                        f = f.last_seen(at);
                    }
                } else if !pod.reason.is_empty() {
                    f = f.reason(&pod.reason);
                }
                out.push(f);
            }
        }
        if pod.phase == "Failed" && pod.reason == "Evicted" {
            out.push(
                pod_finding(
                    "PodEvicted",
                    pod,
                    if pod.message.trim().is_empty() {
                        "pod was evicted".to_string()
                    } else {
                        format!(
                            "pod was evicted: {}",
                            pod.message.split_whitespace().collect::<Vec<_>>().join(" ")
                        )
                    },
                )
                .reason(&pod.reason),
            );
        }
    }
}

/// Reports log matches.
pub fn check_logs(hits: &BTreeMap<LogKey, LogHit>, pods: &[PodInfo], out: &mut Findings<'_>) {
    for ((ns, pod, container, id), hit) in hits {
        let node = pods
            .iter()
            .find(|p| &p.namespace == ns && &p.name == pod)
            .map_or("", |p| p.node.as_str());
        let lines = if hit.count == 1 {
            "1 line".to_string()
        } else {
            format!("{} lines", hit.count)
        };
        out.push(
            SweepFinding::new(
                id,
                Section::Pods,
                "Pod",
                ns,
                pod,
                format!(
                    "log of failing container {container} ({lines}): {}",
                    hit.sample
                ),
            )
            .container(container)
            .node(node)
            .count(hit.count),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SweepConfig;
    use crate::snapshot::ContainerInfo;

    fn pod(name: &str, restarts: u64, waiting: Option<&str>, last: Option<(&str, i64)>) -> PodInfo {
        PodInfo {
            namespace: "shop".to_string(),
            name: name.to_string(),
            phase: "Running".to_string(),
            containers: vec![ContainerInfo {
                name: "app".to_string(),
                restarts,
                waiting: waiting.map(|w| (w.to_string(), String::new())),
                last_terminated: last
                    .map(|(r, code)| (r.to_string(), code, "2024-05-01T09:00:00Z".to_string())),
                running: waiting.is_none(),
                ..ContainerInfo::default()
            }],
            ..PodInfo::default()
        }
    }

    /// A running container that restarted often after failing is reported;
    /// fewer restarts, a clean last exit, an OOM kill (PodOOMKilled's) or a
    /// crash loop caught waiting (PodCrashLoopBackOff's) are not.
    #[test]
    fn restarting_often() {
        let pods = [
            pod("flapping", 5, None, Some(("Error", 2))),
            pod("exit-code-only", 9, None, Some(("", 1))),
            pod("few", 4, None, Some(("Error", 1))),
            pod("clean", 8, None, Some(("Completed", 0))),
            pod("oom", 8, None, Some(("OOMKilled", 137))),
            pod("looping", 8, Some("CrashLoopBackOff"), Some(("Error", 1))),
            pod("never-ended", 8, None, None),
        ];
        let cfg = SweepConfig::default();
        let run = |threshold: u64| {
            let mut out = Findings::new(&cfg);
            check(&pods, threshold, &|_, _| false, &mut out);
            out.finish()
                .into_iter()
                .filter(|f| &*f.id == "PodRestartingOften")
                .map(|f| (f.name, f.message, f.count, f.last_seen))
                .collect::<Vec<_>>()
        };
        let got = run(5);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, "exit-code-only");
        assert_eq!(
            got[0].1,
            "container app has restarted 9 time(s); last exit: exited (code 1) at 2024-05-01T09:00:00Z"
        );
        assert_eq!(got[1].0, "flapping");
        assert_eq!(got[1].2, Some(5));
        assert_eq!(got[1].3.as_deref(), Some("2024-05-01T09:00:00Z"));
        assert_eq!(run(4).len(), 3);
        assert_eq!(run(10).len(), 0);
    }

    fn job_owner(name: &str) -> crate::workloads::Owner {
        crate::workloads::Owner {
            kind: "Job".to_string(),
            name: name.to_string(),
            api_version: "batch/v1".to_string(),
        }
    }

    fn ended(r: &str, code: i64, at: &str) -> Option<(String, i64, String)> {
        Some((r.to_string(), code, at.to_string()))
    }

    fn findings(pods: &[PodInfo]) -> Vec<(String, String, String, Option<String>)> {
        let cfg = SweepConfig::default();
        let mut out = Findings::new(&cfg);
        check(pods, 5, &|_, job| job == "done", &mut out);
        out.finish()
            .into_iter()
            .map(|f| (f.id.to_string(), f.name, f.message, f.last_seen))
            .collect()
    }

    /// How a container last ended is its current state when that has
    /// ended (it is newer than the last state): the exit told, the time
    /// given, and a clean end is no failure.
    #[test]
    fn the_current_end_is_newer_than_the_last_state() {
        let mut now_failed = pod("p", 5, None, Some(("Error", 1)));
        now_failed.containers[0].terminated = ended("Error", 2, "2024-05-01T11:00:00Z");
        now_failed.containers[0].running = false;
        let mut done = pod("job-ok", 5, None, Some(("Error", 1)));
        done.phase = "Succeeded".to_string();
        done.containers[0].terminated = ended("Completed", 0, "2024-05-01T11:00:00Z");
        done.containers[0].running = false;
        let mut oom_now = pod("oom-now", 6, None, Some(("Error", 1)));
        oom_now.containers[0].terminated = ended("OOMKilled", 137, "2024-05-01T11:30:00Z");
        assert_eq!(
            findings(&[now_failed, done, oom_now]),
            [
                (
                    "PodOOMKilled".to_string(),
                    "oom-now".to_string(),
                    "container app was killed for exceeding its memory limit (OOMKilled) at 2024-05-01T11:30:00Z".to_string(),
                    Some("2024-05-01T11:30:00Z".to_string())
                ),
                (
                    "PodRestartingOften".to_string(),
                    "p".to_string(),
                    "container app has restarted 5 time(s); last exit: Error (code 2) at 2024-05-01T11:00:00Z".to_string(),
                    Some("2024-05-01T11:00:00Z".to_string())
                ),
            ]
        );
    }

    /// A container that cannot start, and a pod that failed for a reason
    /// other than eviction or an OOM kill, are reported.
    #[test]
    fn cannot_start_and_failed() {
        let mut config = pod("config", 0, Some("CreateContainerConfigError"), None);
        config.containers[0].waiting = Some((
            "CreateContainerConfigError".to_string(),
            "secret \"db\" not found".to_string(),
        ));
        let mut failed = pod("uninstall-x1", 0, None, None);
        failed.phase = "Failed".to_string();
        failed.containers[0].terminated = ended("Error", 1, "2024-05-01T08:00:00Z");
        let mut oom = pod("oom", 0, None, None);
        oom.phase = "Failed".to_string();
        oom.containers[0].terminated = ended("OOMKilled", 137, "");
        let mut evicted = pod("evicted", 0, None, None);
        evicted.phase = "Failed".to_string();
        evicted.reason = "Evicted".to_string();
        let mut deadline = pod("deadline", 0, None, None);
        deadline.phase = "Failed".to_string();
        deadline.reason = "DeadlineExceeded".to_string();
        deadline.message =
            "Pod was active on the node longer than the specified deadline".to_string();
        let mut got: Vec<(String, String, String)> =
            findings(&[config, failed, oom, evicted, deadline])
                .into_iter()
                .map(|(id, name, message, _)| (id, name, message))
                .collect();
        got.sort();
        let want = [
            ("PodContainerCannotStart", "config", "container app cannot start: CreateContainerConfigError: secret \"db\" not found"),
            ("PodEvicted", "evicted", "pod was evicted"),
            ("PodFailed", "deadline", "pod failed: DeadlineExceeded: Pod was active on the node longer than the specified deadline"),
            ("PodFailed", "uninstall-x1", "pod failed: container app ended with Error (code 1)"),
            ("PodOOMKilled", "oom", "container app was killed for exceeding its memory limit (OOMKilled)"),
        ];
        assert_eq!(
            got,
            want.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        );
    }

    /// PodFailed does not depend on the order of the containers: a pod
    /// with one container OOM-killed and another ended in error failed for
    /// more than the OOM kill, whichever is listed first. A failed pod of a
    /// Job the source shows complete was a retry and is no failure. A
    /// container that cannot start is not also "restarting often", and an
    /// init container is called one.
    #[test]
    fn failed_pods_whatever_the_order_and_retries() {
        let two = |name: &str, first: (&str, &str, i64), second: (&str, &str, i64)| {
            let mut p = pod(name, 0, None, None);
            p.phase = "Failed".to_string();
            p.containers = [first, second]
                .into_iter()
                .map(|(c, r, code)| ContainerInfo {
                    name: c.to_string(),
                    terminated: ended(r, code, ""),
                    ..ContainerInfo::default()
                })
                .collect();
            p
        };
        let ab = two("ab", ("a", "OOMKilled", 137), ("b", "Error", 1));
        let ba = two("ba", ("b", "Error", 1), ("a", "OOMKilled", 137));
        let mut retry = pod("j-aaaaa", 0, None, None);
        retry.phase = "Failed".to_string();
        retry.owner = Some(job_owner("done"));
        retry.containers[0].terminated = ended("Error", 1, "");
        let mut last_try = retry.clone();
        last_try.name = "k-bbbbb".to_string();
        last_try.owner = Some(job_owner("failing"));
        let mut start = pod("p", 6, Some("RunContainerError"), Some(("StartError", 128)));
        start.containers[0].running = false;
        let mut init = pod("i", 0, None, None);
        init.phase = "Failed".to_string();
        init.containers[0].init = true;
        init.containers[0].name = "setup".to_string();
        init.containers[0].terminated = ended("Error", 2, "");
        let got: Vec<(String, String, String)> = findings(&[ab, ba, retry, last_try, start, init])
            .into_iter()
            .map(|(id, name, message, _)| (id, name, message))
            .filter(|(id, _, _)| id != "PodOOMKilled")
            .collect();
        let want = [
            (
                "PodFailed",
                "ab",
                "pod failed: container b ended with Error (code 1)",
            ),
            (
                "PodFailed",
                "ba",
                "pod failed: container b ended with Error (code 1)",
            ),
            (
                "PodFailed",
                "i",
                "pod failed: init container setup ended with Error (code 2)",
            ),
            (
                "PodFailed",
                "k-bbbbb",
                "pod failed: container app ended with Error (code 1)",
            ),
            (
                "PodContainerCannotStart",
                "p",
                "container app cannot start: RunContainerError",
            ),
        ];
        let mut got = got;
        got.sort();
        let mut want: Vec<(String, String, String)> = want
            .into_iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        want.sort();
        assert_eq!(got, want);
    }

    /// Only a failing container's log is scanned: not one that has now
    /// completed, or that restarted after clean exits.
    #[test]
    fn completed_containers_are_not_failing() {
        let c = |terminated, last| ContainerInfo {
            restarts: 7,
            terminated,
            last_terminated: last,
            ..ContainerInfo::default()
        };
        assert!(!c(ended("Completed", 0, ""), ended("Error", 1, "")).failing());
        assert!(!c(None, ended("Completed", 0, "")).failing());
        assert!(c(None, ended("Error", 1, "")).failing());
        assert!(c(ended("Error", 1, ""), None).failing());
    }

    /// A container of a running pod that ended in failure (its pod runs
    /// on with its other containers) is PodFailed's: not one that
    /// completed, an init container or sidecar, an OOM kill (PodOOMKilled's),
    /// one that restarted often (PodRestartingOften's), nor the exit of a
    /// pod being deleted.
    #[test]
    fn a_failed_container_of_a_running_pod() {
        let running_pod = |name: &str, ended: (&str, i64), restarts: u64| {
            let mut p = pod(name, 0, None, None);
            p.containers = vec![
                ContainerInfo {
                    name: "helm".to_string(),
                    restarts,
                    terminated: Some((
                        ended.0.to_string(),
                        ended.1,
                        "2024-05-01T10:27:14Z".to_string(),
                    )),
                    ..ContainerInfo::default()
                },
                ContainerInfo {
                    name: "proxy".to_string(),
                    ready: true,
                    running: true,
                    ..ContainerInfo::default()
                },
            ];
            p
        };
        let failed = running_pod("helm-operation", ("Error", 123), 0);
        let no_reason = running_pod("no-reason", ("", 2), 0);
        let completed = running_pod("completed", ("Completed", 0), 0);
        let oom = running_pod("oom", ("OOMKilled", 137), 0);
        let often = running_pod("often", ("Error", 1), 7);
        let mut deleted = running_pod("deleted", ("Error", 143), 0);
        deleted.terminating = true;
        let mut sidecar = running_pod("sidecar", ("Error", 1), 0);
        sidecar.containers[0].init = true;
        let mut pending = running_pod("pending", ("Error", 1), 0);
        pending.phase = "Pending".to_string();
        let cfg = SweepConfig::default();
        let mut out = Findings::new(&cfg);
        check(
            &[
                failed, no_reason, completed, oom, often, deleted, sidecar, pending,
            ],
            5,
            &|_, _| false,
            &mut out,
        );
        let got: Vec<_> = out
            .finish()
            .into_iter()
            .map(|f| {
                (
                    f.id.to_string(),
                    f.name,
                    f.message,
                    f.container,
                    f.reason,
                    f.last_seen,
                    f.severity,
                )
            })
            .collect();
        let at = Some("2024-05-01T10:27:14Z".to_string());
        let warning = eyelint_policies::Severity::Warning;
        assert_eq!(
            got,
            [
                (
                    "PodFailed".to_string(),
                    "helm-operation".to_string(),
                    "container helm ended with Error (code 123) while the pod is still Running".to_string(),
                    Some("helm".to_string()),
                    Some("Error".to_string()),
                    at.clone(),
                    warning
                ),
                (
                    "PodFailed".to_string(),
                    "no-reason".to_string(),
                    "container helm ended with exited (code 2) while the pod is still Running".to_string(),
                    Some("helm".to_string()),
                    Some("Error".to_string()),
                    at.clone(),
                    warning
                ),
                (
                    "PodRestartingOften".to_string(),
                    "often".to_string(),
                    "container helm has restarted 7 time(s); last exit: Error (code 1) at 2024-05-01T10:27:14Z".to_string(),
                    Some("helm".to_string()),
                    Some("Error".to_string()),
                    at.clone(),
                    warning
                ),
                (
                    "PodOOMKilled".to_string(),
                    "oom".to_string(),
                    "container helm was killed for exceeding its memory limit (OOMKilled) at 2024-05-01T10:27:14Z".to_string(),
                    Some("helm".to_string()),
                    Some("OOMKilled".to_string()),
                    at,
                    warning
                ),
            ]
        );
    }

    /// Any PodScheduled=False is a scheduling problem (the scheduler's own
    /// error as much as no node fitting), with its reason and message;
    /// not a pod held back on purpose by its scheduling gates.
    #[test]
    fn unschedulable_whatever_the_reason() {
        let unscheduled = |name: &str, reason: &str, message: &str| {
            let mut p = pod(name, 0, None, None);
            p.phase = "Pending".to_string();
            p.containers.clear();
            p.unscheduled = Some((reason.to_string(), message.to_string()));
            p
        };
        let got: Vec<_> = findings(&[
            unscheduled("a-full", "Unschedulable", "0/3 nodes are available: 3 Insufficient cpu."),
            unscheduled(
                "b-mysql-0",
                "SchedulerError",
                "running PreBind plugin \"VolumeBinding\": binding volumes: timed out waiting for the condition",
            ),
            unscheduled("c-bare", "", ""),
            unscheduled("d-no-reason", "", "no nodes  available"),
            unscheduled("e-gated", "SchedulingGated", "Scheduling is blocked due to non-empty scheduling gates"),
        ])
        .into_iter()
        .map(|(id, name, message, _)| (id, name, message))
        .collect();
        let want = [
            ("a-full", "pod cannot be scheduled: 0/3 nodes are available: 3 Insufficient cpu."),
            ("b-mysql-0", "pod cannot be scheduled: SchedulerError: running PreBind plugin \"VolumeBinding\": binding volumes: timed out waiting for the condition"),
            ("c-bare", "pod cannot be scheduled"),
            ("d-no-reason", "pod cannot be scheduled: no nodes available"),
        ]
        .map(|(name, message)| ("PodUnschedulable".to_string(), name.to_string(), message.to_string()));
        assert_eq!(got, want);
        let cfg = SweepConfig::default();
        let mut out = Findings::new(&cfg);
        check(
            &[unscheduled("b-mysql-0", "SchedulerError", "x")],
            5,
            &|_, _| false,
            &mut out,
        );
        assert_eq!(out.finish()[0].reason.as_deref(), Some("SchedulerError"));
    }

    /// A container waiting in ErrImageNeverPull (`imagePullPolicy: Never`
    /// and no such image on the node) cannot get its image either.
    #[test]
    fn image_never_pulled() {
        let mut p = pod("never-pull", 0, None, None);
        p.phase = "Pending".to_string();
        p.containers[0].running = false;
        p.containers[0].waiting = Some((
            "ErrImageNeverPull".to_string(),
            "Container image \"x:1\" is not present with pull policy of Never".to_string(),
        ));
        let got: Vec<_> = findings(&[p])
            .into_iter()
            .map(|(id, _, message, _)| (id, message))
            .collect();
        assert_eq!(
            got,
            [(
                "PodSetImagePullBackOff".to_string(),
                "container app cannot pull its image: ErrImageNeverPull: Container image \"x:1\" is not present with pull policy of Never".to_string()
            )]
        );
        // The kubelet's other reasons for an image it cannot use.
        for reason in ["ImageInspectError", "SignatureValidationFailed"] {
            let mut p = pod("bad-image", 0, None, None);
            p.phase = "Pending".to_string();
            p.containers[0].running = false;
            p.containers[0].waiting = Some((reason.to_string(), "m".to_string()));
            let ids: Vec<String> = findings(&[p]).into_iter().map(|f| f.0).collect();
            assert_eq!(ids, ["PodSetImagePullBackOff"], "{reason}");
        }
    }

    /// A failed pod whose status has a message but no reason says the
    /// message alone (not `pod failed: : …`).
    #[test]
    fn failed_pod_with_a_message_and_no_reason() {
        let mut p = pod("p", 0, None, None);
        p.phase = "Failed".to_string();
        p.message = "Pod  was rejected".to_string();
        let got: Vec<_> = findings(&[p]).into_iter().map(|f| f.2).collect();
        assert_eq!(got, ["pod failed: Pod was rejected"]);
    }
}
