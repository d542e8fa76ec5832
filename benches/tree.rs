//! Workload 17: a syntax tree, as rowan's green tree is made, on four
//! handle types side by side (issue 22, item 5).
//!
//! The tree: about 1M tokens in nodes of 2 to 8 children (the root and
//! the nodes above the items too); a node's header is its kind and its
//! text length; its children are nodes or tokens; a token is a kind and
//! its text. It comes from a fixed pseudo-random event stream (start a
//! node, a token, finish the node), which every contender builds the way
//! rowan's `GreenNodeBuilder` does: children on a stack, a node made from
//! the stack's top at `finish_node`, and a hash-consing cache (rowan's
//! `NodeCache`) that interns every token and every node of at most 3
//! children, so that identical subtrees are one block.
//!
//! The contenders ([`Green`]):
//! - [`HeapArray`]`<P>`: `ArcArrayBase<Child, Head, P>` for nodes and
//!   `ArcArrayBase<u8, Kind, P>` for tokens, in both layouts (`ArcArray`,
//!   `CompactArcArray`): made by `from_label_and_iter` straight from the
//!   stack's drain, walked through borrowed handles (`ArcArray::borrow`,
//!   one word, no count), owned again by `clone_arc`;
//! - [`Thin`]: triomphe's `ThinArc<Head, Child>` and `ThinArc<Kind, u8>`,
//!   by `from_header_and_iter`, as rowan's own copy of it is used;
//! - [`StdArc`]: std's `Arc<[Child]>` with the header beside it in the
//!   handle (`{ head, children }`, 24 bytes), and `Arc<[u8]>` tokens with
//!   their kind beside them: what a user writes without a thin handle;
//! - [`ThinPad`], a control: `ThinArc` with 8 more header bytes, its
//!   blocks 8 bytes larger than `CompactArcArray`'s (the size they were
//!   while its header held a weak count beside the strong one).
//!
//! The measures: the build from the events (cache included, as it is in a
//! parser), a clone and drop of every node occurrence of the tree in
//! preorder (a cursor that turns a borrowed node into an owned one), a
//! recursive walk summing the tokens' text lengths, and the bytes the tree
//! holds (net of the builder's own, which it frees: [`live_bytes`]).

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use heaparray::{ArcArrayBase, ArcArrayBorrowBase, ArcLayout, Compact, Global, Padded};
use triomphe::ThinArc;

use crate::{contender, Contender};

/// A node's header: its kind and the length of its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Head {
    /// The node's kind.
    pub kind: u16,
    /// The length of the node's text: its tokens' texts, in bytes.
    pub text_len: u32,
}

/// A token's kind.
pub type Kind = u16;

/// A child of a node: a node or a token of one contender's types.
pub enum Child<G: Green> {
    /// A node.
    Node(G::Node),
    /// A token.
    Token(G::Token),
}

impl<G: Green> Clone for Child<G> {
    fn clone(&self) -> Self {
        match self {
            Child::Node(n) => Child::Node(n.clone()),
            Child::Token(t) => Child::Token(t.clone()),
        }
    }
}

/// One contender's node and token types, and what the builder, the walk
/// and the clone need of them: each written as a user of that type
/// writes it.
pub trait Green: Sized + 'static {
    /// The contender's name.
    const NAME: &'static str;
    /// An owned node.
    type Node: Clone;
    /// An owned token.
    type Token: Clone;
    /// A borrowed node, for the walk and the cursor.
    type Ref<'a>: Copy;
    /// A token of `kind` and `text`.
    fn token(kind: Kind, text: &str) -> Self::Token;
    /// A node of `head` and `children`.
    fn node(head: Head, children: impl ExactSizeIterator<Item = Child<Self>>) -> Self::Node;
    /// A borrow of `node`.
    fn borrow(node: &Self::Node) -> Self::Ref<'_>;
    /// The header of a borrowed node.
    fn head(node: Self::Ref<'_>) -> Head;
    /// The children of a borrowed node.
    fn children<'a>(node: Self::Ref<'a>) -> &'a [Child<Self>];
    /// An owned node from a borrowed one (one increment).
    fn to_owned(node: Self::Ref<'_>) -> Self::Node;
    /// The length of a token's text.
    fn token_len(token: &Self::Token) -> u32;
    /// A node's identity (its block's address), for the cache's key.
    fn node_id(node: &Self::Node) -> usize;
    /// A token's identity (its block's address), for the cache's key.
    fn token_id(token: &Self::Token) -> usize;
}

/// heaparray's `ArcArrayBase` in layout `P`: `ArcArray` ([`Padded`]) or
/// `CompactArcArray` ([`Compact`]).
pub struct HeapArray<P>(std::marker::PhantomData<P>);

/// A heaparray node.
pub type HeapNode<P> = ArcArrayBase<Child<HeapArray<P>>, Head, P, Global>;
/// A heaparray token.
pub type HeapToken<P> = ArcArrayBase<u8, Kind, P, Global>;

/// The name of each heaparray layout's contender.
pub trait Named: ArcLayout + 'static {
    /// The contender's name.
    const NAME: &'static str;
}

impl Named for Padded {
    const NAME: &'static str = "ArcArray";
}

impl Named for Compact {
    const NAME: &'static str = "CompactArcArray";
}

impl<P: Named> Green for HeapArray<P> {
    const NAME: &'static str = P::NAME;
    type Node = HeapNode<P>;
    type Token = HeapToken<P>;
    type Ref<'a> = ArcArrayBorrowBase<'a, Child<Self>, Head, P, Global>;

    #[inline]
    fn token(kind: Kind, text: &str) -> Self::Token {
        ArcArrayBase::from_label_and_iter(kind, text.bytes())
    }
    #[inline]
    fn node(head: Head, children: impl ExactSizeIterator<Item = Child<Self>>) -> Self::Node {
        ArcArrayBase::from_label_and_iter(head, children)
    }
    #[inline]
    fn borrow(node: &Self::Node) -> Self::Ref<'_> {
        ArcArrayBase::borrow(node)
    }
    #[inline]
    fn head(node: Self::Ref<'_>) -> Head {
        *node.get_label()
    }
    #[inline]
    fn children<'a>(node: Self::Ref<'a>) -> &'a [Child<Self>] {
        node.as_slice()
    }
    #[inline]
    fn to_owned(node: Self::Ref<'_>) -> Self::Node {
        node.clone_arc()
    }
    #[inline]
    fn token_len(token: &Self::Token) -> u32 {
        token.len() as u32
    }
    #[inline]
    fn node_id(node: &Self::Node) -> usize {
        node.as_ptr() as usize
    }
    #[inline]
    fn token_id(token: &Self::Token) -> usize {
        token.as_ptr() as usize
    }
}

/// triomphe's `ThinArc` with `X` beside the header: `()` for the plain
/// `ThinArc` ([`Thin`], as rowan's green tree uses its own copy; a
/// zero-sized field changes no byte), or a `u64` for the control
/// ([`ThinPad`]).
pub struct ThinWith<X>(std::marker::PhantomData<X>);

/// triomphe's `ThinArc`, as rowan's green tree uses its own copy.
pub type Thin = ThinWith<()>;

/// A control: triomphe's `ThinArc` with 8 more bytes of header (a `u64`
/// beside the node's or token's header: the weak count's worth before
/// the counts shared one word), so that its blocks are 8 bytes larger
/// than `CompactArcArray`'s; it shows what those 8 bytes cost.
pub type ThinPad = ThinWith<u64>;

/// What [`ThinWith`] puts beside the header, and the contender's name.
pub trait Pad: Copy + Default + 'static {
    const NAME: &'static str;
}

impl Pad for () {
    const NAME: &'static str = "triomphe::ThinArc";
}

impl Pad for u64 {
    const NAME: &'static str = "control: ThinArc, header + 8 bytes";
}

impl<X: Pad> Green for ThinWith<X> {
    const NAME: &'static str = X::NAME;
    type Node = ThinArc<(Head, X), Child<Self>>;
    type Token = ThinArc<(Kind, X), u8>;
    type Ref<'a> = &'a ThinArc<(Head, X), Child<Self>>;

    #[inline]
    fn token(kind: Kind, text: &str) -> Self::Token {
        ThinArc::from_header_and_iter((kind, X::default()), text.bytes())
    }
    #[inline]
    fn node(head: Head, children: impl ExactSizeIterator<Item = Child<Self>>) -> Self::Node {
        ThinArc::from_header_and_iter((head, X::default()), children)
    }
    #[inline]
    fn borrow(node: &Self::Node) -> Self::Ref<'_> {
        node
    }
    #[inline]
    fn head(node: Self::Ref<'_>) -> Head {
        node.header.header.0
    }
    #[inline]
    fn children<'a>(node: Self::Ref<'a>) -> &'a [Child<Self>] {
        &node.slice
    }
    #[inline]
    fn to_owned(node: Self::Ref<'_>) -> Self::Node {
        node.clone()
    }
    #[inline]
    fn token_len(token: &Self::Token) -> u32 {
        token.slice.len() as u32
    }
    #[inline]
    fn node_id(node: &Self::Node) -> usize {
        node.ptr() as usize
    }
    #[inline]
    fn token_id(token: &Self::Token) -> usize {
        token.ptr() as usize
    }
}

/// std's `Arc<[T]>`: the header in the handle beside the children.
pub struct StdArc;

/// A node on `Arc<[T]>`: no room for a header in the block.
#[derive(Clone)]
pub struct StdNode {
    head: Head,
    children: Arc<[Child<StdArc>]>,
}

/// A token on `Arc<[u8]>`.
#[derive(Clone)]
pub struct StdToken {
    #[allow(dead_code)]
    kind: Kind,
    text: Arc<[u8]>,
}

impl Green for StdArc {
    const NAME: &'static str = "Arc<[T]> (header in the handle)";
    type Node = StdNode;
    type Token = StdToken;
    type Ref<'a> = &'a StdNode;

    #[inline]
    fn token(kind: Kind, text: &str) -> Self::Token {
        StdToken {
            kind,
            text: Arc::from(text.as_bytes()),
        }
    }
    #[inline]
    fn node(head: Head, children: impl ExactSizeIterator<Item = Child<Self>>) -> Self::Node {
        StdNode {
            head,
            children: children.collect(),
        }
    }
    #[inline]
    fn borrow(node: &Self::Node) -> Self::Ref<'_> {
        node
    }
    #[inline]
    fn head(node: Self::Ref<'_>) -> Head {
        node.head
    }
    #[inline]
    fn children<'a>(node: Self::Ref<'a>) -> &'a [Child<Self>] {
        &node.children
    }
    #[inline]
    fn to_owned(node: Self::Ref<'_>) -> Self::Node {
        node.clone()
    }
    #[inline]
    fn token_len(token: &Self::Token) -> u32 {
        token.text.len() as u32
    }
    #[inline]
    fn node_id(node: &Self::Node) -> usize {
        node.children.as_ptr() as *const u8 as usize
    }
    #[inline]
    fn token_id(token: &Self::Token) -> usize {
        token.text.as_ptr() as usize
    }
}

// ---------------------------------------------------------------------
// The events.

/// One step of a parser's output, as rowan's builder takes it.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// Start a node of this kind.
    Start(u16),
    /// A token of this kind, its text the vocabulary's entry.
    Token(Kind, u32),
    /// Finish the innermost node.
    Finish,
}

/// A tree's events and the token texts they name.
pub struct Events {
    /// The events, one tree.
    pub events: Vec<Event>,
    /// The token texts, by index.
    pub texts: Vec<String>,
    /// Tokens in the tree (with repeats).
    pub tokens: usize,
    /// Nodes in the tree (with repeats): one per `Finish`.
    pub nodes: usize,
    /// The sum of the tokens' text lengths.
    pub text_len: u64,
}

/// A xorshift generator: deterministic, no rand dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// A number below `n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Punctuation and keywords: token kinds 1 to 24, each its own text.
const FIXED: [&str; 24] = [
    "(", ")", "{", "}", "[", "]", ";", ",", ".", ":", "::", "->", "=", "==", "+", "-", "*", "&",
    "let", "fn", "if", "else", "return", "mut",
];

/// Token kinds past [`FIXED`]'s.
const WHITESPACE: Kind = 30;
const IDENT: Kind = 31;
const NUMBER: Kind = 32;

/// A tree shape, before it is flattened into events.
enum Shape {
    Token(Kind, u32),
    Node(u16, Vec<Shape>),
}

impl Events {
    /// The events of a tree of at least `tokens` tokens (about 1M in the
    /// workload), from a fixed seed.
    ///
    /// Items (subtrees, the deeper the fewer nodes) are drawn until the tokens are
    /// enough: each node has 2 to 8 children (2 or 3 in more than half of
    /// them), of 20 kinds, each a token with a
    /// probability that grows with the depth (35% at the item's root, 95%
    /// at depth 6); a token is punctuation or a keyword (40%), whitespace
    /// (20%, 4 texts), an identifier (30%, 400 names, the
    /// first ones drawn most) or a number (10%,
    /// 100 texts), so that small subtrees repeat, as they do in source
    /// code. The items are then grouped 8 at a time (the last group 2 to
    /// 8) into nodes above them, up to one root.
    pub fn new(tokens: usize) -> Self {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut texts: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
        let ws = texts.len() as u32;
        texts.extend([" ", "\n", "\n    ", "  "].map(String::from));
        let ident = texts.len() as u32;
        texts.extend((0..400).map(|i| format!("name_{i}")));
        let number = texts.len() as u32;
        texts.extend((0..100).map(|i| format!("{}", i * 7)));
        let count = std::cell::Cell::new(0usize);
        let mut token = |rng: &mut Rng| -> Shape {
            count.set(count.get() + 1);
            match rng.below(100) {
                0..=39 => {
                    let k = rng.below(FIXED.len() as u64) as u32;
                    Shape::Token(k as Kind + 1, k)
                }
                40..=59 => Shape::Token(WHITESPACE, ws + rng.below(4) as u32),
                // Names drawn unevenly, as in code: the first few often.
                60..=89 => {
                    let bound = rng.below(400) + 1;
                    let name = rng.below(bound);
                    Shape::Token(IDENT, ident + name as u32)
                }
                _ => Shape::Token(NUMBER, number + rng.below(100) as u32),
            }
        };
        fn item(rng: &mut Rng, depth: u64, token: &mut dyn FnMut(&mut Rng) -> Shape) -> Shape {
            let kind = 100 + rng.below(20) as u16;
            // 2 children 30% of the time, 3 25%, 4 to 8 the rest.
            let n = match rng.below(100) {
                0..=29 => 2,
                30..=54 => 3,
                _ => 4 + rng.below(5),
            };
            let p = (35 + 10 * depth).min(95);
            let children = (0..n)
                .map(|_| {
                    if rng.below(100) < p {
                        token(rng)
                    } else {
                        item(rng, depth + 1, token)
                    }
                })
                .collect();
            Shape::Node(kind, children)
        }
        let mut level = Vec::new();
        while count.get() < tokens {
            level.push(item(&mut rng, 0, &mut token));
        }
        // Group the items into nodes of up to 8, until one is left.
        while level.len() > 1 {
            let mut above = Vec::with_capacity(level.len() / 8 + 1);
            let mut rest = level.into_iter().peekable();
            while rest.peek().is_some() {
                let group: Vec<Shape> = rest.by_ref().take(8).collect();
                above.push(Shape::Node(90, group));
            }
            // A last group of one joins the one before it (at most 9:
            // split it as 5 and 4).
            if let Some(Shape::Node(_, last)) = above.last() {
                if last.len() == 1 && above.len() > 1 {
                    let Some(Shape::Node(_, mut one)) = above.pop() else {
                        unreachable!()
                    };
                    let Some(Shape::Node(_, before)) = above.last_mut() else {
                        unreachable!()
                    };
                    before.append(&mut one);
                    let tail = before.split_off(5);
                    above.push(Shape::Node(90, tail));
                }
            }
            level = above;
        }
        let mut events = Events {
            events: Vec::new(),
            tokens: 0,
            nodes: 0,
            text_len: 0,
            texts,
        };
        let root = level.pop().expect("at least one item");
        events.flatten(root);
        events
    }

    /// Appends `shape`'s events.
    fn flatten(&mut self, shape: Shape) {
        match shape {
            Shape::Token(kind, text) => {
                self.tokens += 1;
                self.text_len += self.texts[text as usize].len() as u64;
                self.events.push(Event::Token(kind, text));
            }
            Shape::Node(kind, children) => {
                self.events.push(Event::Start(kind));
                for child in children {
                    self.flatten(child);
                }
                self.nodes += 1;
                self.events.push(Event::Finish);
            }
        }
    }
}

// ---------------------------------------------------------------------
// The builder, the walk, the cursor.

/// The cache's key of a node of at most 3 children: its kind, its
/// children's identities and how many there are.
type NodeKey = (u16, u8, [usize; 3]);

/// rowan's `GreenNodeBuilder` with its `NodeCache`: children on a stack,
/// every token and every node of at most 3 children interned.
pub struct Builder<'e, G: Green> {
    texts: &'e [String],
    tokens: HashMap<(Kind, u32), G::Token>,
    nodes: HashMap<NodeKey, G::Node>,
    /// The children of the open nodes, and the text length of each.
    children: Vec<(Child<G>, u32)>,
    /// The open nodes: each one's kind and where its children start.
    parents: Vec<(u16, usize)>,
}

impl<'e, G: Green> Builder<'e, G> {
    /// A builder over the texts of `events`.
    pub fn new(events: &'e Events) -> Self {
        Builder {
            texts: &events.texts,
            tokens: HashMap::new(),
            nodes: HashMap::new(),
            children: Vec::new(),
            parents: Vec::new(),
        }
    }

    /// The tree of `events` (the cache and the stacks freed after).
    pub fn build(events: &Events) -> G::Node {
        let mut b = Builder::<G>::new(events);
        for &event in &events.events {
            match event {
                Event::Start(kind) => b.parents.push((kind, b.children.len())),
                Event::Token(kind, text) => b.token(kind, text),
                Event::Finish => b.finish_node(),
            }
        }
        match b.children.pop() {
            Some((Child::Node(root), _)) if b.children.is_empty() => root,
            _ => panic!("the events make one tree"),
        }
    }

    /// Pushes the interned token of `kind` and text `text`.
    fn token(&mut self, kind: Kind, text: u32) {
        let texts = self.texts;
        let token = self
            .tokens
            .entry((kind, text))
            .or_insert_with(|| G::token(kind, &texts[text as usize]))
            .clone();
        let len = G::token_len(&token);
        self.children.push((Child::Token(token), len));
    }

    /// Makes the innermost open node from its children (or finds it in the
    /// cache) and pushes it.
    fn finish_node(&mut self) {
        let (kind, first) = self.parents.pop().expect("a node to finish");
        let text_len = self.children[first..].iter().map(|c| c.1).sum();
        let head = Head { kind, text_len };
        let count = self.children.len() - first;
        let node = if count <= 3 {
            let mut ids = [0; 3];
            for (id, (child, _)) in ids.iter_mut().zip(&self.children[first..]) {
                *id = match child {
                    Child::Node(n) => G::node_id(n),
                    Child::Token(t) => G::token_id(t),
                };
            }
            let key = (kind, count as u8, ids);
            if let Some(cached) = self.nodes.get(&key) {
                let cached = cached.clone();
                self.children.truncate(first);
                cached
            } else {
                let node = G::node(head, self.children.drain(first..).map(|c| c.0));
                self.nodes.insert(key, node.clone());
                node
            }
        } else {
            G::node(head, self.children.drain(first..).map(|c| c.0))
        };
        self.children.push((Child::Node(node), text_len));
    }
}

/// The sum of the tokens' text lengths under `node`, recursively.
pub fn walk<G: Green>(node: G::Ref<'_>) -> u64 {
    let mut sum = 0;
    for child in G::children(node) {
        sum += match child {
            Child::Node(n) => walk::<G>(G::borrow(n)),
            Child::Token(t) => u64::from(G::token_len(t)),
        };
    }
    sum
}

/// Every node occurrence under `node` (itself first), in preorder, owned.
pub fn preorder<G: Green>(node: &G::Node, out: &mut Vec<G::Node>) {
    out.push(node.clone());
    for child in G::children(G::borrow(node)) {
        if let Child::Node(n) = child {
            preorder::<G>(n, out);
        }
    }
}

/// The distinct blocks (nodes, tokens) under `node`.
pub fn distinct<G: Green>(node: &G::Node) -> (usize, usize) {
    fn go<G: Green>(
        node: &G::Node,
        nodes: &mut std::collections::HashSet<usize>,
        tokens: &mut std::collections::HashSet<usize>,
    ) {
        if !nodes.insert(G::node_id(node)) {
            return;
        }
        for child in G::children(G::borrow(node)) {
            match child {
                Child::Node(n) => go::<G>(n, nodes, tokens),
                Child::Token(t) => {
                    tokens.insert(G::token_id(t));
                }
            }
        }
    }
    let (mut nodes, mut tokens) = Default::default();
    go::<G>(node, &mut nodes, &mut tokens);
    (nodes.len(), tokens.len())
}

// ---------------------------------------------------------------------
// The workload's contenders, written once for both harnesses.

/// Runs `f` once for each of the contenders, in the order the harnesses
/// print them: `ArcArray`, `CompactArcArray`, `ThinArc`, `Arc<[T]>`, and
/// the control ([`ThinPad`]).
pub trait ForEach {
    /// What `f` makes for one contender.
    type Out;
    /// `f` for contender `G`.
    fn one<G: Green>(&mut self) -> Self::Out;
}

/// [`ForEach::one`] for every contender, in order.
pub fn for_each<F: ForEach>(f: &mut F) -> Vec<F::Out> {
    vec![
        f.one::<HeapArray<Padded>>(),
        f.one::<HeapArray<Compact>>(),
        f.one::<Thin>(),
        f.one::<StdArc>(),
        f.one::<ThinPad>(),
    ]
}

/// The build of the tree from `events` (the cache included; the tree's
/// drop not timed): one operation a tree.
pub fn build(events: &Arc<Events>) -> Vec<Contender<'static>> {
    struct F<'a>(&'a Arc<Events>);
    impl ForEach for F<'_> {
        type Out = Contender<'static>;
        fn one<G: Green>(&mut self) -> Contender<'static> {
            let events = Arc::clone(self.0);
            contender(G::NAME, move |iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let tree = black_box(Builder::<G>::build(&events));
                    total += start.elapsed();
                    drop(tree);
                }
                total
            })
        }
    }
    for_each(&mut F(events))
}

/// A clone and drop of every node occurrence of the tree in preorder,
/// each from a borrow (`to_owned`: `clone_arc` for heaparray): one
/// operation a node.
pub fn clone_drop(events: &Arc<Events>) -> Vec<Contender<'static>> {
    struct F<'a>(&'a Arc<Events>);
    impl ForEach for F<'_> {
        type Out = Contender<'static>;
        fn one<G: Green>(&mut self) -> Contender<'static> {
            let tree = Builder::<G>::build(self.0);
            let mut nodes = Vec::new();
            preorder::<G>(&tree, &mut nodes);
            drop(tree);
            assert!(!nodes.is_empty(), "a tree has a root");
            contender(G::NAME, move |iters| {
                let start = Instant::now();
                let mut left = iters as usize;
                while left > 0 {
                    let pass = left.min(nodes.len());
                    for node in &nodes[..pass] {
                        drop(black_box(G::to_owned(G::borrow(node))));
                    }
                    left -= pass;
                }
                start.elapsed()
            })
        }
    }
    for_each(&mut F(events))
}

/// A recursive walk of the tree summing its tokens' text lengths through
/// borrowed nodes: one operation a walk.
pub fn walk_tree(events: &Arc<Events>) -> Vec<Contender<'static>> {
    struct F<'a>(&'a Arc<Events>);
    impl ForEach for F<'_> {
        type Out = Contender<'static>;
        fn one<G: Green>(&mut self) -> Contender<'static> {
            let tree = Builder::<G>::build(self.0);
            let expected = self.0.text_len;
            assert_eq!(walk::<G>(G::borrow(&tree)), expected, "{}", G::NAME);
            assert_eq!(u64::from(G::head(G::borrow(&tree)).text_len), expected);
            contender(G::NAME, move |iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(walk::<G>(G::borrow(black_box(&tree))));
                }
                start.elapsed()
            })
        }
    }
    for_each(&mut F(events))
}

/// What one contender's tree holds.
#[derive(Clone, Copy, Debug)]
pub struct Held {
    /// The contender.
    pub name: &'static str,
    /// Bytes the tree holds, as requested of the allocator, plus the root
    /// handle.
    pub bytes: isize,
    /// The same in glibc's chunks (request + 8, rounded up to 16, at least
    /// 32), what the heap gives.
    pub chunk_bytes: isize,
    /// Distinct nodes and tokens (blocks) in the tree.
    pub distinct: (usize, usize),
}

/// The bytes each contender's tree holds: what its build leaves
/// allocated once the builder's cache and stacks are freed. Needs
/// [`crate::Counting`] as the global allocator.
pub fn held(events: &Arc<Events>) -> Vec<Held> {
    struct F<'a>(&'a Arc<Events>);
    impl ForEach for F<'_> {
        type Out = Held;
        fn one<G: Green>(&mut self) -> Held {
            let (tree, bytes, chunk_bytes) = crate::live_bytes(|| Builder::<G>::build(self.0));
            let handle = std::mem::size_of::<G::Node>() as isize;
            Held {
                name: G::NAME,
                bytes: bytes + handle,
                chunk_bytes: chunk_bytes + handle,
                distinct: distinct::<G>(&tree),
            }
        }
    }
    for_each(&mut F(events))
}
