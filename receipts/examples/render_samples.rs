//! Writes every sample document as text, ESC/POS bytes, PNG and PDF into a directory, to look at:
//! `cargo run -p servicaja-receipts --example render_samples -- /tmp/receipts [48|42|32]`.

use std::path::PathBuf;

use servicaja_receipts::render::{escpos, pdf, png, text};
use servicaja_receipts::{Columns, layout, samples};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "receipts-out".into()));
    let columns = Columns::new(args.next().map(|count| count.parse()).transpose()?.unwrap_or(48))?;
    std::fs::create_dir_all(&dir)?;
    for (name, document) in samples::all()? {
        let laid_out = layout(&document, columns);
        std::fs::write(dir.join(format!("{name}.txt")), text::render(&laid_out))?;
        std::fs::write(dir.join(format!("{name}.escpos")), escpos::render(&laid_out, "LG")?.bytes)?;
        std::fs::write(dir.join(format!("{name}.png")), png::render(&laid_out)?)?;
        std::fs::write(dir.join(format!("{name}.pdf")), pdf::render(&laid_out, &document.title)?)?;
        println!("{name}");
    }
    println!("written to {}", dir.display());
    Ok(())
}
