//! White-box tests of the count protocol's overflow guards.
//!
//! Each guard tests the count it is about to raise (the old value of
//! `fetch_add`, or the value read before the CAS) against `MAX_COUNT`:
//! raising a count of exactly `MAX_COUNT` goes through, raising
//! `MAX_COUNT + 1` aborts. An abort cannot be caught, so each case runs
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
/// leaking 2^31 handles).
fn counts(strong: u64, weak: u64) -> Counts {
    Counts {
        word: AtomicU64::new(strong * STRONG + weak * WEAK),
    }
}

/// The two halves of `c`'s word: (strong, weak).
fn halves(c: &Counts) -> (u64, u64) {
    let word = c.word.load(Relaxed);
    (strong_of(word), weak_of(word))
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

// Each guard lets a count of exactly MAX_COUNT be raised (fails if `>`
// becomes `>=`), leaving the other half as it was, and aborts on
// MAX_COUNT + 1 (fails if it becomes `==`), before the half can carry.

/// For each guard, two tests: `$through` raises a half holding MAX_COUNT
/// (the counts start at `$start` with `MAX_COUNT` for the half `$op`
/// raises) and expects `$after`; `$aborts` starts that half at
/// MAX_COUNT + 1 and expects the abort.
macro_rules! guard_tests {
    ($($through:ident, $aborts:ident: $op:expr, $start:expr => $after:expr;)*) => {$(
        #[test]
        fn $through() {
            let ended = in_child(stringify!($through), || {
                let c = $start(MAX_COUNT);
                $op(&c);
                assert_eq!(halves(&c), $after);
            });
            assert_eq!(ended, Ended::Returned);
        }

        #[test]
        fn $aborts() {
            let ended = in_child(stringify!($aborts), || $op(&$start(MAX_COUNT + 1)));
            assert_eq!(ended, Ended::Aborted);
        }
    )*};
}

guard_tests! {
    increment_strong_at_the_limit_goes_through, increment_strong_past_the_limit_aborts:
        Counts::increment_strong, |n| counts(n, 1) => (MAX_COUNT + 1, 1);
    increment_weak_at_the_limit_goes_through, increment_weak_past_the_limit_aborts:
        Counts::increment_weak, |n| counts(1, n) => (1, MAX_COUNT + 1);
    downgrade_at_the_limit_goes_through, downgrade_past_the_limit_aborts:
        Counts::downgrade, |n| counts(1, n) => (1, MAX_COUNT + 1);
    upgrade_at_the_limit_goes_through, upgrade_past_the_limit_aborts:
        |c: &Counts| assert!(c.upgrade()), |n| counts(n, 2) => (MAX_COUNT + 1, 2);
}

/// The halves are apart: a strong change never touches the weak count nor
/// the other way round, at the top of either half; and the uniqueness
/// check, the claim and the last drops read the half they must.
#[test]
fn the_halves_do_not_mix() {
    let c = counts(MAX_COUNT, MAX_COUNT);
    c.increment_strong();
    c.increment_weak();
    assert_eq!(halves(&c), (MAX_COUNT + 1, MAX_COUNT + 1));
    assert_eq!(c.strong(), MAX_COUNT as usize + 1);
    assert_eq!(c.weak(), MAX_COUNT as usize);
    assert!(c.decrement_strong().is_none());
    assert!(!c.decrement_weak());
    assert_eq!(halves(&c), (MAX_COUNT, MAX_COUNT));

    // One strong handle and two weak ones: not unique, claimed whatever
    // the weak count, then the weak handles and the strong handles' count.
    let c = counts(1, 3);
    assert!(!c.is_unique());
    assert!(c.claim_unique());
    assert_eq!(halves(&c), (0, 3));
    assert!(c.weak_handles_left());
    assert_eq!(c.weak_from_weak(), 0);
    assert!(!c.upgrade());
    assert!(!c.decrement_weak());
    assert!(!c.decrement_weak());
    assert!(c.decrement_weak());

    // The last strong drop reports the weak handles it saw.
    let c = counts(2, 2);
    assert!(c.decrement_strong().is_none());
    assert!(c.decrement_strong().unwrap().weak_handles_left);
    let c = counts(1, 1);
    assert!(c.is_unique());
    assert!(!c.decrement_strong().unwrap().weak_handles_left);
}

/// A unique block's capacity takes the whole word and gives it back.
#[test]
fn unique_capacity_round_trips() {
    let c = Counts::new();
    assert_eq!(c.unique_capacity(), 0);
    for cap in [1, 7, u32::MAX as usize, isize::MAX as usize] {
        c.set_unique_capacity(cap);
        assert_eq!(c.unique_capacity(), cap);
    }
    c.set_unique_capacity(0);
    assert!(c.is_unique());
}
