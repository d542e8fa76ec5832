//! Smoke test of every handle.
use heaparray::*;
#[test]
fn smoke() {
    let a = ArcArray::with_label(String::from("l"), 5, |_, i| i.to_string());
    let w = ArcArray::downgrade(&a);
    let b = a.clone();
    assert_eq!(ArcArray::strong_count(&a), 2);
    assert_eq!(ArcArray::weak_count(&a), 1);
    drop(b);
    let mut a = a;
    assert!(ArcArray::get_mut(&mut a).is_none());
    ArcArray::make_mut(&mut a)[0] = "x".into();
    assert!(w.upgrade().is_none());
    let u = ArcArray::try_unique(a).unwrap();
    let a = u.shareable();
    let p = ArcArray::into_raw(a);
    let a = unsafe { ArcArray::<String, String>::from_raw(p) };
    assert_eq!(a[0], "x");
    let h: HeapArray<u64> = (0..100).filter(|x| x % 3 == 0).collect();
    let r = RcArray::from(vec![String::new(); 3]);
    let r2 = r.clone();
    let c: ArcArray<u64> = ArcArray::from(HeapArray::from(&h[..]));
    assert_eq!(&c[..], &h[..]);
    drop((r, r2));
    #[repr(align(256))]
    #[derive(Clone, Default, Debug, PartialEq)]
    struct Big(u8);
    let big = ArcArray::with_label(Big(1), 3, |_, i| Big(i as u8));
    assert_eq!(ArcArray::as_ptr(&big) as usize % 256, 0);
    let z = HeapArray::new(10, |_| ());
    assert_eq!(z.len(), 10);
    let z: ArcArray<()> = std::iter::repeat(()).take(7).collect();
    assert_eq!(z.len(), 7);
    println!("{:?}", HeapArray::with_label(3u32, 2, |_, i| i as u8));
}
