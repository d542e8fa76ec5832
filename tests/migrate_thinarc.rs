//! A user's migration from triomphe's `ThinArc<H, T>` (a header and a slice
//! behind one thin pointer, as rowan's green tree keeps its nodes) to
//! `CompactArcArray<T, H>`, written as that user writes it: with the glob
//! import and without. The mapping, line by line:
//!
//! - `ThinArc<Head, Child>` → `CompactArcArray<Child, Head>` (the header is
//!   the label; the same 16 bytes of counts and length before it);
//! - `ThinArc::from_header_and_iter(h, iter)` →
//!   `CompactArcArray::from_label_and_iter(h, iter)`;
//! - `arc.header.header` → `arc.get_label()`, `arc.slice` → `&*arc`;
//! - `ArcBorrow<'a, T>` → `CompactArcArrayBorrow<'a, E, L>`,
//!   `Arc::borrow_arc(&a)` → `CompactArcArray::borrow(&a)`, and
//!   `clone_arc()` keeps its name;
//! - `Arc::count` → `CompactArcArray::strong_count`, `Arc::ptr_eq` →
//!   `CompactArcArray::ptr_eq`;
//! - a header fixed up while unique → `get_mut_with_label`.
//!
//! Children and labels own heap memory where they can (`Box<str>` kinds),
//! so Miri sees every access.
#![cfg(not(any(loom, shuttle)))]

/// The green tree, with `use heaparray::*`.
mod glob {
    use heaparray::*;
    use std::collections::HashSet;

    #[derive(Clone, Debug, PartialEq, Eq, Hash)]
    pub struct Head {
        pub kind: Box<str>,
        pub text_len: u32,
    }

    /// A token: its kind, then its text's bytes.
    pub type Token = CompactArcArray<u8, Box<str>>;
    /// A node: its head, then its children.
    pub type Node = CompactArcArray<Child, Head>;

    #[derive(Clone, Debug, PartialEq, Eq, Hash)]
    pub enum Child {
        Node(Node),
        Token(Token),
    }

    impl Child {
        fn text_len(&self) -> u32 {
            match self {
                Child::Node(n) => n.get_label().text_len,
                Child::Token(t) => u32::try_from(t.len()).unwrap(),
            }
        }
    }

    /// Builds nodes and tokens through a hash-consing cache, as rowan's
    /// `NodeCache` does: an identical subtree is made once and shared.
    #[derive(Default)]
    pub struct Cache {
        nodes: HashSet<Node>,
        tokens: HashSet<Token>,
    }

    impl Cache {
        pub fn token(&mut self, kind: &str, text: &str) -> Token {
            let token = Token::from_label_and_iter(kind.into(), text.bytes());
            shared(&mut self.tokens, token)
        }

        pub fn node(&mut self, kind: &str, children: Vec<Child>) -> Node {
            let text_len = children.iter().map(Child::text_len).sum();
            let head = Head {
                kind: kind.into(),
                text_len,
            };
            // Was `ThinArc::from_header_and_iter(head, children.into_iter())`:
            // anything whose iterator knows its length will do.
            let node = Node::from_label_and_iter(head, children);
            shared(&mut self.nodes, node)
        }
    }

    /// The cached equal of `new`, or `new`, now cached.
    fn shared<T: Clone + Eq + std::hash::Hash>(cache: &mut HashSet<T>, new: T) -> T {
        if let Some(old) = cache.get(&new) {
            return old.clone();
        }
        cache.insert(new.clone());
        new
    }

    /// The text under a node, through borrowed nodes (was `ArcBorrow`).
    pub fn text(node: CompactArcArrayBorrow<'_, Child, Head>, out: &mut String) {
        for child in node.as_slice() {
            match child {
                Child::Node(n) => text(CompactArcArray::borrow(n), out),
                Child::Token(t) => out.push_str(std::str::from_utf8(t).unwrap()),
            }
        }
    }

    /// A cursor keeps a borrow and makes an owner when asked (was
    /// `ArcBorrow::clone_arc`): the first child node of `kind`, owned.
    pub fn find(node: CompactArcArrayBorrow<'_, Child, Head>, kind: &str) -> Option<Node> {
        if &*node.get_label().kind == kind {
            return Some(node.clone_arc());
        }
        node.as_slice().iter().find_map(|child| match child {
            Child::Node(n) => find(CompactArcArray::borrow(n), kind),
            Child::Token(_) => None,
        })
    }

    /// `let x = 1 + 1;` as a tree: the two `1` literals are one node.
    pub fn sample(cache: &mut Cache) -> Node {
        let literal = |cache: &mut Cache| {
            let one = cache.token("INT", "1");
            cache.node("LITERAL", vec![Child::Token(one)])
        };
        let (a, b) = (literal(cache), literal(cache));
        let plus = cache.token("PLUS", " + ");
        let expr = cache.node(
            "BIN_EXPR",
            vec![Child::Node(a), Child::Token(plus), Child::Node(b)],
        );
        let let_kw = cache.token("LET_KW", "let x = ");
        let semi = cache.token("SEMI", ";");
        cache.node(
            "LET_STMT",
            vec![Child::Token(let_kw), Child::Node(expr), Child::Token(semi)],
        )
    }
}

#[test]
fn a_green_tree_builds_shares_and_walks_with_the_glob_import() {
    use glob::{find, sample, text, Cache, Child};
    use heaparray::*;

    let mut cache = Cache::default();
    let root = sample(&mut cache);
    assert_eq!(&*root.get_label().kind, "LET_STMT");
    assert_eq!(root.get_label().text_len, 14);
    let mut out = String::new();
    text(CompactArcArray::borrow(&root), &mut out);
    assert_eq!(out, "let x = 1 + 1;");

    // The two literals are one block, held by the expression twice and
    // by the cache once.
    let expr = find(CompactArcArray::borrow(&root), "BIN_EXPR").unwrap();
    let (Child::Node(a), Child::Node(b)) = (&expr[0], &expr[2]) else {
        panic!("the expression's operands are nodes");
    };
    assert!(CompactArcArray::ptr_eq(a, b));
    assert_eq!(CompactArcArray::strong_count(a), 3);

    // The same tree again comes from the cache: equal and the same block.
    let again = sample(&mut cache);
    assert_eq!(again, root);
    assert!(CompactArcArray::ptr_eq(&again, &root));

    // Nodes of different kinds over the same children are not equal: the
    // label takes part in `==` and `Hash`.
    let mut other = Cache::default();
    let one = other.token("INT", "1");
    let lit = other.node("LITERAL", vec![Child::Token(one.clone())]);
    let paren = other.node("PAREN", vec![Child::Token(one)]);
    assert_ne!(lit, paren);
}

#[test]
fn a_header_fixed_up_while_unique_without_the_glob_import() {
    use heaparray::{CompactArcArray, CompactArcArrayBorrow};

    // Built with a placeholder length, fixed once the children are known,
    // as long as no other handle exists.
    let mut node: CompactArcArray<Box<str>, (Box<str>, u32)> =
        CompactArcArray::from_label_and_iter(("ROOT".into(), 0), ["ab".into(), "cde".into()]);
    let (head, children) = CompactArcArray::get_mut_with_label(&mut node).unwrap();
    head.1 = children
        .iter()
        .map(|c| u32::try_from(c.len()).unwrap())
        .sum();
    children[0] = "AB".into();
    assert_eq!(node.get_label().1, 5);
    assert_eq!(&*node[0], "AB");

    // Shared, it is frozen: `get_mut_with_label` refuses, and a borrow
    // makes owners with one count each.
    let borrowed: CompactArcArrayBorrow<'_, Box<str>, (Box<str>, u32)> =
        CompactArcArray::borrow(&node);
    let owner = borrowed.clone_arc();
    assert_eq!(CompactArcArray::strong_count(&node), 2);
    assert!(CompactArcArray::get_mut_with_label(&mut node).is_none());
    drop(owner);
    assert!(CompactArcArray::get_mut_with_label(&mut node).is_some());

    // An iterator that lies about its length: a clear panic, nothing
    // leaks (Miri's leak check sees the owning label and elements), and
    // the `try_` form says what happened.
    let lying = || LyingLen(["x".into()].into_iter(), 2);
    let panic = std::panic::catch_unwind(|| {
        CompactArcArray::<Box<str>, Box<str>>::from_label_and_iter("label".into(), lying())
    })
    .unwrap_err();
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap();
    assert!(message.contains('2') && message.contains('1'), "{message}");
    let err =
        CompactArcArray::<Box<str>, Box<str>>::try_from_label_and_iter("label".into(), lying())
            .unwrap_err();
    assert!(
        matches!(
            err,
            heaparray::TryReserveError::LengthMismatch {
                expected: 2,
                yielded: 1
            }
        ),
        "{err:?}"
    );
}

/// An iterator that reports a length it does not keep.
struct LyingLen<I>(I, usize);

impl<I: Iterator> Iterator for LyingLen<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        self.0.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.1, Some(self.1))
    }
}

impl<I: Iterator> ExactSizeIterator for LyingLen<I> {}

#[test]
fn the_compact_tree_is_as_small_as_thin_arcs() {
    use heaparray::CompactArcArray;
    // A handle is one word, as `ThinArc`'s; `Option` of it too.
    assert_eq!(
        std::mem::size_of::<CompactArcArray<u64, u32>>(),
        std::mem::size_of::<usize>()
    );
    assert_eq!(
        std::mem::size_of::<Option<CompactArcArray<u64, u32>>>(),
        std::mem::size_of::<usize>()
    );
}
