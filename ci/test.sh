#!/usr/bin/env bash
# The stable checks: formatting, clippy (with the unsafe-documentation and
# single-allocator lints from Cargo.toml and .clippy.toml), the test suite
# exactly as the README gives it (`cargo test`: unit, integration and doc
# tests) and again with every feature, the no_std build, the examples,
# and rustdoc with warnings denied.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "+ $*" >&2; "$@"; }

run cargo fmt --all -- --check
run cargo clippy --all-targets -- -D warnings
run cargo clippy --all-targets --all-features -- -D warnings
# The library also passes clippy::pedantic, with no lint allowed.
run cargo clippy --lib --all-features -- -D warnings -W clippy::pedantic
run cargo test
run cargo test --all-features
# The no_std configuration: alloc only.
run cargo build -p heaparray --no-default-features
# A target without 64-bit atomics (32-bit Arm), where the count word is
# crossbeam-utils' `AtomicCell<u64>` (src/sync.rs): it builds, no_std.
if ! rustup target list --installed | grep -qx thumbv7m-none-eabi; then
    run rustup target add thumbv7m-none-eabi
fi
run cargo build -p heaparray --no-default-features --target thumbv7m-none-eabi
# The MSRV (Cargo.toml's rust-version, README "Try it"): the library with
# every feature, and without std, on that toolchain.
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
if ! rustup run "$msrv" rustc --version >/dev/null 2>&1; then
    run rustup toolchain install "$msrv" --profile minimal
fi
run cargo "+$msrv" build -p heaparray --lib --all-features
run cargo "+$msrv" build -p heaparray --lib --no-default-features
run cargo clippy -p heaparray --no-default-features --features serde -- -D warnings
# The examples in the dev profile, whose binaries the two `cargo test` runs
# above have already built (a `--release` run built the crate and every
# dependency once more, 34 s of this script on an idle machine, to run
# programs that take a second); debug assertions and overflow checks on.
for example in model_weights symbols config arena; do
    run cargo run --example "$example"
done
run cargo run --all-features --example hot_reload
# The tour (README, "Try it"): the example of the workspace's tour/
# package, which builds only heaparray and rayon (the formatting and
# clippy runs above cover it: it is a default member); in the dev profile
# here, as the examples.
run cargo run --example tour
# The peer benchmarks (compare and criterion over benches/workloads.rs): a
# crate of their own, outside the workspace, checked so that they cannot
# rot; measured by hand (`cargo run --release --manifest-path
# benches/Cargo.toml --bin compare`; criterion's release build is too slow
# for here, so it is only linted).
run cargo fmt --manifest-path benches/Cargo.toml -- --check
run cargo clippy --manifest-path benches/Cargo.toml --all-targets --all-features -- -D warnings
# And compare runs once, one round of each workload (`--quick`, which skips
# the two that need gigabytes), in release as it is meant to run: the
# harness cannot rot, though its figures here measure nothing.
run cargo run --release --manifest-path benches/Cargo.toml --bin compare -- --quick
RUSTDOCFLAGS="-D warnings" run cargo doc --no-deps --all-features
# As docs.rs builds them (nightly, `--cfg docsrs`): each feature-gated item
# shows its feature.
RUSTDOCFLAGS="--cfg docsrs -D warnings" run cargo +nightly doc --no-deps --all-features
# The crate as it would be published builds on its own.
run cargo package -p heaparray --allow-dirty
# The SAFETY-comment audit, where the shared tools are checked out beside us.
if [ -x ../shared/tools/unsafe-audit ]; then
    run ../shared/tools/unsafe-audit src
fi
