//! `serde` support (feature `serde`): every owning handle serialises as a
//! struct `{ label, elements }` and deserialises straight into its block
//! (elements are pushed into the block as they arrive, no `Vec` first),
//! so a malformed input is an error that drops what was read and frees the
//! block.

use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
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

macro_rules! impl_serde {
    ($name:ident) => { impl_serde!(@ $name, $name); };
    ($name:ident, $handle:ident<$p:ident: $bound:path>) => { impl_serde!(@ $name, $handle, $p: $bound); };
    (@ $name:ident, $handle:ident $(, $p:ident: $bound:path)?) => {
        impl<E: Serialize, L: Serialize $(, $p: $bound)?, A: Allocator> Serialize
            for $handle<E, L $(, $p)?, A>
        {
            /// As a struct `{ label, elements }`.
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut state = serializer.serialize_struct(stringify!($name), 2)?;
                state.serialize_field("label", self.get_label())?;
                state.serialize_field("elements", &**self)?;
                state.end()
            }
        }

        impl<'de, E: Deserialize<'de>, L: Deserialize<'de> $(, $p: $bound)?, A: Allocator + Default>
            Deserialize<'de> for $handle<E, L $(, $p)?, A>
        {
            /// From a struct `{ label, elements }` (or a 2-sequence), into a
            /// block from `A::default()`. An allocation failure is an error
            /// of the deserializer ("memory allocation of ... failed"), not
            /// an abort: the input is untrusted.
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_struct(
                    stringify!($name),
                    FIELDS,
                    HandleVisitor::<Self, E, L>(PhantomData),
                )
            }
        }
    };
}

impl_serde!(HeapArray);
impl_serde!(RcArray);
impl_serde!(ArcArray, ArcArrayBase<P: ArcLayout>);
impl_serde!(UniqueArcArray, UniqueArcArrayBase<P: ArcLayout>);

/// Names the types a visitor produces without owning any of them.
type Produces<A, E, L> = fn() -> (A, E, L);

/// Visits a handle's struct (or sequence) form.
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
