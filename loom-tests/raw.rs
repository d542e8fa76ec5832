//! loom models: `into_raw` / `from_raw` across threads.
#![cfg(loom)]

mod common;

use common::{array, model, read_all, Array, Tally, Tracked, UNTOUCHED};
use heaparray::ArcArray;
use loom::thread;

/// A handle crosses to another thread as a raw element pointer (an
/// address), is rebuilt there, read and dropped, racing the original's drop.
#[test]
fn raw_pointer_crosses_threads() {
    model(|| {
        let drops = Tally::new();
        let a = array(&drops);
        let address = ArcArray::into_raw(a.clone()) as usize;
        let t = thread::spawn(move || {
            // SAFETY: the address came from `into_raw` of an `Array` and is
            // rebuilt exactly once.
            let b = unsafe { <Array>::from_raw(address as *const Tracked) };
            assert_eq!(read_all(&b), UNTOUCHED);
        });
        assert_eq!(read_all(&a), UNTOUCHED);
        drop(a);
        t.join().unwrap();
        assert_eq!(drops.get(), 3);
    });
}
