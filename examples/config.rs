//! A read-mostly configuration updated with `make_mut` while readers keep
//! the versions they started with.
//!
//! The current configuration is an `ArcArray<Setting, &str>` behind a
//! mutex that is held only to clone or swap the one-word handle. Readers
//! take a snapshot and read it without locking; the writer clones the
//! current handle and calls `ArcArray::make_mut`, which copies the
//! settings only because readers still hold the old version.
//!
//! Run with `cargo run --release --example config`.

use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use heaparray::*;

#[derive(Clone, Debug, PartialEq)]
struct Setting {
    key: &'static str,
    value: u64,
}

type Config = ArcArray<Setting, &'static str>;

fn main() {
    let current = Mutex::new(Config::with_label("server", 3, |_, i| Setting {
        key: ["threads", "timeout_ms", "version"][i],
        value: [4, 500, 1][i],
    }));

    thread::scope(|s| {
        // Readers: take a snapshot, then read it without the lock for a while.
        for r in 0..3 {
            let current = &current;
            s.spawn(move || {
                for _ in 0..5 {
                    let snapshot = current.lock().unwrap().clone();
                    let version = snapshot[2].value;
                    thread::sleep(Duration::from_millis(2));
                    // However long we hold it, our snapshot never changes.
                    assert_eq!(snapshot[2].value, version);
                    println!(
                        "reader {r} sees version {version}: timeout {} ms",
                        snapshot[1].value
                    );
                }
            });
        }
        // The writer: copy-on-write a new version, then publish it.
        s.spawn(|| {
            for _ in 0..4 {
                thread::sleep(Duration::from_millis(3));
                let mut next = current.lock().unwrap().clone();
                let shared_before = ArcArray::strong_count(&next) > 1;
                let settings = ArcArray::make_mut(&mut next);
                settings[1].value += 100;
                settings[2].value += 1;
                println!(
                    "writer publishes version {} ({})",
                    settings[2].value,
                    if shared_before {
                        "copied: the published handle and readers keep the old one"
                    } else {
                        "in place"
                    }
                );
                *current.lock().unwrap() = next;
            }
        });
    });

    let last = current.into_inner().unwrap();
    println!("final {:?}: {:?}", last.get_label(), &last[..]);
    assert_eq!(last[2].value, 5);
}
