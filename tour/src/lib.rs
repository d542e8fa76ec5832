//! The tour of heaparray is this package's example, `examples/tour.rs`:
//! `cargo run --release --example tour` from the repository's root builds
//! heaparray, rayon and the tour, and none of heaparray's
//! dev-dependencies.
