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

/// Judges pod status; `restarts` is the threshold of `PodRestartingOften`.
pub fn check(pods: &[PodInfo], restarts: u64, out: &mut Findings<'_>) {
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
            // Between two crashes a container runs, so a crash loop is not
            // always caught waiting: its restarts and how it last ended
            // tell. A last OOM kill is PodOOMKilled's.
            let crash_looping = c
                .waiting
                .as_ref()
                .is_some_and(|(r, _)| r == "CrashLoopBackOff");
            if let Some((reason, code, at)) = &c.last_terminated {
                let failed = *code != 0 || !matches!(reason.as_str(), "Completed" | "");
                if !crash_looping && c.restarts >= restarts && failed && reason != "OOMKilled" {
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
            check(&pods, threshold, &mut out);
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
}
