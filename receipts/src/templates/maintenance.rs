//! The technician's printer test page: the code page's Spanish characters, a column ruler and a QR.

use serde::{Deserialize, Serialize};

use super::{Issue, field, paragraph};
use crate::model::{Block, Document, DocumentKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceTest {
    pub technician_id: String,
    pub software_version: String,
    /// The printer's decoded status, as the technician saw it.
    pub printer_status: String,
}

/// Every accented letter and sign a Spanish receipt uses, once.
pub const SPANISH_SAMPLE: &str = "á é í ó ú Á É Í Ó Ú ñ Ñ ü Ü ¿ ? ¡ ! ° €";

/// The maintenance test page.
pub fn maintenance_test(issue: &Issue, test: &MaintenanceTest) -> Document {
    let body = vec![
        issue.date_time_field(),
        field("Técnico", test.technician_id.clone()),
        field("Versión", test.software_version.clone()),
        Block::Stacked { label: "Estado de la impresora".into(), value: test.printer_status.clone() },
        Block::Separator,
        Block::Section("Página de códigos WPC1252 (ESC t 16)".into()),
        paragraph(SPANISH_SAMPLE),
        paragraph("¿Año? ¡Señal! Pingüino, acción, crédito."),
        Block::Section("Columnas".into()),
        Block::Ruler,
    ];
    let footer = vec![
        "Si los caracteres se ven correctamente y la regla llena la línea, la impresora está bien configurada."
            .to_owned(),
    ];
    issue.document(DocumentKind::MaintenanceTest, "PÁGINA DE PRUEBA", body, footer)
}
