//! White-box tests of the count protocol's overflow guards.
//!
//! Each guard tests the count it is about to raise (the old value of
//! `fetch_add`, or the value read before the CAS) against `MAX_REFCOUNT`:
//! raising a count of exactly `MAX_REFCOUNT` goes through, raising
//! `MAX_REFCOUNT + 1` aborts. An abort cannot be caught, so each case runs
//! in a child process: this test binary again, on the one test, told by an
//! environment variable that it is the child.
#![cfg(unix)]

// Without the `std` feature the crate is `no_std`; its tests still run on
// std (and the abort is then a panic while panicking: a SIGABRT too).
#[cfg(not(feature = "std"))]
extern crate std;

use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use std::{format, println, string::String};

use super::*;

/// Set to the test's name in the child process that runs its operation.
const CHILD_VAR: &str = "HEAPARRAY_COUNTS_CHILD";
/// Printed by a child whose operation returned.
const RETURNED: &str = "heaparray-counts-child-returned";
const SIGABRT: i32 = 6;

/// How a child's operation ended.
#[derive(Debug, PartialEq)]
enum Ended {
    Returned,
    Aborted,
}

/// Counts with these values (no public API can get near the limit without
/// leaking 2^63 handles).
fn counts(strong: usize, weak: usize) -> Counts {
    Counts {
        strong: AtomicUsize::new(strong),
        weak: AtomicUsize::new(weak),
    }
}

/// Runs `op` in a child process, this binary re-run on the test `test` (of
/// this module) with `CHILD_VAR` set: in the child, runs `op` and exits; in
/// the parent, returns how the child ended.
fn in_child(test: &str, op: impl FnOnce()) -> Ended {
    if std::env::var(CHILD_VAR).as_deref() == Ok(test) {
        op();
        println!("{RETURNED}");
        std::process::exit(0);
    }
    let module = module_path!().split_once("::").unwrap().1;
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", &format!("{module}::{test}"), "--nocapture"])
        .env(CHILD_VAR, test)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if output.status.success() && stdout.contains(RETURNED) {
        Ended::Returned
    } else if output.status.signal() == Some(SIGABRT) {
        Ended::Aborted
    } else {
        panic!(
            "{test}: the child ended with {}\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

// Each guard lets a count of exactly MAX_REFCOUNT be raised (fails if `>`
// becomes `>=`) and aborts on MAX_REFCOUNT + 1 (fails if it becomes `==`).

#[test]
fn increment_strong_at_the_limit_goes_through() {
    let ended = in_child("increment_strong_at_the_limit_goes_through", || {
        let c = counts(MAX_REFCOUNT, 1);
        c.increment_strong();
        assert_eq!(c.strong.load(Relaxed), MAX_REFCOUNT + 1);
    });
    assert_eq!(ended, Ended::Returned);
}

#[test]
fn increment_strong_past_the_limit_aborts() {
    let ended = in_child("increment_strong_past_the_limit_aborts", || {
        counts(MAX_REFCOUNT + 1, 1).increment_strong();
    });
    assert_eq!(ended, Ended::Aborted);
}

#[test]
fn increment_weak_at_the_limit_goes_through() {
    let ended = in_child("increment_weak_at_the_limit_goes_through", || {
        let c = counts(1, MAX_REFCOUNT);
        c.increment_weak();
        assert_eq!(c.weak.load(Relaxed), MAX_REFCOUNT + 1);
    });
    assert_eq!(ended, Ended::Returned);
}

#[test]
fn increment_weak_past_the_limit_aborts() {
    let ended = in_child("increment_weak_past_the_limit_aborts", || {
        counts(1, MAX_REFCOUNT + 1).increment_weak();
    });
    assert_eq!(ended, Ended::Aborted);
}

#[test]
fn downgrade_at_the_limit_goes_through() {
    let ended = in_child("downgrade_at_the_limit_goes_through", || {
        let c = counts(1, MAX_REFCOUNT);
        c.downgrade();
        assert_eq!(c.weak.load(Relaxed), MAX_REFCOUNT + 1);
    });
    assert_eq!(ended, Ended::Returned);
}

#[test]
fn downgrade_past_the_limit_aborts() {
    // MAX_REFCOUNT + 1 is not LOCKED (usize::MAX): the guard sees it, not
    // the lock's spin.
    let ended = in_child("downgrade_past_the_limit_aborts", || {
        counts(1, MAX_REFCOUNT + 1).downgrade();
    });
    assert_eq!(ended, Ended::Aborted);
}

#[test]
fn upgrade_at_the_limit_goes_through() {
    let ended = in_child("upgrade_at_the_limit_goes_through", || {
        let c = counts(MAX_REFCOUNT, 2);
        assert!(c.upgrade());
        assert_eq!(c.strong.load(Relaxed), MAX_REFCOUNT + 1);
    });
    assert_eq!(ended, Ended::Returned);
}

#[test]
fn upgrade_past_the_limit_aborts() {
    let ended = in_child("upgrade_past_the_limit_aborts", || {
        counts(MAX_REFCOUNT + 1, 2).upgrade();
    });
    assert_eq!(ended, Ended::Aborted);
}
