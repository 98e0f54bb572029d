//! Bench: encoding a typical payment receipt to ESC/POS, and pushing it through a pseudo-terminal opened
//! at 115200 and 9600 baud, next to the serial line's theoretical time for the same bytes (8N1: 10 bits
//! per byte). A pty does not pace bytes at its baud setting, so the pty figures show the software path.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use servicaja_core::settings::{FlowControl, SerialSettings};
use servicaja_drivers::pty::PtyMaster;
use servicaja_drivers::transport::{Connector, SerialConnector, Transport};
use servicaja_escpos::{EscPosBuilder, TextSize, TextStyle};

fn payment_receipt() -> Vec<u8> {
    let mut b = EscPosBuilder::new(48);
    b.logo("LG")
        .text("CAJA TACNA", TextStyle::centered().bold().size(TextSize::Double))
        .text("RUC 20130098488", TextStyle::centered())
        .text("Agencia Principal Tacna - Quiosco KSK-TAC-001", TextStyle::centered())
        .separator('=')
        .text("CONSTANCIA DE PAGO DE CUOTA", TextStyle::centered().bold())
        .separator('-');
    for (label, value) in [
        ("Operación", "000123456"),
        ("Fecha y hora", "21/11/2026 18:40:12"),
        ("Cliente", "José Ñuñez Peña"),
        ("Crédito", "***********4521"),
        ("Cuota", "7 de 24"),
        ("Vencimiento", "25/11/2026"),
        ("Capital", "S/ 120.35"),
        ("Interés", "S/ 27.15"),
        ("Seguro de desgravamen", "S/ 2.50"),
        ("Cuenta de cargo", "***********6467"),
    ] {
        b.text(&format!("{label:<24}{value:>24}"), TextStyle::NORMAL);
    }
    b.separator('-')
        .text(&format!("{:<24}{:>24}", "TOTAL PAGADO", "S/ 150.00"), TextStyle::NORMAL.bold())
        .separator('-')
        .text("¿Consultas? ¡Llámenos al (052) 583658!", TextStyle::centered())
        .qr("https://www.cajatacna.com.pe/v/000123456-7F3A")
        .barcode("000123456")
        .text("Conserve esta constancia.", TextStyle::centered())
        .feed(3)
        .cut();
    b.finish().map(|d| d.bytes).unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let bytes = payment_receipt();
    c.bench_function("encode payment receipt", |b| b.iter(|| std::hint::black_box(payment_receipt())));

    for baud in [115_200u32, 9_600] {
        let theoretical = Duration::from_secs_f64(bytes.len() as f64 * 10.0 / f64::from(baud));
        println!(
            "receipt: {} bytes; theoretical time on a {baud} baud 8N1 line: {:.1} ms",
            bytes.len(),
            theoretical.as_secs_f64() * 1e3
        );
        let Ok(mut master) = PtyMaster::open() else { return };
        let settings = SerialSettings {
            port: master.slave_path().display().to_string(),
            baud,
            flow_control: FlowControl::None,
            ..Default::default()
        };
        let Ok(mut port) = SerialConnector::new(settings).connect() else { return };
        let (go, start) = mpsc::channel::<usize>();
        let (done, finished) = mpsc::channel::<Instant>();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(expected) = start.recv() {
                let mut got = 0;
                while got < expected {
                    match master.read_timeout(&mut buf, Duration::from_secs(5)) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => got += n,
                    }
                }
                let _ = done.send(Instant::now());
            }
        });
        c.bench_function(&format!("push receipt through pty at {baud} baud"), |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let _ = go.send(bytes.len());
                    let t0 = Instant::now();
                    let _ = port.write_all_bytes(&bytes);
                    let t1 = finished.recv().unwrap_or_else(|_| Instant::now());
                    total += t1.saturating_duration_since(t0);
                }
                total
            })
        });
        drop(go);
        let _ = reader.join();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
