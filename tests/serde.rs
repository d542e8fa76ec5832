//! serde round trips for every owning handle (feature `serde`), and
//! malformed inputs that must be clean errors that leak nothing.
#![cfg(all(feature = "serde", not(any(loom, shuttle))))]

mod common;

use common::{allocations, Counting};
use heaparray::*;

#[global_allocator]
static ALLOC: Counting = Counting;

#[test]
fn round_trip_every_handle() {
    let h = HeapArray::with_label("h".to_string(), 3, |_, i| i as u32);
    let json = serde_json::to_string(&h).unwrap();
    assert_eq!(json, r#"{"label":"h","elements":[0,1,2]}"#);
    let back: HeapArray<u32, String> = serde_json::from_str(&json).unwrap();
    assert_eq!((back.get_label(), &back[..]), (h.get_label(), &h[..]));

    let r: RcArray<u32, String> = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&r).unwrap(), json);
    let a: ArcArray<u32, String> = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&a).unwrap(), json);
    let u: UniqueArcArray<u32, String> = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&u).unwrap(), json);

    // The compact layout: the same form.
    let c: CompactArcArray<u32, String> = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&c).unwrap(), json);
    let cu: CompactUniqueArcArray<u32, String> = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&cu).unwrap(), json);
}

#[test]
fn unlabelled_and_empty() {
    let a: ArcArray<String> = ArcArray::default();
    let json = serde_json::to_string(&a).unwrap();
    assert_eq!(json, r#"{"label":null,"elements":[]}"#);
    let back: ArcArray<String> = serde_json::from_str(&json).unwrap();
    assert!(back.is_empty());
}

#[test]
fn fields_in_any_order_and_sequence_form() {
    let a: ArcArray<u8, char> =
        serde_json::from_str(r#"{"elements":[1,2,3],"extra":0,"label":"x"}"#).unwrap();
    assert_eq!((*a.get_label(), &a[..]), ('x', &[1u8, 2, 3][..]));
    let b: HeapArray<u8, char> = serde_json::from_str(r#"["y",[4,5]]"#).unwrap();
    assert_eq!((*b.get_label(), &b[..]), ('y', &[4u8, 5][..]));
}

#[test]
fn malformed_inputs_are_errors_and_leak_nothing() {
    let cases = [
        (r#"{"label":"l","elements":["a","b",3]}"#, "invalid type"),
        (r#"{"label":"l"}"#, "missing field `elements`"),
        (r#"{"elements":["a"]}"#, "missing field `label`"),
        (
            r#"{"label":"l","label":"m","elements":[]}"#,
            "duplicate field `label`",
        ),
        (
            r#"{"label":"l","elements":[],"elements":[]}"#,
            "duplicate field `elements`",
        ),
        (r#"{"label":"l","elements":["a","b""#, "EOF"),
        (r#"["l"]"#, "invalid length 1"),
        (r#"42"#, "invalid type"),
    ];
    for (input, expected) in cases {
        let (message, _, live) = allocations(|| {
            let err = serde_json::from_str::<ArcArray<String, String>>(input).expect_err(input);
            let message = err.to_string();
            let matched = message.contains(expected);
            (matched, message.len())
        });
        assert!(
            message.0,
            "{input}: the error does not mention {expected:?}"
        );
        assert_eq!(live, 0, "{input} leaked {live} bytes");
    }
}

#[test]
fn a_long_sequence_grows_past_the_preallocation_cap() {
    let elements: Vec<u64> = (0..10_000).collect();
    let json = serde_json::to_string(&HeapArray::from(elements.clone())).unwrap();
    let back: HeapArray<u64> = serde_json::from_str(&json).unwrap();
    assert_eq!(&back[..], &elements[..]);
}
