//! Sharing read-only model weights across rayon workers.
//!
//! The weights of a small linear model live in one `ArcArray<f32, Shape>`:
//! the label says how to read the flat buffer. Every worker holds a one-word
//! handle to the same block; nothing is copied.
//!
//! Run with `cargo run --release --example model_weights`.

use heaparray::*;
use rayon::prelude::*;

/// How the flat weight buffer is laid out.
#[derive(Debug)]
struct Shape {
    inputs: usize,
    outputs: usize,
}

/// A model: a one-word handle to its weights and shape.
#[derive(Clone)]
struct Model {
    weights: ArcArray<f32, Shape>,
}

impl Model {
    fn new(inputs: usize, outputs: usize) -> Self {
        let weights = ArcArray::with_label(Shape { inputs, outputs }, inputs * outputs, |_, i| {
            ((i % 7) as f32 - 3.0) * 0.01
        });
        Model { weights }
    }

    /// `outputs = W · input`, reading the shared weights.
    fn infer(&self, input: &[f32]) -> Vec<f32> {
        let Shape { inputs, outputs } = *self.weights.get_label();
        (0..outputs)
            .map(|o| {
                let row = &self.weights[o * inputs..(o + 1) * inputs];
                row.iter().zip(input).map(|(w, x)| w * x).sum()
            })
            .collect()
    }
}

fn main() {
    let model = Model::new(256, 16);
    let batch: Vec<Vec<f32>> = (0..10_000)
        .map(|b| (0..256).map(|i| ((b + i) % 13) as f32).collect())
        .collect();

    // Each rayon task gets its own clone of the model: one atomic increment.
    let argmaxes: Vec<usize> = batch
        .par_iter()
        .map_with(model.clone(), |model, input| {
            let out = model.infer(input);
            (0..out.len())
                .max_by(|&a, &b| out[a].total_cmp(&out[b]))
                .unwrap()
        })
        .collect();

    let mut histogram = [0usize; 16];
    for a in &argmaxes {
        histogram[*a] += 1;
    }
    println!(
        "{} inputs classified by {:?}",
        argmaxes.len(),
        model.weights.get_label()
    );
    println!("class histogram: {histogram:?}");
    println!(
        "weights: {} floats in one block, handle {} bytes; strong count after the workers: {}",
        model.weights.len(),
        std::mem::size_of::<Model>(),
        ArcArray::strong_count(&model.weights)
    );
}
