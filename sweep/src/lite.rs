//! Typed, borrowed views of the few fields the checks read of pods and
//! events. Deserialising one of these straight from the dump's bytes skips
//! everything else (managedFields, spec, …) without building a
//! `serde_json::Value`, which is most of the cost of reading a dump.
//!
//! Every field is lenient like a JSON pointer lookup: a value of the wrong
//! type reads as absent instead of failing, so these views read exactly
//! what `Value::pointer(..).and_then(Value::as_str)` would. The same views
//! are deserialised from a `&Value` for objects that arrive as values (live
//! mode, YAML files), so both paths share one reading of the fields.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Visitor methods that read the listed JSON types as `$none`.
macro_rules! none_for {
    ($none:expr; $($m:ident),*) => { $( none_for!(@m $none, $m); )* };
    (@m $none:expr, visit_bool) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> { Ok($none) }
    };
    (@m $none:expr, visit_i64) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> { Ok($none) }
    };
    (@m $none:expr, visit_u64) => {
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> { Ok($none) }
    };
    (@m $none:expr, visit_f64) => {
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> { Ok($none) }
    };
    (@m $none:expr, visit_str) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> { Ok($none) }
    };
    (@m $none:expr, visit_unit) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> { Ok($none) }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> { Ok($none) }
    };
    (@m $none:expr, visit_seq) => {
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            drain_seq(seq)?;
            Ok($none)
        }
    };
    (@m $none:expr, visit_map) => {
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            drain_map(map)?;
            Ok($none)
        }
    };
}

/// A string field; any other JSON type reads as absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl<'a> Str<'a> {
    /// The string, or "" when absent.
    pub fn get(&self) -> &str {
        self.0.as_deref().unwrap_or("")
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'a>, E> {
                Ok(Str(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'a>, E> {
                Ok(Str(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'a>, E> {
                Ok(Str(Some(Cow::Owned(v))))
            }
            none_for!(Str(None); visit_bool, visit_i64, visit_u64, visit_f64, visit_unit, visit_seq, visit_map);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// An unsigned integer field (like `Value::as_u64`); anything else is absent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct U64(pub Option<u64>);

impl<'de> Deserialize<'de> for U64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = U64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<U64, E> {
                Ok(U64(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<U64, E> {
                Ok(U64(u64::try_from(v).ok()))
            }
            none_for!(U64(None); visit_bool, visit_f64, visit_str, visit_unit, visit_seq, visit_map);
        }
        d.deserialize_any(V)
    }
}

/// A signed integer field (like `Value::as_i64`); anything else is absent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct I64(pub Option<i64>);

impl<'de> Deserialize<'de> for I64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = I64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<I64, E> {
                Ok(I64(i64::try_from(v).ok()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<I64, E> {
                Ok(I64(Some(v)))
            }
            none_for!(I64(None); visit_bool, visit_f64, visit_str, visit_unit, visit_seq, visit_map);
        }
        d.deserialize_any(V)
    }
}

/// A boolean field (like `Value::as_bool`); anything else is absent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bool(pub Option<bool>);

impl<'de> Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Bool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Bool, E> {
                Ok(Bool(Some(v)))
            }
            none_for!(Bool(None); visit_i64, visit_u64, visit_f64, visit_str, visit_unit, visit_seq, visit_map);
        }
        d.deserialize_any(V)
    }
}

/// A field whose presence matters (like `Value::pointer(..).is_some()`):
/// `present` is true for any value, `null` included; `value` is set only
/// when the value is a JSON object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Obj<T> {
    /// The field is there (whatever its value).
    pub present: bool,
    /// Its fields, when it is an object.
    pub value: Option<T>,
}

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj {
            present: false,
            value: None,
        }
    }
}

impl<T> Obj<T> {
    /// The object's fields, if it is one.
    pub fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                let value = T::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Obj {
                    present: true,
                    value: Some(value),
                })
            }
            none_for!(Obj { present: true, value: None }; visit_bool, visit_i64, visit_u64, visit_f64, visit_str, visit_unit, visit_seq);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// An array field (like `Value::as_array`); anything else reads as empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(x) = seq.next_element()? {
                    out.push(x);
                }
                Ok(List(out))
            }
            none_for!(List(Vec::new()); visit_bool, visit_i64, visit_u64, visit_f64, visit_str, visit_unit, visit_map);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// `metadata.labels`: the two labels the checks read.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Labels<'a> {
    /// `component` (static control-plane pods).
    #[serde(borrow)]
    pub component: Str<'a>,
    /// `pod-template-hash` (names a missing ReplicaSet's Deployment).
    #[serde(borrow, rename = "pod-template-hash")]
    pub pod_template_hash: Str<'a>,
}

/// One `metadata.ownerReferences` entry.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OwnerRef<'a> {
    /// `apiVersion`.
    #[serde(borrow)]
    pub api_version: Str<'a>,
    /// `kind`.
    #[serde(borrow)]
    pub kind: Str<'a>,
    /// `name`.
    #[serde(borrow)]
    pub name: Str<'a>,
    /// `controller`.
    pub controller: Bool,
}

/// `metadata`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Meta<'a> {
    /// `name`.
    #[serde(borrow)]
    pub name: Str<'a>,
    /// `namespace`.
    #[serde(borrow)]
    pub namespace: Str<'a>,
    /// `creationTimestamp`.
    #[serde(borrow)]
    pub creation_timestamp: Str<'a>,
    /// `labels`.
    #[serde(borrow)]
    pub labels: Obj<Labels<'a>>,
    /// `deletionTimestamp` (presence).
    pub deletion_timestamp: Obj<IgnoredAny>,
    /// `ownerReferences`.
    #[serde(borrow)]
    pub owner_references: List<Obj<OwnerRef<'a>>>,
}

/// `state.waiting` / `state.terminated` / `lastState.terminated`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StateDetail<'a> {
    /// `reason`.
    #[serde(borrow)]
    pub reason: Str<'a>,
    /// `message`.
    #[serde(borrow)]
    pub message: Str<'a>,
    /// `exitCode`.
    pub exit_code: I64,
    /// `finishedAt`.
    #[serde(borrow)]
    pub finished_at: Str<'a>,
}

/// A container's `state` or `lastState`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct State<'a> {
    /// `waiting`.
    #[serde(borrow)]
    pub waiting: Obj<StateDetail<'a>>,
    /// `terminated`.
    #[serde(borrow)]
    pub terminated: Obj<StateDetail<'a>>,
    /// `running` (presence).
    pub running: Obj<IgnoredAny>,
}

/// One entry of `containerStatuses` / `initContainerStatuses`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ContainerStatus<'a> {
    /// `name`.
    #[serde(borrow)]
    pub name: Str<'a>,
    /// `ready`.
    pub ready: Bool,
    /// `restartCount`.
    pub restart_count: U64,
    /// `state`.
    #[serde(borrow)]
    pub state: Obj<State<'a>>,
    /// `lastState`.
    #[serde(borrow)]
    pub last_state: Obj<State<'a>>,
}

/// A condition (`type`, `status`, `reason`, `message`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Condition<'a> {
    /// `type`.
    #[serde(borrow, rename = "type")]
    pub kind: Str<'a>,
    /// `status`.
    #[serde(borrow)]
    pub status: Str<'a>,
    /// `reason`.
    #[serde(borrow)]
    pub reason: Str<'a>,
    /// `message`.
    #[serde(borrow)]
    pub message: Str<'a>,
}

/// A pod's `status`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodStatus<'a> {
    /// `phase`.
    #[serde(borrow)]
    pub phase: Str<'a>,
    /// `reason`.
    #[serde(borrow)]
    pub reason: Str<'a>,
    /// `message`.
    #[serde(borrow)]
    pub message: Str<'a>,
    /// `conditions`.
    #[serde(borrow)]
    pub conditions: List<Obj<Condition<'a>>>,
    /// `initContainerStatuses`.
    #[serde(borrow)]
    pub init_container_statuses: List<Obj<ContainerStatus<'a>>>,
    /// `containerStatuses`.
    #[serde(borrow)]
    pub container_statuses: List<Obj<ContainerStatus<'a>>>,
}

/// A pod's `spec` (only `nodeName`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodSpec<'a> {
    /// `nodeName`.
    #[serde(borrow)]
    pub node_name: Str<'a>,
}

/// An event's `involvedObject`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Involved<'a> {
    /// `kind`.
    #[serde(borrow)]
    pub kind: Str<'a>,
    /// `namespace`.
    #[serde(borrow)]
    pub namespace: Str<'a>,
    /// `name`.
    #[serde(borrow)]
    pub name: Str<'a>,
}

/// An event's `series`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Series<'a> {
    /// `count`.
    pub count: U64,
    /// `lastObservedTime`.
    #[serde(borrow)]
    pub last_observed_time: Str<'a>,
}

/// An event's `source`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Source<'a> {
    /// `component`.
    #[serde(borrow)]
    pub component: Str<'a>,
    /// `host`.
    #[serde(borrow)]
    pub host: Str<'a>,
}

/// What the sweep reads of a pod or an event (the union of both, so one
/// pass over an item whose kind is not known yet reads either).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Item<'a> {
    /// `kind`.
    #[serde(borrow)]
    pub kind: Str<'a>,
    /// `metadata`.
    #[serde(borrow)]
    pub metadata: Obj<Meta<'a>>,
    /// `spec` (pods).
    #[serde(borrow)]
    pub spec: Obj<PodSpec<'a>>,
    /// `status` (pods).
    #[serde(borrow)]
    pub status: Obj<PodStatus<'a>>,
    /// `items` (presence: a nested List).
    pub items: Obj<IgnoredAny>,
    /// `involvedObject` (events).
    #[serde(borrow)]
    pub involved_object: Obj<Involved<'a>>,
    /// `type` (events).
    #[serde(borrow, rename = "type")]
    pub event_type: Str<'a>,
    /// `reason` (events).
    #[serde(borrow)]
    pub reason: Str<'a>,
    /// `message` (events).
    #[serde(borrow)]
    pub message: Str<'a>,
    /// `count` (events).
    pub count: U64,
    /// `series` (events).
    #[serde(borrow)]
    pub series: Obj<Series<'a>>,
    /// `lastTimestamp` (events).
    #[serde(borrow)]
    pub last_timestamp: Str<'a>,
    /// `eventTime` (events).
    #[serde(borrow)]
    pub event_time: Str<'a>,
    /// `firstTimestamp` (events).
    #[serde(borrow)]
    pub first_timestamp: Str<'a>,
    /// `source` (events).
    #[serde(borrow)]
    pub source: Obj<Source<'a>>,
    /// `reportingInstance` (events).
    #[serde(borrow)]
    pub reporting_instance: Str<'a>,
    /// `reportingComponent` (events).
    #[serde(borrow)]
    pub reporting_component: Str<'a>,
    /// `regarding` (`events.k8s.io/v1` events: `involvedObject`).
    #[serde(borrow)]
    pub regarding: Obj<Involved<'a>>,
    /// `note` (`events.k8s.io/v1`: `message`).
    #[serde(borrow)]
    pub note: Str<'a>,
    /// `deprecatedCount` (`events.k8s.io/v1`: `count`).
    pub deprecated_count: U64,
    /// `deprecatedLastTimestamp` (`events.k8s.io/v1`).
    #[serde(borrow)]
    pub deprecated_last_timestamp: Str<'a>,
    /// `deprecatedFirstTimestamp` (`events.k8s.io/v1`).
    #[serde(borrow)]
    pub deprecated_first_timestamp: Str<'a>,
    /// `deprecatedSource` (`events.k8s.io/v1`: `source`).
    #[serde(borrow)]
    pub deprecated_source: Obj<Source<'a>>,
    /// `reportingController` (`events.k8s.io/v1`: `reportingComponent`).
    #[serde(borrow)]
    pub reporting_controller: Str<'a>,
}

impl<'a> Item<'a> {
    /// Reads the view out of a value (never fails: wrong types read as absent).
    pub fn of(v: &'a serde_json::Value) -> Item<'a> {
        Obj::<Item<'a>>::deserialize(v)
            .ok()
            .and_then(|o| o.value)
            .unwrap_or_default()
    }

    /// `metadata`, or empty.
    pub fn meta(&self) -> &Meta<'a> {
        static EMPTY: Meta<'static> = Meta {
            name: Str(None),
            namespace: Str(None),
            creation_timestamp: Str(None),
            labels: Obj {
                present: false,
                value: None,
            },
            deletion_timestamp: Obj {
                present: false,
                value: None,
            },
            owner_references: List(Vec::new()),
        };
        self.metadata.get().unwrap_or(&EMPTY)
    }

    /// A label's value, or "".
    pub fn label(&self, pick: impl for<'x> Fn(&'x Labels<'a>) -> &'x Str<'a>) -> &str {
        self.meta().labels.get().map_or("", |l| pick(l).get())
    }
}

/// Parses an object as a `Value`, leaving out `metadata.managedFields`
/// (no check reads it, and it is often half of a pod) without building it.
pub fn parse_pruned(bytes: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = de::DeserializeSeed::deserialize(Pruned { depth: 0 }, &mut de)?;
    de.end()?;
    Ok(v)
}

/// Builds a `Value`, skipping `managedFields` in the top-level `metadata`.
#[derive(Clone, Copy)]
struct Pruned {
    /// 0 for the object, 1 for its `metadata`.
    depth: u8,
}

impl<'de> de::DeserializeSeed<'de> for Pruned {
    type Value = serde_json::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<serde_json::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Pruned {
    type Value = serde_json::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<serde_json::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = match (self.depth, key.as_str()) {
                (0, "metadata") => map.next_value_seed(Pruned { depth: 1 })?,
                (1, "managedFields") => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                _ => map.next_value()?,
            };
            out.insert(key, value);
        }
        Ok(serde_json::Value::Object(out))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<serde_json::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(serde_json::Value::Array(out))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<serde_json::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<serde_json::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<serde_json::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<serde_json::Value, E> {
        Ok(serde_json::Number::from_f64(v)
            .map_or(serde_json::Value::Null, serde_json::Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<serde_json::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<serde_json::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E: de::Error>(self) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_types_read_as_absent() {
        let v = json!({"kind": 5, "metadata": {"name": "p", "namespace": ["x"], "deletionTimestamp": null,
            "ownerReferences": [{"kind": "ReplicaSet", "name": "r", "controller": "yes"}, "junk"]},
            "status": {"phase": {"a": 1}, "containerStatuses": [{"name": "c", "restartCount": -1, "ready": true,
                "state": {"waiting": null, "terminated": {"exitCode": 1.5}}}], "conditions": 7},
            "count": 3, "series": "x"});
        let bytes = serde_json::to_vec(&v).unwrap();
        for item in [
            Item::of(&v),
            serde_json::from_slice::<Obj<Item<'_>>>(&bytes)
                .unwrap()
                .value
                .unwrap(),
        ] {
            assert_eq!(item.kind.0, None);
            let m = item.meta();
            assert_eq!(m.name.get(), "p");
            assert_eq!(m.namespace.0, None);
            assert!(m.deletion_timestamp.present);
            assert_eq!(m.owner_references.0.len(), 2);
            assert_eq!(
                m.owner_references.0[0].get().unwrap().controller,
                Bool(None)
            );
            assert!(m.owner_references.0[1].present && m.owner_references.0[1].value.is_none());
            let st = item.status.get().unwrap();
            assert_eq!(st.phase.0, None);
            assert!(st.conditions.0.is_empty());
            let c = st.container_statuses.0[0].get().unwrap();
            assert_eq!(c.restart_count, U64(None));
            assert_eq!(c.ready, Bool(Some(true)));
            let s = c.state.get().unwrap();
            assert!(s.waiting.present && s.waiting.value.is_none());
            assert_eq!(s.terminated.get().unwrap().exit_code, I64(None));
            assert!(!s.running.present);
            assert_eq!(item.count, U64(Some(3)));
            assert!(item.series.present && item.series.value.is_none());
        }
    }

    #[test]
    fn pruned_parse_drops_only_managed_fields() {
        let mut v = json!({"kind": "Pod", "metadata": {"name": "p", "managedFields": [{"manager": "x"}],
            "labels": {"managedFields": "kept"}}, "spec": {"managedFields": 1, "n": [1.5, -2, null, true, "s"]}});
        let bytes = serde_json::to_vec(&v).unwrap();
        let pruned = parse_pruned(&bytes).unwrap();
        v["metadata"]
            .as_object_mut()
            .unwrap()
            .shift_remove("managedFields");
        assert_eq!(pruned, v);
        assert_eq!(
            serde_json::to_string(&pruned).unwrap(),
            serde_json::to_string(&v).unwrap()
        );
        assert!(parse_pruned(b"{\"a\": 1} x").is_err());
        assert_eq!(parse_pruned(b"[1]").unwrap(), json!([1]));
    }

    #[test]
    fn strings_with_escapes_are_read() {
        let bytes = br#"{"kind": "Pod", "metadata": {"name": "a\"b\u00e9"}}"#;
        let item = serde_json::from_slice::<Obj<Item<'_>>>(bytes)
            .unwrap()
            .value
            .unwrap();
        assert_eq!(item.meta().name.get(), "a\"b\u{e9}");
        assert_eq!(item.kind.get(), "Pod");
    }
}
