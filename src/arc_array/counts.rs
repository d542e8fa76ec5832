//! The count protocol of `ArcArray`: every atomic operation on the strong
//! and weak counts, and nothing else. SAFETY.md ("The count protocol")
//! gives, for each ordering, the happens-before edge it creates and the loom
//! model that fails when it is weakened.
//!
//! The semantics are std's `Arc`: the strong handles together hold one weak
//! count; the label and the elements go with the last strong handle, the
//! block with the last weak count. A weak count of [`LOCKED`] means a
//! uniqueness check is running (see [`Counts::is_unique`]).

use crate::sync::atomic::{
    acquire_fence, before_free, AtomicUsize,
    Ordering::{Acquire, Relaxed, Release},
};

/// The largest count we allow. Past it, `clone` and friends abort the
/// process, as std does: the count can only get there by leaking handles
/// (`mem::forget`), and aborting before it wraps keeps a use-after-free
/// impossible. `isize::MAX` leaves `isize::MAX` of headroom for threads that
/// increment before they see the overflow and abort.
const MAX_REFCOUNT: usize = isize::MAX as usize;

/// The weak count while [`Counts::is_unique`] holds it: no real count can
/// reach it (counts abort past `MAX_REFCOUNT`).
const LOCKED: usize = usize::MAX;

/// The strong and weak counts of one block.
pub(crate) struct Counts {
    strong: AtomicUsize,
    weak: AtomicUsize,
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
                    strong: AtomicUsize::new(1),
                    weak: AtomicUsize::new(1),
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
            strong: AtomicUsize::new(1),
            weak: AtomicUsize::new(1),
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
        unsafe {
            before_free(&raw mut (*this).strong);
            before_free(&raw mut (*this).weak);
        }
    }

    /// The number of strong handles (a snapshot).
    #[inline]
    pub(crate) fn strong(&self) -> usize {
        // Relaxed: a snapshot that may be stale by the time it is read; no
        // memory is accessed on the strength of it.
        self.strong.load(Relaxed)
    }

    /// The number of weak handles (a snapshot), read from a strong handle.
    #[inline]
    pub(crate) fn weak(&self) -> usize {
        // Relaxed: a snapshot, as `strong`.
        match self.weak.load(Relaxed) {
            // A uniqueness check holds the lock: it only locks when the
            // count is 1, that is when there are no weak handles.
            LOCKED => 0,
            // Minus the one weak count of the strong handles.
            count => count - 1,
        }
    }

    /// The weak count as a weak handle sees it: 0 once no strong handle is
    /// left (as `std::sync::Weak::weak_count`). Never a value that was not
    /// true at some point: with two weak handles it is 2 or, once the last
    /// strong handle is gone, 0, never 1.
    #[inline]
    pub(crate) fn weak_from_weak(&self) -> usize {
        // Acquire: if this reads the weak count after the last strong
        // handle released the strong handles' weak count, it pairs with
        // that Release decrement, so the strong load below sees the strong
        // count's 0, which came before it; with Relaxed it could read a
        // stale strong count of 1 and report the strong handles' weak count
        // as a weak handle (as std's `Weak::weak_count` loads Acquire). The
        // lock cannot be held: it is only taken while no weak handle
        // exists, and we are one.
        let weak = self.weak.load(Acquire);
        // Relaxed: ordered by the Acquire above where it matters.
        if self.strong.load(Relaxed) == 0 {
            0
        } else {
            weak - 1
        }
    }

    /// `clone` of a strong handle.
    #[inline]
    pub(crate) fn increment_strong(&self) {
        // Relaxed: the new handle is made from an existing one, whose
        // holder already sees the data; passing the handle to another thread
        // brings its own synchronisation. (Boost's and std's argument.)
        let old = self.strong.fetch_add(1, Relaxed);
        if old > MAX_REFCOUNT {
            crate::sync::abort();
        }
    }

    /// `drop` of a strong handle. Returns `true` for the last one, which
    /// must then drop the label and the elements and call
    /// [`Counts::decrement_weak`] for the weak count the strong handles held.
    #[inline]
    pub(crate) fn decrement_strong(&self) -> bool {
        // Release: this handle's reads of the data happen before the
        // decrement, which the last handle's Acquire fence below pairs with,
        // so no read races the destructor.
        if self.strong.fetch_sub(1, Release) != 1 {
            return false;
        }
        // Acquire: pairs with every other handle's Release decrement.
        acquire_fence(&self.strong);
        true
    }

    /// `clone` of a weak handle.
    #[inline]
    pub(crate) fn increment_weak(&self) {
        // Relaxed: made from an existing weak handle, as `increment_strong`.
        // The lock cannot be held: it needs the weak count to be 1.
        let old = self.weak.fetch_add(1, Relaxed);
        if old > MAX_REFCOUNT {
            crate::sync::abort();
        }
    }

    /// `downgrade`: a new weak handle from a strong one. Waits while a
    /// uniqueness check holds the weak count.
    #[inline]
    pub(crate) fn downgrade(&self) {
        // Relaxed: only a guess for the CAS below.
        let mut current = self.weak.load(Relaxed);
        loop {
            if current == LOCKED {
                crate::sync::spin_loop();
                // Relaxed: another guess.
                current = self.weak.load(Relaxed);
                continue;
            }
            if current > MAX_REFCOUNT {
                crate::sync::abort();
            }
            // Acquire on success: pairs with the Release unlock in
            // `is_unique`, so that check's strong-count load happens before
            // our later strong decrement and cannot read it (a
            // load-buffering cycle, which loom cannot see: SAFETY.md,
            // "Orderings loom cannot see"). Relaxed on failure: we retry.
            match self
                .weak
                .compare_exchange_weak(current, current + 1, Acquire, Relaxed)
            {
                Ok(_) => return,
                Err(seen) => current = seen,
            }
        }
    }

    /// `drop` of a weak handle, or of the weak count the strong handles
    /// hold. Returns `true` for the last one, which must free the block.
    #[inline]
    pub(crate) fn decrement_weak(&self) -> bool {
        // Release: everything this holder did to the block (the last strong
        // handle's destructor runs before it drops the shared weak count)
        // happens before the fence of whoever frees the block.
        if self.weak.fetch_sub(1, Release) != 1 {
            return false;
        }
        // Acquire: pairs with every other holder's Release decrement.
        acquire_fence(&self.weak);
        true
    }

    /// `upgrade`: a new strong handle from a weak one, unless the last
    /// strong handle is gone (a count of 0 is never resurrected).
    #[inline]
    pub(crate) fn upgrade(&self) -> bool {
        // Relaxed: only a guess for the CAS below.
        let mut current = self.strong.load(Relaxed);
        loop {
            if current == 0 {
                return false;
            }
            if current > MAX_REFCOUNT {
                crate::sync::abort();
            }
            // Relaxed, as `increment_strong`: the count read is at least 1,
            // so the contents are initialised and shared, and every write to
            // them happened before a handle (and so this weak one) was
            // passed to this thread. std uses Acquire here only to pair with
            // `Arc::new_cyclic`, which this crate does not have (SAFETY.md).
            match self
                .strong
                .compare_exchange_weak(current, current + 1, Relaxed, Relaxed)
            {
                Ok(_) => return true,
                Err(seen) => current = seen,
            }
        }
    }

    /// Whether the caller's strong handle is the only handle of any kind.
    /// Locks the weak count while it reads the strong count, so that a
    /// `downgrade` from another strong handle cannot slip in between.
    #[inline]
    pub(crate) fn is_unique(&self) -> bool {
        // Acquire on success: pairs with the Release decrement of the last
        // weak handle dropped, so its holder's upgrades and reads happen
        // before we hand out `&mut`. Relaxed on failure: we give up.
        if self
            .weak
            .compare_exchange(1, LOCKED, Acquire, Relaxed)
            .is_err()
        {
            return false;
        }
        // Acquire: pairs with the Release decrements of other strong
        // handles, so their reads happen before our writes.
        let unique = self.strong.load(Acquire) == 1;
        // Release: pairs with the Acquire CAS in `downgrade` (load
        // buffering, which loom cannot see: SAFETY.md, "Orderings loom
        // cannot see").
        self.weak.store(1, Release);
        unique
    }

    /// Takes the strong count from 1 to 0 if the caller's handle is the
    /// only strong one (`make_mut`, `try_unique`). On success no weak handle
    /// can upgrade any more; the caller then calls [`Counts::weak_handles_left`]
    /// and either [`Counts::restore_unique`] or [`Counts::decrement_weak`].
    #[inline]
    pub(crate) fn claim_unique(&self) -> bool {
        // Acquire on success: pairs with the Release decrements of the other
        // strong handles, so their reads happen before our writes. Relaxed
        // on failure: nothing is accessed.
        self.strong.compare_exchange(1, 0, Acquire, Relaxed).is_ok()
    }

    /// Once the strong count is 0 (a successful claim, or the last strong
    /// drop), whether weak handles still exist. If none does, none can
    /// appear (there is no strong handle to downgrade, and a weak one to
    /// clone would keep the count above 1), so the caller owns the block
    /// outright: a claim reuses it in place, the last strong drop frees it
    /// without the second read-modify-write.
    #[inline]
    pub(crate) fn weak_handles_left(&self) -> bool {
        // Acquire: pairs with the Release decrement of the last weak handle
        // dropped, so everything its holder did with the block (count
        // operations, upgrades and their reads) happens before our writes
        // or our free. Every `downgrade` happened before its strong
        // handle's Release decrement, which the claim or the last drop's
        // fence acquired, so this load cannot read a 1 from before a weak
        // handle was made.
        self.weak.load(Acquire) != 1
    }

    /// After a claim that found no weak handle, or whose move of the
    /// contents to a new block unwound before copying anything: the
    /// caller's handle is again the one strong handle.
    #[inline]
    pub(crate) fn restore_unique(&self) {
        // Relaxed: after a claim that found no weak handle, no other handle
        // of any kind exists (the strong count was claimed and no weak
        // handle is left to upgrade or clone), so no thread reads this
        // store before the caller passes a handle on, which brings its own
        // synchronisation. After a failed move, weak handles may upgrade
        // on the strength of it, but the caller wrote nothing since its
        // claim: what they then read was written before a handle reached
        // them, as for any upgrade. std's Release here pairs with its
        // `upgrade` Acquire for `new_cyclic` (SAFETY.md).
        self.strong.store(1, Relaxed);
    }

    /// The capacity a unique block records: while a `UniqueArcArray`
    /// holds a block with room past its length, the strong word holds 1
    /// plus the number of element slots allocated; a full block (and every
    /// block not grown as a unique array) holds 1, the counts of a shared
    /// block with one strong handle, and records 0: its capacity is its
    /// length. The length can then change without this word while the
    /// capacity stays (a `push` writes the length alone).
    ///
    /// Relaxed: only the unique handle reads or writes the word while it
    /// exists (no other handle of any kind exists, and none can appear:
    /// there is no strong handle to clone or downgrade and no weak handle
    /// to upgrade), and it came to the handle with the synchronisation of
    /// whatever passed it on.
    #[inline]
    pub(crate) fn unique_capacity(&self) -> usize {
        self.strong.load(Relaxed) - 1
    }

    /// Records the capacity of a unique block (see
    /// [`Counts::unique_capacity`]); `0` makes the word the one strong
    /// count of a full block, or of a block about to be shared.
    #[inline]
    pub(crate) fn set_unique_capacity(&self, cap: usize) {
        // Relaxed: as `unique_capacity`. `cap` is at most `isize::MAX`
        // (a count of element slots of non-zero size in one allocation),
        // so the sum cannot overflow.
        self.strong.store(cap + 1, Relaxed);
    }
}

// White-box tests of the overflow guards: they start a count at the limit,
// which no public API can do without leaking 2^63 handles.
#[cfg(all(test, not(any(loom, shuttle, miri))))]
#[path = "counts_tests.rs"]
mod tests;
