//! An interned-symbol table whose labels carry metadata.
//!
//! Each symbol is one `ArcArray<u8, SymbolInfo>`: its bytes and its
//! metadata in one allocation, handed out as a one-word handle. The table is
//! a `HashSet` of them keyed by their bytes alone, looked up by `&[u8]`, so
//! interning an existing name allocates nothing.
//!
//! A labelled array compares and hashes its label too (as a derived struct
//! would), so a table keyed by the elements alone says so with a newtype:
//! `ByName` hashes, compares and borrows the bytes and ignores the label.
//!
//! Run with `cargo run --release --example symbols`.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use heaparray::*;

/// What the table knows about a symbol.
#[derive(Debug, Clone, PartialEq)]
struct SymbolInfo {
    id: u32,
    keyword: bool,
}

/// A symbol: cheap to clone and compare by pointer.
type Symbol = ArcArray<u8, SymbolInfo>;

/// A symbol as a table key: by its bytes alone.
struct ByName(Symbol);

impl PartialEq for ByName {
    fn eq(&self, other: &Self) -> bool {
        self.0[..] == other.0[..]
    }
}
impl Eq for ByName {}
impl Hash for ByName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0[..].hash(state)
    }
}
impl Borrow<[u8]> for ByName {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

#[derive(Default)]
struct Interner {
    table: HashSet<ByName>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> Symbol {
        if let Some(found) = self.table.get(name.as_bytes()) {
            return found.0.clone();
        }
        let bytes = name.as_bytes();
        let info = SymbolInfo {
            id: self.table.len() as u32,
            keyword: matches!(name, "fn" | "let" | "if" | "else" | "return"),
        };
        let symbol = Symbol::with_label(info, bytes.len(), |_, i| bytes[i]);
        self.table.insert(ByName(symbol.clone()));
        symbol
    }
}

fn name(symbol: &Symbol) -> &str {
    std::str::from_utf8(symbol).expect("interned from a str")
}

fn main() {
    let source = "fn main ( ) { let x = 1 ; if x { return x } else { let y = x ; return y } }";
    let mut interner = Interner::default();
    let tokens: Vec<Symbol> = source
        .split_whitespace()
        .map(|t| interner.intern(t))
        .collect();

    println!(
        "{} tokens, {} distinct symbols",
        tokens.len(),
        interner.table.len()
    );
    let mut distinct: Vec<&Symbol> = interner.table.iter().map(|k| &k.0).collect();
    distinct.sort_by_key(|s| s.get_label().id);
    for s in distinct {
        let info = s.get_label();
        println!("  #{:<2} {:<7} keyword: {}", info.id, name(s), info.keyword);
    }
    let first_let = tokens.iter().find(|t| name(t) == "let").unwrap();
    let last_let = tokens.iter().rev().find(|t| name(t) == "let").unwrap();
    println!(
        "both `let` tokens share one block: {} (handles to it: {})",
        ArcArray::ptr_eq(first_let, last_let),
        ArcArray::strong_count(first_let)
    );
}
