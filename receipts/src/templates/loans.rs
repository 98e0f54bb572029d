//! Loan documents: the payment voucher, the advance / prepayment constancia (R7) and the slip for a
//! payment that was not completed.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use servicaja_core::money::Money;

use super::{AccountRef, Issue, field, paragraph, spanish_list};
use crate::format;
use crate::model::{Block, Document, DocumentKind, MaskedNumber, ScheduleRow};

/// Which of the caja's rates applied: it buys dollars (a PEN loan paid from a USD account) or sells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RateSide {
    /// The caja buys the customer's dollars.
    Compra,
    /// The caja sells dollars to the customer.
    Venta,
}

/// The conversion applied when the account and the loan are in different currencies (R5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeApplied {
    pub rate: Decimal,
    pub side: RateSide,
    /// What left the account, in the account's currency.
    pub debited: Money,
}

/// The next installment after this payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextDue {
    pub date: NaiveDate,
    pub installment: Money,
}

/// A completed installment payment by account debit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentVoucher {
    pub customer_name: String,
    /// The card the customer identified with, masked; absent when the kiosk did not read one.
    pub card: Option<MaskedNumber>,
    pub loan_number: String,
    pub loan_product: String,
    /// Installment numbers paid, in order.
    pub installments: Vec<u32>,
    pub principal: Money,
    pub interest: Money,
    pub insurance: Money,
    /// Moratorium interest on an overdue installment, when there was any.
    pub late_interest: Option<Money>,
    /// In the loan's currency.
    pub total_paid: Money,
    pub debit_account: AccountRef,
    /// Present when the account's currency differs from the loan's.
    pub exchange: Option<ExchangeApplied>,
    /// What remains of the loan: printed so the customer never reads "cancelled" for a loan that is not.
    pub after: LoanAfterPayment,
}

/// The loan's state once the payment is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoanAfterPayment {
    /// Fully paid: no installment remains.
    Cancelled,
    /// Installments remain: the principal still owed and, when the kiosk knows it, the next installment.
    Continues { outstanding_principal: Money, next_due: Option<NextDue> },
}

fn debit_blocks(
    account: &AccountRef,
    total_in_loan_currency: &Money,
    exchange: Option<&ExchangeApplied>,
) -> Vec<Block> {
    let mut body = vec![Block::Section("Cargo en cuenta".into()), field("Cuenta", account.describe())];
    match exchange {
        Some(exchange) => {
            let side = match exchange.side {
                RateSide::Compra => "compra",
                RateSide::Venta => "venta",
            };
            body.push(field(&format!("Tipo de cambio ({side})"), format::rate(exchange.rate)));
            body.push(Block::Amount { label: "Monto cargado".into(), amount: exchange.debited, strong: true });
            body.push(Block::Amount {
                label: "Equivalente aplicado".into(),
                amount: *total_in_loan_currency,
                strong: false,
            });
        }
        None => {
            body.push(Block::Amount { label: "Monto cargado".into(), amount: *total_in_loan_currency, strong: true })
        }
    }
    body
}

fn exchange_note(institution: &str) -> String {
    format!(
        "El pago se aplicó en la moneda del crédito, con el tipo de cambio vigente en {institution} a la fecha del pago."
    )
}

fn claims_note(institution: &str) -> String {
    format!("Conserve este documento. Para cualquier consulta o reclamo indique el N° de operación en {institution}.")
}

/// The payment voucher.
pub fn payment_voucher(issue: &Issue, voucher: &PaymentVoucher) -> Document {
    let institution = &issue.header.institution;
    let installments_label = if voucher.installments.len() == 1 { "Cuota pagada" } else { "Cuotas pagadas" };
    let mut body = vec![issue.date_time_field(), field("Cliente", voucher.customer_name.clone())];
    body.extend(voucher.card.as_ref().map(|card| field("Tarjeta", card.as_str())));
    body.extend([
        field("Crédito", voucher.loan_number.clone()),
        field("Producto", voucher.loan_product.clone()),
        field("Moneda", format::currency_word(voucher.total_paid.currency)),
        field(installments_label, spanish_list(&voucher.installments)),
        Block::Separator,
        Block::Amount { label: "Capital".into(), amount: voucher.principal, strong: false },
        Block::Amount { label: "Interés".into(), amount: voucher.interest, strong: false },
        Block::Amount { label: "Seguro de desgravamen".into(), amount: voucher.insurance, strong: false },
    ]);
    if let Some(late) = voucher.late_interest {
        body.push(Block::Amount { label: "Interés moratorio".into(), amount: late, strong: false });
    }
    body.push(Block::Amount { label: "Total pagado".into(), amount: voucher.total_paid, strong: true });
    body.push(Block::Separator);
    body.extend(debit_blocks(&voucher.debit_account, &voucher.total_paid, voucher.exchange.as_ref()));
    body.push(Block::Separator);
    match &voucher.after {
        LoanAfterPayment::Continues { outstanding_principal, next_due } => {
            body.push(Block::Amount {
                label: "Saldo de capital".into(),
                amount: *outstanding_principal,
                strong: false,
            });
            if let Some(next) = next_due {
                body.push(field("Próximo vencimiento", format::date(next.date)));
                body.push(Block::Amount { label: "Próxima cuota".into(), amount: next.installment, strong: false });
            }
        }
        LoanAfterPayment::Cancelled => body.push(paragraph("Crédito cancelado: no quedan cuotas pendientes.")),
    }
    let mut footer = Vec::new();
    if voucher.exchange.is_some() {
        footer.push(exchange_note(institution));
    }
    footer.push(claims_note(institution));
    issue.document_of(DocumentKind::PaymentVoucher, "PAGO DE CUOTA DE CRÉDITO", body, footer, Some(voucher.total_paid))
}

/// The short summary of a new schedule: the next rows (at most [`NewScheduleSummary::ROWS_SHOWN`] are
/// printed; none when the central's answer carries only the headline figures), how many installments
/// remain, the last due date and the principal still owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewScheduleSummary {
    pub next_rows: Vec<ScheduleRow>,
    pub remaining_installments: u32,
    /// `None` when the central did not say: the line is left out rather than printed as a wrong date.
    pub last_due: Option<NaiveDate>,
    pub remaining_principal: Money,
}

impl NewScheduleSummary {
    pub const ROWS_SHOWN: usize = 3;
}

/// The customer's choice for a payment above the due installment (R7, seed §VI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrepaymentOption {
    /// Up to two installments' worth: applied to the following installments.
    Advance { installments_covered: Vec<u32> },
    /// Partial prepayment keeping the term.
    ReduceInstallmentAmount { previous_installment: Money, new_installment: Money, schedule: NewScheduleSummary },
    /// Partial prepayment keeping the installment amount.
    ReduceInstallmentCount { installment: Money, previous_count: u32, new_count: u32, schedule: NewScheduleSummary },
    /// The loan is paid off.
    TotalCancellation,
}

/// The constancia of an advance or a prepayment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepaymentChoice {
    pub customer_name: String,
    /// The card the customer identified with, masked.
    pub card: Option<MaskedNumber>,
    pub loan_number: String,
    pub loan_product: String,
    /// In the loan's currency.
    pub amount_paid: Money,
    pub debit_account: AccountRef,
    pub exchange: Option<ExchangeApplied>,
    pub option: PrepaymentOption,
}

const APPLIED_TO_PRINCIPAL: &str = "Aplicación del monto al capital del crédito, con la consiguiente reducción de intereses, comisiones y gastos al día del pago.";

/// The new schedule's summary: its first rows when known (a table header over no rows is never printed),
/// then the figures the customer keeps (the installment itself is printed just above).
fn schedule_blocks(schedule: &NewScheduleSummary) -> Vec<Block> {
    let rows: Vec<ScheduleRow> = schedule.next_rows.iter().take(NewScheduleSummary::ROWS_SHOWN).cloned().collect();
    let mut blocks = vec![Block::Section("Nuevo cronograma de pagos (resumen)".into())];
    if !rows.is_empty() {
        blocks.push(Block::Schedule(rows));
    }
    blocks.push(field("Cuotas restantes", schedule.remaining_installments.to_string()));
    if let Some(last_due) = schedule.last_due {
        blocks.push(field("Último vencimiento", format::date(last_due)));
    }
    blocks.push(Block::Amount {
        label: "Saldo de capital".into(),
        amount: schedule.remaining_principal,
        strong: false,
    });
    blocks
}

/// The advance / prepayment constancia: what the customer chose and what it does to the loan.
pub fn prepayment_choice(issue: &Issue, choice: &PrepaymentChoice) -> Document {
    let institution = &issue.header.institution;
    let (title, chosen, explanation) = match &choice.option {
        PrepaymentOption::Advance { .. } => (
            "CONSTANCIA DE ADELANTO DE CUOTAS",
            "Adelanto de cuotas",
            "Aplicación del monto pagado a las cuotas inmediatamente posteriores a la exigible en el periodo, sin que se produzca una reducción de intereses, comisiones y gastos. No emite nuevo cronograma de pagos.",
        ),
        PrepaymentOption::ReduceInstallmentAmount { .. } => (
            "CONSTANCIA DE PAGO ANTICIPADO",
            "Pago anticipado parcial: reducir el monto de cuotas, manteniendo el plazo",
            APPLIED_TO_PRINCIPAL,
        ),
        PrepaymentOption::ReduceInstallmentCount { .. } => (
            "CONSTANCIA DE PAGO ANTICIPADO",
            "Pago anticipado parcial: reducir el número de cuotas, manteniendo el monto de la cuota",
            APPLIED_TO_PRINCIPAL,
        ),
        PrepaymentOption::TotalCancellation => (
            "CONSTANCIA DE PAGO ANTICIPADO",
            "Pago anticipado total: cancelación total del crédito",
            APPLIED_TO_PRINCIPAL,
        ),
    };
    let mut body = vec![issue.date_time_field(), field("Cliente", choice.customer_name.clone())];
    body.extend(choice.card.as_ref().map(|card| field("Tarjeta", card.as_str())));
    body.extend([
        field("Crédito", choice.loan_number.clone()),
        field("Producto", choice.loan_product.clone()),
        Block::Amount { label: "Monto pagado".into(), amount: choice.amount_paid, strong: true },
        Block::Separator,
        Block::Stacked { label: "Elección del cliente".into(), value: chosen.into() },
        paragraph(explanation),
        Block::Blank,
    ]);
    match &choice.option {
        PrepaymentOption::Advance { installments_covered } => {
            let label = if installments_covered.len() == 1 { "Cuota adelantada" } else { "Cuotas adelantadas" };
            body.push(field(label, spanish_list(installments_covered)));
        }
        PrepaymentOption::ReduceInstallmentAmount { previous_installment, new_installment, schedule } => {
            body.push(Block::Amount { label: "Cuota anterior".into(), amount: *previous_installment, strong: false });
            body.push(Block::Amount { label: "Nueva cuota".into(), amount: *new_installment, strong: true });
            body.push(Block::Blank);
            body.extend(schedule_blocks(schedule));
        }
        PrepaymentOption::ReduceInstallmentCount { installment, previous_count, new_count, schedule } => {
            body.push(field("Cuotas pendientes antes", previous_count.to_string()));
            body.push(Block::Field { label: "Nuevo número de cuotas".into(), value: new_count.to_string() });
            body.push(Block::Amount { label: "Monto de la cuota".into(), amount: *installment, strong: false });
            body.push(Block::Blank);
            body.extend(schedule_blocks(schedule));
        }
        PrepaymentOption::TotalCancellation => {
            body.push(paragraph(format!(
                "Su crédito queda cancelado. Puede solicitar su constancia de no adeudo en este kiosco o en cualquier agencia de {institution}."
            )));
        }
    }
    body.push(Block::Separator);
    body.extend(debit_blocks(&choice.debit_account, &choice.amount_paid, choice.exchange.as_ref()));
    let mut footer = vec![
        "El prestatario o cliente podrá efectuar pagos por encima de la cuota exigible en el periodo, en cualquier momento, sin aplicarse comisión, gasto o penalidad.".to_owned(),
        "No incluye cuotas con atrasos iguales o mayores a un (01) día: estas deberán pagarse previamente.".to_owned(),
    ];
    if choice.exchange.is_some() {
        footer.push(exchange_note(institution));
    }
    footer.push(claims_note(institution));
    issue.document_of(DocumentKind::PrepaymentChoice, title, body, footer, Some(choice.amount_paid))
}

/// Why a payment was not completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotCompletedReason {
    /// The central system did not answer in time; the kiosk reversed the operation.
    NoTimelyAnswer,
    /// The customer cancelled before confirming.
    CancelledByCustomer,
    /// The central system refused it, with its reason in Spanish.
    Declined(String),
    /// The kiosk itself failed during the operation.
    KioskFault,
}

/// A payment that did not go through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationNotCompleted {
    pub customer_name: String,
    /// `Pago de cuota de crédito`.
    pub operation: String,
    pub loan_number: Option<String>,
    pub attempted_amount: Money,
    pub debit_account: Option<AccountRef>,
    pub reason: NotCompletedReason,
}

/// The "operación no realizada" slip: no charge stands, and the operation number serves any claim.
pub fn operation_not_completed(issue: &Issue, slip: &OperationNotCompleted) -> Document {
    let institution = &issue.header.institution;
    let reason = match &slip.reason {
        NotCompletedReason::NoTimelyAnswer => "El sistema central no respondió a tiempo".to_owned(),
        NotCompletedReason::CancelledByCustomer => "Cancelada por el cliente".to_owned(),
        NotCompletedReason::Declined(text) => text.clone(),
        NotCompletedReason::KioskFault => "Falla del kiosco durante la operación".to_owned(),
    };
    let mut body = vec![
        issue.date_time_field(),
        field("Cliente", slip.customer_name.clone()),
        field("Operación", slip.operation.clone()),
    ];
    if let Some(loan) = &slip.loan_number {
        body.push(field("Crédito", loan.clone()));
    }
    body.push(Block::Amount { label: "Monto".into(), amount: slip.attempted_amount, strong: false });
    if let Some(account) = &slip.debit_account {
        body.push(Block::Stacked { label: "Cuenta".into(), value: account.describe() });
    }
    body.push(Block::Stacked { label: "Motivo".into(), value: reason });
    body.push(Block::Separator);
    body.push(Block::Section("NO SE REALIZÓ NINGÚN CARGO".into()));
    body.push(paragraph(
        "La operación fue anulada. Ningún cargo queda en su cuenta: si se llegó a registrar, fue revertido automáticamente.",
    ));
    let footer = vec![format!(
        "Para cualquier consulta o reclamo indique el N° de operación en cualquier agencia de {institution}."
    )];
    issue.document(DocumentKind::OperationNotCompleted, "OPERACIÓN NO REALIZADA", body, footer)
}
