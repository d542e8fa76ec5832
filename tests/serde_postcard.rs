//! serde with postcard, a format that is not self-describing: a handle goes
//! as the 2-tuple (label, elements) and comes back through `visit_seq`, with
//! the element count up front as the size hint. Then what serde_json cannot
//! reach: integer field identifiers (`visit_u64`, through serde's own map
//! deserializer) and the `expecting` messages.
#![cfg(not(any(loom, shuttle)))]
#![cfg(feature = "serde")]

mod common;

use common::{allocations, Counting};
use heaparray::traits::*;
use heaparray::*;
use serde::de::value::MapDeserializer;
use serde::de::{DeserializeOwned, IntoDeserializer};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[global_allocator]
static ALLOC: Counting = Counting;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The labels and element lists every handle is tried with: owning types
/// (a `String` and a `Vec` each way round), empty and not.
fn string_label_cases() -> Vec<(String, Vec<Vec<String>>)> {
    vec![
        (
            "label".into(),
            vec![strings(&["a", "bc"]), vec![], strings(&["d"])],
        ),
        (String::new(), vec![]),
    ]
}

fn vec_label_cases() -> Vec<(Vec<String>, Vec<String>)> {
    vec![
        (strings(&["x", "y"]), strings(&["one", "two", "three"])),
        (vec![], vec![]),
    ]
}

/// `A` built from `label` and `elems` encodes as the tuple (label, elements),
/// decodes to the same, and leaks nothing.
fn round_trip<A, E, L>(label: &L, elems: &[E])
where
    A: LabelledArray<E, L> + TryLabelledArray<E, L> + SliceArray<E> + Serialize + DeserializeOwned,
    E: Clone + PartialEq + std::fmt::Debug + Serialize,
    L: Clone + PartialEq + std::fmt::Debug + Serialize,
{
    let a = A::with_label(label.clone(), elems.len(), |_, i| elems[i].clone());
    let bytes = postcard::to_allocvec(&a).unwrap();
    assert_eq!(bytes, postcard::to_allocvec(&(label, elems)).unwrap());
    let ((), _, live) = allocations(|| {
        let back: A = postcard::from_bytes(&bytes).unwrap();
        assert_eq!((back.get_label(), back.as_slice()), (label, elems));
    });
    let name = std::any::type_name::<A>();
    assert_eq!(live, 0, "{name} leaked {live} bytes");
}

/// Every proper prefix of `A`'s encoding is an error that leaks nothing.
fn truncated<A, E, L>(label: &L, elems: &[E])
where
    A: LabelledArray<E, L> + TryLabelledArray<E, L> + Serialize + DeserializeOwned,
    E: Clone,
    L: Clone,
{
    let a = A::with_label(label.clone(), elems.len(), |_, i| elems[i].clone());
    let bytes = postcard::to_allocvec(&a).unwrap();
    for cut in 0..bytes.len() {
        let (err, _, live) = allocations(|| postcard::from_bytes::<A>(&bytes[..cut]).err());
        let name = std::any::type_name::<A>();
        assert_eq!(
            err,
            Some(postcard::Error::DeserializeUnexpectedEnd),
            "{name} from {cut} of {} bytes",
            bytes.len()
        );
        assert_eq!(live, 0, "{name} from {cut} bytes leaked {live} bytes");
    }
}

macro_rules! every_handle {
    ($check:ident, $label:ty, $elem:ty, $l:expr, $e:expr) => {
        $check::<HeapArray<$elem, $label>, _, _>($l, $e);
        $check::<RcArray<$elem, $label>, _, _>($l, $e);
        $check::<ArcArray<$elem, $label>, _, _>($l, $e);
        $check::<CompactArcArray<$elem, $label>, _, _>($l, $e);
        $check::<UniqueArcArray<$elem, $label>, _, _>($l, $e);
        $check::<CompactUniqueArcArray<$elem, $label>, _, _>($l, $e);
    };
}

/// `$check` on every handle, for both label kinds' cases.
macro_rules! every_case {
    ($check:ident) => {
        for (label, elems) in string_label_cases() {
            every_handle!($check, String, Vec<String>, &label, &elems);
        }
        for (label, elems) in vec_label_cases() {
            every_handle!($check, Vec<String>, String, &label, &elems);
        }
    };
}

#[test]
fn every_handle_round_trips_as_a_tuple() {
    every_case!(round_trip);
}

#[test]
fn truncated_input_is_an_error_and_leaks_nothing() {
    every_case!(truncated);
}

#[test]
fn a_claimed_length_past_the_input_is_an_error_and_leaks_nothing() {
    // The label "l", then an element count of 2^40 (a varint), then one
    // element "e" and the end: the claimed count only guides the first
    // allocation, which is capped.
    let mut bytes = vec![1, b'l'];
    let mut n: u64 = 1 << 40;
    while n >= 0x80 {
        bytes.push(n as u8 | 0x80);
        n >>= 7;
    }
    bytes.push(n as u8);
    bytes.extend([1, b'e']);
    let (err, _, live) =
        allocations(|| postcard::from_bytes::<ArcArray<String, String>>(&bytes).err());
    assert_eq!(err, Some(postcard::Error::DeserializeUnexpectedEnd));
    assert_eq!(live, 0, "leaked {live} bytes");
}

/// Deserialises an `ArcArray<String, String>` from a map with these keys,
/// through serde's own map deserializer (which gives integer keys to
/// `deserialize_identifier` as integers, where JSON's keys are strings).
fn from_map<K>(entries: Vec<(K, Value)>) -> Result<ArcArray<String, String>, serde_json::Error>
where
    K: IntoDeserializer<'static, serde_json::Error>,
{
    ArcArray::deserialize(MapDeserializer::new(entries.into_iter()))
}

#[test]
fn integer_field_identifiers() {
    let expected = ("l".to_string(), strings(&["a", "b"]));
    let orders = [
        vec![(0u64, json!("l")), (1, json!(["a", "b"]))],
        vec![(1, json!(["a", "b"])), (0, json!("l"))],
        vec![
            (2, json!(7)),
            (0, json!("l")),
            (9, json!({})),
            (1, json!(["a", "b"])),
        ],
    ];
    for entries in orders {
        let a = from_map(entries.clone()).unwrap_or_else(|e| panic!("{entries:?}: {e}"));
        assert_eq!((a.get_label(), &a[..]), (&expected.0, &expected.1[..]));
    }
    let errors = [
        (vec![(1u64, json!([]))], "missing field `label`"),
        (vec![(0, json!("l"))], "missing field `elements`"),
        (
            vec![(0, json!("l")), (0, json!("m")), (1, json!([]))],
            "duplicate field `label`",
        ),
        (
            vec![(0, json!("l")), (1, json!([])), (1, json!([]))],
            "duplicate field `elements`",
        ),
    ];
    for (entries, message) in errors {
        let err = from_map(entries.clone()).expect_err(message);
        assert_eq!(err.to_string(), message, "{entries:?}");
    }
}

#[test]
fn expecting_messages() {
    // Each visitor's `expecting`, as the error for a wrong type names it.
    let err = serde_json::from_str::<ArcArray<String, String>>("42").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid type: integer `42`, expected a labelled array { label, elements } \
         at line 1 column 2"
    );
    let err =
        serde_json::from_str::<HeapArray<u8, String>>(r#"{"label":"l","elements":5}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid type: integer `5`, expected a sequence of elements at line 1 column 25"
    );
    // A key that is neither a name nor an index.
    let err = from_map(vec![(true, json!("l"))]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid type: boolean `true`, expected `label` or `elements`"
    );
}
