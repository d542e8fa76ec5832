//! `serde` support (feature `serde`) for every owning handle: `HeapArray`,
//! `RcArray`, `ArcArray` and `UniqueArcArray` (both layouts).
//!
//! # The format
//!
//! One rule, decided in one place ([`unlabelled`]) from the label's type
//! alone (`size_of::<L>() == 0`, a constant):
//!
//! - **A zero-sized label** (`()`, the default; a unit struct;
//!   `PhantomData`): the handle is a sequence of its elements, exactly as
//!   `[E]`, `Vec<E>`, `Box<[E]>` and `Arc<[E]>` are, in every format
//!   (JSON `[1,2,3]`; in postcard the same bytes, the element count
//!   first). Data written by any of those loads into the handle, and the
//!   handle's output loads into any of them, so moving from `Arc<[E]>` to
//!   `ArcArray<E>` (or back) changes nothing on disk or on the wire. The
//!   label is not written. When reading, it is deserialised from a unit
//!   value ([`serde::de::value::UnitDeserializer`]) before the elements:
//!   `()`, a unit struct (derived) and `PhantomData` accept that. A
//!   zero-sized label that does not (`[u8; 0]`, an uninhabited enum, a
//!   `Deserialize` that rejects unit) makes every input an error of the
//!   deserializer that names the label's type; a label value is never
//!   made up.
//! - **Any other label**: a struct `{ label, elements }` (JSON
//!   `{"label":"x","elements":[1,2,3]}`; in postcard the label, then the
//!   elements as a sequence). Reading accepts the fields in any order
//!   (the elements before the label are kept in a `Vec` until it comes,
//!   then moved into the block with one copy), skips unknown fields, and
//!   also takes the 2-sequence `[label, elements]`.
//!
//! Up to 0.6 an unlabelled handle was the struct too, with a `null`
//! label in JSON; in formats that write a unit as nothing and a struct as
//! its fields in order (postcard, bincode) those bytes are the sequence's,
//! and still load.
//!
//! ```
//! use std::sync::Arc;
//! use heaparray::ArcArray;
//!
//! // Saved before the move from `Arc<[T]>`:
//! let saved = serde_json::to_string(&Arc::<[u32]>::from([1, 2, 3])).unwrap();
//! assert_eq!(saved, "[1,2,3]");
//! let loaded: ArcArray<u32> = serde_json::from_str(&saved).unwrap();
//! assert_eq!(&loaded[..], &[1, 2, 3]);
//! // And written back the same way.
//! assert_eq!(serde_json::to_string(&loaded).unwrap(), saved);
//!
//! // A labelled array keeps its label.
//! let labelled = ArcArray::with_label("x".to_string(), 2, |_, i| i as u32);
//! assert_eq!(
//!     serde_json::to_string(&labelled).unwrap(),
//!     r#"{"label":"x","elements":[0,1]}"#
//! );
//! ```
//!
//! # Straight into the block
//!
//! Deserialisation pushes the elements into the block as they arrive (no
//! `Vec` first, in either form): a length the input claims (postcard's
//! count) reserves room for at most [`MAX_PREALLOCATION`] elements, and
//! the block grows by doubling past that, so a lying count costs no more
//! memory than the elements actually read. A failed allocation is an
//! error of the deserializer ("memory allocation of N bytes failed"), not
//! an abort: the input is untrusted. On any error or panic part-way
//! (a malformed element, a `Deserialize` that panics, an allocator that
//! fails), what was read is dropped exactly once and the block freed.

use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;

use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use crate::block::{Block, Builder, FromBuilder, Header};
use crate::{
    Allocator, ArcArrayBase, ArcLayout, HeapArray, RcArray, TryReserveError, UniqueArcArrayBase,
};

const FIELDS: &[&str] = &["label", "elements"];

/// The most elements a hint from the input may reserve up front: the input
/// is untrusted, so a claimed length only guides the first allocation.
const MAX_PREALLOCATION: usize = 4096;

/// Whether a handle whose label is an `L` is a plain sequence of its
/// elements (a zero-sized label) rather than a struct `{ label, elements }`:
/// the one place that decides, for both directions.
const fn unlabelled<L>() -> bool {
    size_of::<L>() == 0
}

macro_rules! impl_serde {
    ($name:ident) => { impl_serde!(@ $name, $name); };
    ($name:ident, $handle:ident<$p:ident: $bound:path>) => { impl_serde!(@ $name, $handle, $p: $bound); };
    (@ $name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
        /// A zero-sized label (`()`, the default): as a sequence of the
        /// elements, exactly as `[E]`, `Vec<E>` and `Arc<[E]>` (the label
        /// is not written). Any other label: as a struct
        /// `{ label, elements }`.
        impl<E: Serialize, L: Serialize $(, $p: $bound)?, A: Allocator> Serialize
            for $handle<E, L $(, $p)?, A>
        {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serialize_handle(stringify!($name), self.get_label(), self, serializer)
            }
        }

        /// A zero-sized label (`()`, the default): from a sequence of the
        /// elements, as `Vec<E>` and `Arc<[E]>` read and write it, the
        /// label deserialised from a unit value (an error, before any
        /// input is read, for a zero-sized label that does not accept
        /// one). Any other label: from a struct `{ label, elements }` (the
        /// fields in any order) or a 2-sequence `[label, elements]`.
        ///
        /// Either way the elements go straight into a block from
        /// `A::default()`. An allocation failure is an error of the
        /// deserializer ("memory allocation of ... failed"), not an abort:
        /// the input is untrusted.
        impl<'de, E: Deserialize<'de>, L: Deserialize<'de> $(, $p: $bound)?, A: Allocator + Default>
            Deserialize<'de> for $handle<E, L $(, $p)?, A>
        {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserialize_handle(stringify!($name), deserializer)
            }
        }
    };
}

impl_serde!(HeapArray);
impl_serde!(RcArray);
impl_serde!(ArcArray, ArcArrayBase<P: ArcLayout>);
impl_serde!(UniqueArcArray, UniqueArcArrayBase<P: ArcLayout>);

/// Serialises a handle's label and elements by the rule of [`unlabelled`].
fn serialize_handle<S, L, E>(
    name: &'static str,
    label: &L,
    elements: &[E],
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    L: Serialize,
    E: Serialize,
{
    if unlabelled::<L>() {
        // `[E]`'s own impl: the same calls, so the same output, as
        // `Vec<E>` and `Arc<[E]>`.
        return elements.serialize(serializer);
    }
    let mut state = serializer.serialize_struct(name, 2)?;
    state.serialize_field("label", label)?;
    state.serialize_field("elements", elements)?;
    state.end()
}

/// Deserialises a handle by the rule of [`unlabelled`].
fn deserialize_handle<'de, A, E, L, D>(name: &'static str, deserializer: D) -> Result<A, D::Error>
where
    A: FromBuilder<E, L>,
    <A::Header as Header>::Alloc: Default,
    E: Deserialize<'de>,
    L: Deserialize<'de>,
    D: Deserializer<'de>,
{
    if unlabelled::<L>() {
        let unit: de::value::UnitDeserializer<D::Error> = ().into_deserializer();
        let label = L::deserialize(unit).map_err(|err| {
            de::Error::custom(format_args!(
                "the zero-sized label `{}` is made from a unit value, and it refused one: {err}",
                core::any::type_name::<L>()
            ))
        })?;
        let builder = ElementsSeed::<A::Header, L, E>::new(label).deserialize(deserializer)?;
        return A::try_from_builder(builder).map_err(alloc_error);
    }
    deserializer.deserialize_struct(name, FIELDS, HandleVisitor::<A, E, L>(PhantomData))
}

/// Names the types a visitor produces without owning any of them.
type Produces<A, E, L> = fn() -> (A, E, L);

/// Visits a labelled handle's struct (or 2-sequence) form.
struct HandleVisitor<A, E, L>(PhantomData<Produces<A, E, L>>);

/// A failed allocation as the deserializer's error.
fn alloc_error<Er: de::Error>(err: TryReserveError) -> Er {
    Er::custom(err)
}

impl<'de, A, E, L> Visitor<'de> for HandleVisitor<A, E, L>
where
    A: FromBuilder<E, L>,
    <A::Header as Header>::Alloc: Default,
    E: Deserialize<'de>,
    L: Deserialize<'de>,
{
    type Value = A;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a labelled array { label, elements }")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<A, S::Error> {
        let label: L = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let builder = seq
            .next_element_seed(ElementsSeed::<A::Header, L, E>::new(label))?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        A::try_from_builder(builder).map_err(alloc_error)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<A, M::Error> {
        let mut label: Option<L> = None;
        let mut builder: Option<Builder<A::Header, L, E>> = None;
        // Elements that came before the label, kept until it arrives.
        let mut early: Option<Vec<E>> = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Label if label.is_some() || builder.is_some() => {
                    return Err(de::Error::duplicate_field("label"))
                }
                Field::Label => {
                    let value = map.next_value()?;
                    match early.take() {
                        Some(elems) => {
                            let alloc = Default::default();
                            let from_vec = Builder::try_from_vec(value, elems, alloc);
                            builder = Some(from_vec.map_err(alloc_error)?);
                        }
                        None => label = Some(value),
                    }
                }
                Field::Elements if builder.is_some() || early.is_some() => {
                    return Err(de::Error::duplicate_field("elements"))
                }
                Field::Elements => match label.take() {
                    Some(value) => {
                        builder = Some(map.next_value_seed(ElementsSeed::new(value))?);
                    }
                    None => early = Some(map.next_value()?),
                },
                Field::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        match (builder, label) {
            (Some(builder), _) => A::try_from_builder(builder).map_err(alloc_error),
            (None, Some(_)) => Err(de::Error::missing_field("elements")),
            (None, None) => Err(de::Error::missing_field("label")),
        }
    }
}

/// The struct's field names.
enum Field {
    Label,
    Elements,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`label` or `elements`")
            }
            fn visit_str<Er: de::Error>(self, name: &str) -> Result<Field, Er> {
                Ok(match name {
                    "label" => Field::Label,
                    "elements" => Field::Elements,
                    _ => Field::Other,
                })
            }
            fn visit_u64<Er: de::Error>(self, index: u64) -> Result<Field, Er> {
                Ok(match index {
                    0 => Field::Label,
                    1 => Field::Elements,
                    _ => Field::Other,
                })
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

/// Deserialises the element sequence straight into a builder that already
/// holds the label.
struct ElementsSeed<H, L, E> {
    label: L,
    _block: PhantomData<fn() -> (H, E)>,
}

impl<H, L, E> ElementsSeed<H, L, E> {
    fn new(label: L) -> Self {
        ElementsSeed {
            label,
            _block: PhantomData,
        }
    }
}

impl<'de, H: Header, L, E: Deserialize<'de>> DeserializeSeed<'de> for ElementsSeed<H, L, E>
where
    H::Alloc: Default,
{
    type Value = Builder<H, L, E>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, H: Header, L, E: Deserialize<'de>> Visitor<'de> for ElementsSeed<H, L, E>
where
    H::Alloc: Default,
{
    type Value = Builder<H, L, E>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence of elements")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        let hint = seq.size_hint().unwrap_or(0).min(MAX_PREALLOCATION);
        let room = if Block::<H, L, E>::fits(hint) {
            hint
        } else {
            0
        };
        // On an error below, dropping the builder drops the label and the
        // elements read so far and frees the block.
        let mut builder =
            Builder::try_new(self.label, room, H::Alloc::default(), false).map_err(alloc_error)?;
        while let Some(elem) = seq.next_element()? {
            builder.try_push(elem).map_err(alloc_error)?;
        }
        Ok(builder)
    }
}
