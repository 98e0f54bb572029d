//! Rendering cost of every template to ESC/POS (bytes and time), and the payment voucher's time on the
//! serial line at 9600 and 115200 baud (8N1: 10 bits a byte) against the paper's own time at 200 mm/s,
//! computed from the row count and the row pitch (30 dots at 8 dots/mm, titles 54, the QR's modules).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use servicaja_receipts::render::{escpos, paper_length_mm, pdf, png, text};
use servicaja_receipts::{Columns, layout, samples};

const PAPER_SPEED_MM_PER_S: f64 = 200.0;
const BITS_PER_BYTE_8N1: f64 = 10.0;

fn figures() {
    let documents = samples::all().expect("samples");
    eprintln!(
        "\n{:<26} {:>6} {:>5} {:>8} {:>10} {:>10} {:>9}",
        "template (48 col)", "bytes", "rows", "paper mm", "9600 ms", "115200 ms", "paper ms"
    );
    for (name, document) in &documents {
        let laid_out = layout(document, Columns::C48);
        let bytes = escpos::render(&laid_out, "LG").expect("escpos").bytes.len() as f64;
        let paper_mm = paper_length_mm(&laid_out).expect("length");
        let line_ms = |baud: f64| bytes * BITS_PER_BYTE_8N1 / baud * 1000.0;
        eprintln!(
            "{name:<26} {bytes:>6} {:>5} {paper_mm:>8.1} {:>10.1} {:>10.1} {:>9.1}",
            laid_out.text_row_count(),
            line_ms(9600.0),
            line_ms(115_200.0),
            paper_mm / PAPER_SPEED_MM_PER_S * 1000.0
        );
    }
    eprintln!();
}

fn bench(c: &mut Criterion) {
    figures();
    let documents = samples::all().expect("samples");
    let mut group = c.benchmark_group("escpos");
    for (name, document) in &documents {
        group.bench_function(*name, |b| {
            b.iter(|| escpos::render(&layout(black_box(document), Columns::C48), "LG").expect("escpos"))
        });
    }
    group.finish();
    let (_, voucher) = &documents[0];
    let laid_out = layout(voucher, Columns::C48);
    let mut group = c.benchmark_group("payment_voucher");
    group.bench_function("layout", |b| b.iter(|| layout(black_box(voucher), Columns::C48)));
    group.bench_function("text", |b| b.iter(|| text::render(black_box(&laid_out))));
    group.bench_function("png", |b| b.iter(|| png::render(black_box(&laid_out)).expect("png")));
    group.bench_function("pdf", |b| b.iter(|| pdf::render(black_box(&laid_out), "voucher").expect("pdf")));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
