//! loom models: `into_raw` / `from_raw` across threads.
#![cfg(loom)]

mod common;

use common::{race, read_all, read_untouched_then_drop, Array, Tracked, UNTOUCHED};
use heaparray::ArcArray;

common::models! {
    /// A handle crosses to another thread as a raw element pointer (an
    /// address), is rebuilt there, read and dropped, racing the original's drop.
    raw_pointer_crosses_threads: |a, drops| {
        let address = ArcArray::into_raw(a.clone()) as usize;
        race(
            move || {
                // SAFETY: the address came from `into_raw` of an `Array` and is
                // rebuilt exactly once.
                let b = unsafe { <Array>::from_raw(address as *const Tracked) };
                assert_eq!(read_all(&b), UNTOUCHED);
            },
            || read_untouched_then_drop(a),
        );
        assert_eq!(drops.get(), 3);
    }
}
