//! The count protocol of `ArcArray`: every atomic operation on the strong
//! and weak counts, and nothing else. SAFETY.md ("The count protocol")
//! gives, for each ordering, the happens-before edge it creates and the loom
//! model that fails when it is weakened.
//!
//! The semantics are std's `Arc`: the strong handles together hold one weak
//! count; the label and the elements go with the last strong handle, the
//! block with the last weak count. Both counts live in one 64-bit word,
//! the strong count in its low half and the weak count in its high half,
//! so one atomic access reads or changes both at once: a uniqueness check is
//! one compare-and-swap (no lock, as two words needed), and the last strong
//! drop learns from its own decrement whether any weak handle exists.

use crate::sync::atomic::{
    acquire_fence, before_free, AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};

/// One strong count: the word's low half.
const STRONG: u64 = 1;
/// One weak count: the word's high half.
const WEAK: u64 = 1 << 32;
/// The strong count's half of the word.
const STRONG_MASK: u64 = WEAK - 1;
/// The word of a block with one strong handle and no weak handle: one
/// strong count, and the one weak count the strong handles hold together.
const ONE_EACH: u64 = STRONG + WEAK;

/// The largest count of either kind we allow: 2^31 - 1 handles. Past it,
/// `clone` and friends abort the process, as std does, before a count can
/// carry into (or wrap within) its half: a count can only get there by
/// leaking handles (`mem::forget`), and each thread that raises a count
/// checks the value it raised, so the 2^31 values left in the half are
/// headroom for threads that increment before they see the overflow and
/// abort. (The Linux kernel's `refcount_t` is 32 bits too.)
const MAX_COUNT: u64 = i32::MAX as u64;

/// The strong count in a word.
#[inline]
fn strong_of(word: u64) -> u64 {
    word & STRONG_MASK
}

/// The weak count in a word.
#[inline]
fn weak_of(word: u64) -> u64 {
    word >> 32
}

/// A count (at most 2^32 - 1) or a unique block's capacity (at most
/// `isize::MAX`) as a `usize`, which holds either on every target.
#[inline]
fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The strong and weak counts of one block, in one word.
pub(crate) struct Counts {
    word: AtomicU64,
}

/// What the last strong handle's decrement learnt: whether weak handles
/// existed then. None can appear afterwards (there is no strong handle to
/// downgrade), so if none existed the block is the caller's to free
/// outright; otherwise it releases the strong handles' weak count.
#[derive(Clone, Copy)]
pub(crate) struct LastStrong {
    pub(crate) weak_handles_left: bool,
}

crate::sync::const_atomics_or! {
    {
        impl Counts {
            /// The counts of a shared static block (`ArcArray::default()`):
            /// one strong count that belongs to the static and is never
            /// released, so that the strong count never reaches 0 and the
            /// block is never freed, and the strong handles' weak count.
            pub(crate) const fn new_static() -> Self {
                Counts {
                    word: AtomicU64::new(ONE_EACH),
                }
            }
        }
    } else {}
}

impl Counts {
    /// The counts of a new block: one strong handle, and the one weak count
    /// all strong handles hold together.
    pub(crate) fn new() -> Self {
        Counts {
            word: AtomicU64::new(ONE_EACH),
        }
    }

    /// Marks the end of the counts' life, just before their block is freed:
    /// under loom this checks that every count operation of every thread
    /// happened before (see `sync::atomic::before_free`).
    ///
    /// # Safety
    ///
    /// `this` points to the counts of a block whose last count of any kind
    /// the caller holds, and that the caller is about to free.
    pub(crate) unsafe fn before_free(this: *mut Counts) {
        // SAFETY: live, and no other thread touches them again (caller).
        unsafe { before_free(&raw mut (*this).word) }
    }

    /// The number of strong handles (a snapshot).
    #[inline]
    pub(crate) fn strong(&self) -> usize {
        // Relaxed: a snapshot that may be stale by the time it is read; no
        // memory is accessed on the strength of it.
        to_usize(strong_of(self.word.load(Relaxed)))
    }

    /// The number of weak handles (a snapshot), read from a strong handle.
    #[inline]
    pub(crate) fn weak(&self) -> usize {
        // Relaxed: a snapshot, as `strong`. Minus the one weak count of the
        // strong handles, which the caller's handle keeps held.
        to_usize(weak_of(self.word.load(Relaxed)) - 1)
    }

    /// The weak count as a weak handle sees it: 0 once no strong handle is
    /// left (as `std::sync::Weak::weak_count`). Never a value that was not
    /// true at some point: both counts come from one load, so with two weak
    /// handles it is 2 or, once the last strong handle is gone, 0, never 1.
    #[inline]
    pub(crate) fn weak_from_weak(&self) -> usize {
        // Relaxed: a snapshot, as `strong`; one load reads both halves as
        // they were at one point of the word's modification order.
        let word = self.word.load(Relaxed);
        if strong_of(word) == 0 {
            0
        } else {
            // Minus the strong handles' weak count, held while any is.
            to_usize(weak_of(word) - 1)
        }
    }

    /// `clone` of a strong handle.
    #[inline]
    pub(crate) fn increment_strong(&self) {
        self.increment(STRONG, strong_of);
    }

    /// Adds `one` (a strong or a weak count) and aborts if the half it
    /// raised, which `half_of` reads, was past the limit.
    #[inline]
    fn increment(&self, one: u64, half_of: fn(u64) -> u64) {
        // Relaxed: the new handle is made from an existing one, whose
        // holder already sees the data; passing the handle to another thread
        // brings its own synchronisation. (Boost's and std's argument.) A
        // uniqueness check cannot miss a `downgrade`: it reads both counts
        // in one access, and the downgrading strong handle counts until it
        // is dropped, after this increment in the word's order.
        let old = self.word.fetch_add(one, Relaxed);
        if half_of(old) > MAX_COUNT {
            crate::sync::abort();
        }
    }

    /// `drop` of a strong handle. Returns `Some` for the last one, which
    /// must then drop the label and the elements and end the strong
    /// handles' hold on the block as the answer says
    /// (`ArcBlock::release_last_strong`).
    #[inline]
    pub(crate) fn decrement_strong(&self) -> Option<LastStrong> {
        // Release: this handle's reads of the data happen before the
        // decrement, which the last handle's Acquire fence below pairs with,
        // so no read races the destructor.
        let old = self.word.fetch_sub(STRONG, Release);
        if strong_of(old) != 1 {
            return None;
        }
        // Acquire: pairs with every other handle's Release decrement, of
        // either count (one word: while it is shared, every change to it is
        // a read-modify-write on the way to ours), so the last weak handle's accesses, if one
        // was dropped, happen before a free on the strength of `old`.
        acquire_fence(&self.word);
        Some(LastStrong {
            // More than the strong handles' own weak count: a weak handle
            // existed at our decrement. If none did, none can appear.
            weak_handles_left: weak_of(old) != 1,
        })
    }

    /// `clone` of a weak handle.
    #[inline]
    pub(crate) fn increment_weak(&self) {
        self.increment(WEAK, weak_of);
    }

    /// `downgrade`: a new weak handle from a strong one, the same step.
    #[inline]
    pub(crate) fn downgrade(&self) {
        self.increment_weak();
    }

    /// `drop` of a weak handle, or of the weak count the strong handles
    /// hold. Returns `true` for the last one, which must free the block.
    #[inline]
    pub(crate) fn decrement_weak(&self) -> bool {
        // Release: everything this holder did to the block (the last strong
        // handle's destructor runs before it drops the shared weak count)
        // happens before the fence of whoever frees the block.
        let old = self.word.fetch_sub(WEAK, Release);
        // The last weak count: the strong handles' one is gone too (it is
        // held while the strong count is above 0).
        if weak_of(old) != 1 {
            return false;
        }
        // Acquire: pairs with every other holder's Release decrement.
        acquire_fence(&self.word);
        true
    }

    /// `upgrade`: a new strong handle from a weak one, unless the last
    /// strong handle is gone (a count of 0 is never resurrected, with one
    /// exception: a claim whose move of the contents unwound gives its
    /// count back, `restore_unique`, having written nothing).
    #[inline]
    pub(crate) fn upgrade(&self) -> bool {
        // No load first: the first CAS reads the word (a failed one returns
        // it, as a load would), from a guess of one strong handle besides
        // ours. One access fewer when the guess is right; and a model
        // checker sees the race at once (loom explores a thread that loads
        // before its read-modify-write too little: tokio-rs/loom#392).
        let mut current = ONE_EACH + WEAK;
        loop {
            // Relaxed, as `increment_strong`: the count read is at least 1,
            // so the contents are initialised and shared, and every write to
            // them happened before a handle (and so this weak one) was
            // passed to this thread. std uses Acquire here only to pair with
            // `Arc::new_cyclic`, which this crate does not have (SAFETY.md).
            // A weak count changing beside it fails the CAS too: we retry.
            match self
                .word
                .compare_exchange_weak(current, current + STRONG, Relaxed, Relaxed)
            {
                Ok(_) => return true,
                Err(seen) => current = seen,
            }
            if strong_of(current) == 0 {
                return false;
            }
            if strong_of(current) > MAX_COUNT {
                crate::sync::abort();
            }
        }
    }

    /// Whether the caller's strong handle is the only handle of any kind:
    /// one atomic access (a CAS) to both counts, so no `downgrade` can slip
    /// in between a read of one and a read of the other.
    #[inline]
    pub(crate) fn is_unique(&self) -> bool {
        // A CAS that writes back what it read, not a load: the same answer,
        // but a model checker then sees every race with it (loom explores
        // a plain load against another thread's load-then-CAS too little:
        // tokio-rs/loom#392); std's `is_unique` takes a lock with a CAS.
        // Acquire on success: pairs with the Release decrements of the
        // other strong handles and of the last weak handle dropped, so their
        // holders' reads (and a weak holder's upgrades) happen before we
        // hand out `&mut`. Relaxed on failure: we give up.
        self.word
            .compare_exchange(ONE_EACH, ONE_EACH, Acquire, Relaxed)
            .is_ok()
    }

    /// Takes the strong count from 1 to 0 if the caller's handle is the
    /// only strong one (`make_mut`, `try_unique`), whatever the weak count.
    /// On success no weak handle can upgrade any more; the caller then calls
    /// [`Counts::weak_handles_left`] (which synchronises with the other
    /// handles: the claim does not) before it touches the contents, and
    /// either [`Counts::restore_unique`] or [`Counts::decrement_weak`].
    #[inline]
    pub(crate) fn claim_unique(&self) -> bool {
        // No load first, as `upgrade`: the first CAS reads the word, from a
        // guess of no weak handle (the common case, then one access).
        let mut current = ONE_EACH;
        loop {
            // Relaxed, success and failure: the caller's next access, before
            // it touches the contents, is `weak_handles_left`'s Acquire load
            // of this word, which makes the edge from the other strong
            // handles' Release decrements (it reads our write or a later
            // one, and every change to the word while it is shared is a
            // read-modify-write, so those decrements head release sequences
            // that reach what it reads). An Acquire here would make the same
            // edge a second time: no model fails without it (SAFETY.md).
            // A weak count changing beside the strong count fails the CAS
            // too: we retry, or give up without accessing anything.
            match self
                .word
                .compare_exchange_weak(current, current - STRONG, Relaxed, Relaxed)
            {
                Ok(_) => return true,
                Err(seen) => current = seen,
            }
            if strong_of(current) != 1 {
                return false;
            }
        }
    }

    /// Once the strong count is 0 (a successful claim, or the last strong
    /// decrement of `into_unique`), whether weak handles still exist. If none does, none can appear (there is no
    /// strong handle to downgrade, and a weak one to clone would keep the
    /// count above 1), so the caller owns the block outright and reuses it
    /// in place.
    #[inline]
    pub(crate) fn weak_handles_left(&self) -> bool {
        // Acquire: pairs with the Release decrements of the other strong
        // handles (their reads happen before our writes: the claim before
        // this is Relaxed) and of the last weak handle dropped, so
        // everything its holder did with the block (count operations,
        // upgrades and their reads) happens before our writes.
        // This load cannot read a 1 from before a weak handle was made:
        // every `downgrade` precedes, in the word's modification order, its
        // own strong handle's decrement, which precedes the claim (or the
        // last decrement), and a load reads the claim's value or a later
        // one (coherence).
        weak_of(self.word.load(Acquire)) != 1
    }

    /// After a claim that found no weak handle, or whose move of the
    /// contents to a new block unwound before copying anything: the
    /// caller's handle is again the one strong handle.
    #[inline]
    pub(crate) fn restore_unique(&self) {
        // A read-modify-write, not a store: after a failed move, weak
        // handles may change the weak half meanwhile.
        // Relaxed: after a claim that found no weak handle, no other handle
        // of any kind exists (the strong count was claimed and no weak
        // handle is left to upgrade or clone), so no thread reads this
        // before the caller passes a handle on, which brings its own
        // synchronisation. After a failed move, weak handles may upgrade
        // on the strength of it, but the caller wrote nothing since its
        // claim: what they then read was written before a handle reached
        // them, as for any upgrade. std's Release here pairs with its
        // `upgrade` Acquire for `new_cyclic` (SAFETY.md).
        self.word.fetch_add(STRONG, Relaxed);
    }

    /// The capacity a unique block records: while a `UniqueArcArray`
    /// holds a block with room past its length, the whole word holds the
    /// counts of one strong handle and no weak handle plus the number of
    /// element slots allocated; a full block (and every block not grown as
    /// a unique array) holds just those counts, and records 0: its capacity
    /// is its length. The length can then change without this word while
    /// the capacity stays (a `push` writes the length alone).
    ///
    /// Relaxed: only the unique handle reads or writes the word while it
    /// exists (no other handle of any kind exists, and none can appear:
    /// there is no strong handle to clone or downgrade and no weak handle
    /// to upgrade), and it came to the handle with the synchronisation of
    /// whatever passed it on.
    #[inline]
    pub(crate) fn unique_capacity(&self) -> usize {
        // The capacity fits a `usize`: `set_unique_capacity` stored it.
        to_usize(self.word.load(Relaxed) - ONE_EACH)
    }

    /// Records the capacity of a unique block (see
    /// [`Counts::unique_capacity`]); `0` makes the word the counts of a
    /// full block with its one strong handle, or of a block about to be
    /// shared.
    #[inline]
    pub(crate) fn set_unique_capacity(&self, cap: usize) {
        // Relaxed: as `unique_capacity`. `cap` is at most `isize::MAX`
        // (a count of element slots of non-zero size in one allocation),
        // so the sum stays below 2^64 on every target.
        self.word.store(ONE_EACH + cap as u64, Relaxed);
    }
}

// White-box tests of the overflow guards: they start a count at the limit,
// which no public API can do without leaking 2^31 handles.
#[cfg(all(test, not(any(loom, shuttle, miri))))]
#[path = "counts_tests.rs"]
mod tests;
