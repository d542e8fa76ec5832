//! bytes support (feature `bytes`): an [`ArcArray`] of bytes becomes a
//! [`bytes::Bytes`] without a copy, through [`Bytes::from_owner`]: the
//! `Bytes` points at the array's elements and keeps the array (one strong
//! handle) as its owner, dropping it when its last clone or slice drops.
//!
//! Any handle of `u8` elements that is `Send + 'static` is `AsRef<[u8]>`,
//! so `Bytes::from_owner` takes a [`HeapArray`](crate::HeapArray) or a
//! [`UniqueArcArray`](crate::UniqueArcArray) directly as well.

use bytes::Bytes;

use crate::{Allocator, ArcArrayBase, ArcLayout};

/// A `Bytes` over the array's elements, with no copy: the array's block
/// stays alive while any clone or slice of the `Bytes` does.
///
/// `Bytes::from_owner` boxes the handle with a count of its own (one small
/// allocation, none of the bytes): cloning the `Bytes` increments that
/// count, not the array's. Converting the `Bytes` into a `BytesMut` copies,
/// as for any owner-backed `Bytes`.
///
/// # Examples
///
/// ```
/// use bytes::Bytes;
/// use heaparray::*;
///
/// let frame = ArcArray::with_label("frame 7", 5, |_, i| b"hello"[i]);
/// let elements = ArcArray::as_ptr(&frame);
/// let bytes = Bytes::from(frame.clone());
/// assert_eq!(bytes.as_ptr(), elements); // the array's own bytes
///
/// let tail = bytes.slice(1..); // keeps the array alive too
/// drop(bytes);
/// assert_eq!(&tail[..], b"ello");
/// assert_eq!(ArcArray::strong_count(&frame), 2); // `frame` and the owner
/// drop(tail);
/// assert_eq!(ArcArray::strong_count(&frame), 1);
/// ```
impl<L, P, A> From<ArcArrayBase<u8, L, P, A>> for Bytes
where
    L: Send + Sync + 'static,
    P: ArcLayout,
    A: Allocator + Send + Sync + 'static,
{
    #[inline]
    fn from(array: ArcArrayBase<u8, L, P, A>) -> Self {
        Bytes::from_owner(array)
    }
}
