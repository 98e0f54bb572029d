//! PDF for "Exportar en PDF" and email attachments, written with `pdf-writer` (pure Rust).
//!
//! The receipt's rows are set in Courier, one of the PDF standard fonts, with WinAnsiEncoding: every
//! reader has it, `áéíóúñ¿¡` need no embedded font, and a monospaced face keeps the layout's alignment.
//! Title rows are drawn twice as high at the same width (horizontal scaling 50 %), like the printer's
//! double height; the QR is drawn as vector squares. Long documents continue on further A4 pages.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::qr_modules;
use crate::ReceiptError;
use crate::format;
use crate::layout::{Layout, Row, TextStyle};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const FONT_SIZE: f32 = 9.0;
/// Courier's advance is 600/1000 em.
const CHAR_WIDTH: f32 = FONT_SIZE * 0.6;
const ROW_PITCH: f32 = 12.0;
const TALL_ROW_PITCH: f32 = 22.0;
const QR_MODULE: f32 = 2.4;

const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// The document as a PDF file; `title` goes into the document information.
pub fn render(layout: &Layout, title: &str) -> Result<Vec<u8>, ReceiptError> {
    let left = (PAGE_WIDTH - CHAR_WIDTH * layout.columns.count() as f32) / 2.0;
    let mut pages: Vec<Content> = Vec::new();
    let mut content = Content::new();
    let mut top = PAGE_HEIGHT - MARGIN;
    for row in &layout.rows {
        let needed = match row {
            Row::Text { style: TextStyle::Title, .. } => TALL_ROW_PITCH,
            Row::Text { .. } => ROW_PITCH,
            Row::Qr { payload } => qr_modules(payload)?.0 as f32 * QR_MODULE + ROW_PITCH,
        };
        if top - needed < MARGIN {
            pages.push(std::mem::replace(&mut content, Content::new()));
            top = PAGE_HEIGHT - MARGIN;
        }
        match row {
            Row::Text { text, style } => {
                let (font, size, scaling) = match style {
                    TextStyle::Normal => (REGULAR, FONT_SIZE, 100.0),
                    TextStyle::Bold => (BOLD, FONT_SIZE, 100.0),
                    TextStyle::Title => (BOLD, FONT_SIZE * 2.0, 50.0),
                };
                let baseline = top - needed + 3.0;
                content.begin_text();
                content.set_font(font, size);
                content.set_horizontal_scaling(scaling);
                content.next_line(left, baseline);
                content.show(Str(&format::cp1252_bytes(text)));
                content.end_text();
            }
            Row::Qr { payload } => {
                let (side, dark) = qr_modules(payload)?;
                let qr_left = (PAGE_WIDTH - side as f32 * QR_MODULE) / 2.0;
                let qr_top = top - ROW_PITCH / 2.0;
                content.set_fill_gray(0.0);
                for (index, _) in dark.iter().enumerate().filter(|(_, is_dark)| **is_dark) {
                    let (x, y) = ((index % side) as f32, (index / side) as f32);
                    content.rect(qr_left + x * QR_MODULE, qr_top - (y + 1.0) * QR_MODULE, QR_MODULE, QR_MODULE);
                }
                content.fill_nonzero();
            }
        }
        top -= needed;
    }
    pages.push(content);

    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let regular_id = Ref::new(3);
    let bold_id = Ref::new(4);
    let info_id = Ref::new(5);
    let first_page = 10;
    let page_ids: Vec<Ref> = (0..pages.len()).map(|index| Ref::new(first_page + 2 * index as i32)).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id).kids(page_ids.iter().copied()).count(page_ids.len() as i32);
    pdf.type1_font(regular_id).base_font(Name(b"Courier")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold_id).base_font(Name(b"Courier-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info_id).title(TextStr(title)).producer(TextStr("ServiCaja Virtual"));
    for (page_id, content) in page_ids.iter().zip(pages) {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.parent(tree_id).media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).contents(content_id);
        page.resources().fonts().pair(REGULAR, regular_id).pair(BOLD, bold_id);
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    Ok(pdf.finish())
}

/// The file name of a document sent by email or exported: `constancia-afiliacion-000123462.pdf`
/// (ASCII only, so every mail client shows it intact).
pub fn attachment_name(document: &crate::Document) -> String {
    use crate::DocumentKind as Kind;
    let stem = match document.kind {
        Kind::PaymentVoucher => "pago-cuota",
        Kind::PrepaymentChoice => "constancia-pago-anticipado",
        Kind::Affiliation => "constancia-afiliacion",
        Kind::Disaffiliation => "constancia-desafiliacion",
        Kind::NoDebt => "constancia-no-adeudo",
        Kind::RequestTicket => "constancia-requerimiento",
        Kind::ClaveEnrollment => "confirmacion-clave",
        Kind::BalanceInquiry => "consulta-saldos",
        Kind::MaintenanceTest => "pagina-prueba",
        Kind::OperationNotCompleted => "operacion-no-realizada",
    };
    let operation: String =
        document.operation_number.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
    let duplicate = if document.duplicate.is_some() { "-duplicado" } else { "" };
    format!("{stem}-{operation}{duplicate}.pdf")
}
