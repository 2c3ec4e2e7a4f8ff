//! Pod status (image pulls, crash loops, OOM kills, scheduling, eviction)
//! and error strings in the logs of failing or restarting containers.

use std::collections::BTreeMap;

use crate::checks::Section;
use crate::report::{Findings, SweepFinding};
use crate::snapshot::{LogHit, LogKey, PodInfo};

fn pod_finding(id: &str, pod: &PodInfo, message: String) -> SweepFinding {
    SweepFinding::new(id, Section::Pods, "Pod", &pod.namespace, &pod.name, message).node(&pod.node)
}

fn with_message(reason: &str, message: &str) -> String {
    let m = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if m.is_empty() {
        reason.to_string()
    } else {
        format!("{reason}: {m}")
    }
}

/// Judges pod status.
pub fn check(pods: &[PodInfo], out: &mut Findings<'_>) {
    for pod in pods {
        for c in &pod.containers {
            let role = if c.init {
                "init container"
            } else {
                "container"
            };
            if let Some((reason, message)) = &c.waiting {
                match reason.as_str() {
                    "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName" => out.push(
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
            let oom_now = c.terminated.as_ref().is_some_and(|(r, _)| r == "OOMKilled");
            let oom_last = c
                .last_terminated
                .as_ref()
                .filter(|(r, _, _)| r == "OOMKilled");
            if oom_now || oom_last.is_some() {
                let when = oom_last
                    .map(|(_, _, at)| at.as_str())
                    .filter(|t| !t.is_empty())
                    .map(|t| format!(" at {t}"))
                    .unwrap_or_default();
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
                if let Some((_, _, at)) = oom_last {
                    f = f.last_seen(at);
                }
                out.push(f);
            }
        }
        if let Some((reason, message)) = &pod.unscheduled {
            if reason == "Unschedulable" {
                out.push(
                    pod_finding(
                        "PodUnschedulable",
                        pod,
                        format!("pod cannot be scheduled: {}", with_message(reason, message))
                            .replace(": Unschedulable: ", ": "),
                    )
                    .reason(reason),
                );
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
