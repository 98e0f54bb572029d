//! A receipt or constancia read aloud (ADA §707.5.2: receipt content spoken before or instead of
//! printing): the same `Document` the printer lays out, its figures in words, its numbers digit by digit.

use servicaja_core::settings::Language;
use servicaja_session::Document;

use crate::Utterance;
use crate::say::L;
use crate::words::{self, money};

/// The document's content as utterances, in `language`.
pub fn read(document: &Document, language: Language) -> Vec<Utterance> {
    let l = L(language);
    let lang = language;
    let mut out: Vec<String> = Vec::new();
    match document {
        Document::PaymentReceipt { payment, masked_card, customer_name, context } => {
            out.push(l.t("Comprobante de pago.", "Payment receipt."));
            out.push(format!("{} {}.", l.t("Fecha:", "Date:"), words::date_time(payment.at, lang)));
            out.push(format!(
                "{} {}.",
                l.t("Número de operación:", "Operation number:"),
                words::digits(&payment.operation_number, lang)
            ));
            out.push(format!("{} {customer_name}.", l.t("Cliente:", "Customer:")));
            out.push(format!("{}.", words::capitalized(&words::masked_card(masked_card, lang))));
            out.push(format!(
                "{} {} {} {}.",
                l.t("Crédito", "Loan"),
                context.loan_product.to_lowercase(),
                l.t("terminado en", "ending in"),
                words::last_four(&payment.loan_number, lang)
            ));
            out.push(format!("{} {}.", payment.kind_label, money(payment.amount, lang)));
            if let Some(exchange) = &payment.exchange {
                out.push(format!(
                    "{} {}.",
                    l.t("Tipo de cambio:", "Exchange rate:"),
                    words::exchange_rate(exchange.rate, lang)
                ));
            }
            out.push(format!(
                "{} {} {} {}: {}.",
                l.t("Debitado de la cuenta", "Debited from account"),
                context.account_product_name.to_lowercase(),
                l.t("terminada en", "ending in"),
                words::last_four(&payment.account_number, lang),
                money(payment.debit, lang)
            ));
            out.push(format!("{} {}.", l.t("Capital:", "Principal:"), money(payment.principal_part, lang)));
            out.push(format!("{} {}.", l.t("Interés:", "Interest:"), money(payment.interest_part, lang)));
            if !payment.insurance_part.amount.is_zero() {
                out.push(format!("{} {}.", l.t("Seguro:", "Insurance:"), money(payment.insurance_part, lang)));
            }
            if !payment.moratorium_part.amount.is_zero() {
                out.push(format!("{} {}.", l.t("Mora:", "Late interest:"), money(payment.moratorium_part, lang)));
            }
            out.push(format!(
                "{} {}.",
                l.t("Saldo de capital del crédito:", "Loan principal outstanding:"),
                money(payment.loan_outstanding_after, lang)
            ));
            if let Some(next) = &payment.next_installment {
                out.push(format!(
                    "{} {}, {} {}.",
                    l.t("Próxima cuota:", "Next installment:"),
                    money(next.amount, lang),
                    l.t("vence el", "due on"),
                    words::date(next.due_date, lang)
                ));
            }
            if payment.loan_cancelled {
                out.push(l.t("Crédito cancelado.", "Loan paid off."));
            }
        }
        Document::BalanceSlip { account, movements, masked_card, customer_name, at } => {
            out.push(l.t("Consulta de saldo y movimientos.", "Balance and movements."));
            out.push(format!("{} {}.", l.t("Fecha:", "Date:"), words::date_time(*at, lang)));
            out.push(format!("{} {customer_name}.", l.t("Cliente:", "Customer:")));
            out.push(format!("{}.", words::capitalized(&words::masked_card(masked_card, lang))));
            out.push(format!(
                "{}: {}.",
                words::capitalized(&crate::say::account_name(account, lang)),
                money(account.balance, lang)
            ));
            for movement in movements {
                out.push(format!(
                    "{}: {}, {}.",
                    words::date(servicaja_core::calendar::lima_time(movement.at).date_naive(), lang),
                    movement.description,
                    money(movement.amount, lang)
                ));
            }
        }
        Document::AffiliationConstancia(constancia) => {
            out.push(format!(
                "{} {}.",
                l.t("Constancia de", "Certificate of"),
                constancia.operation.label().to_lowercase()
            ));
            out.push(format!("{} {}.", l.t("Fecha:", "Date:"), words::date_time(constancia.at, lang)));
            out.push(format!(
                "{} {}.",
                l.t("Número de operación:", "Operation number:"),
                words::digits(&constancia.operation_number, lang)
            ));
            out.push(format!("{} {}.", l.t("Servicio:", "Service:"), constancia.service.to_lowercase()));
            out.push(format!("{} {}.", l.t("Cliente:", "Customer:"), constancia.customer_name));
            out.push(format!(
                "{} {} {} {}.",
                l.t("Cuenta", "Account"),
                constancia.account_product_name.to_lowercase(),
                l.t("terminada en", "ending in"),
                words::last_four(&constancia.account_number, lang)
            ));
        }
        Document::NoDebtCertificate(certificate) => {
            out.push(l.t("Constancia de no adeudo.", "No-debt certificate."));
            out.push(format!("{} {}.", l.t("Fecha:", "Date:"), words::date_time(certificate.issued_at, lang)));
            out.push(format!(
                "{} {}.",
                l.t("Número de constancia:", "Certificate number:"),
                words::digits(&certificate.certificate_number, lang)
            ));
            out.push(format!("{} {}.", l.t("Cliente:", "Customer:"), certificate.customer_name));
            if certificate.all_loans {
                out.push(l.t(
                    "Certifica que todos sus créditos están cancelados.",
                    "It certifies that all your loans are paid off.",
                ));
            }
            for loan in &certificate.loans {
                out.push(format!(
                    "{} {} {} {}, {} {}.",
                    l.t("Crédito", "Loan"),
                    loan.product_name.to_lowercase(),
                    l.t("terminado en", "ending in"),
                    words::last_four(&loan.loan_number, lang),
                    l.t("desembolsado por", "disbursed for"),
                    money(loan.disbursed, lang)
                ));
            }
        }
        Document::RequestTicket { ticket, customer_name } => {
            out.push(l.t("Constancia de solicitud.", "Request ticket."));
            out.push(format!(
                "{} {}.",
                l.t("Número de solicitud:", "Request number:"),
                words::digits(&ticket.ticket_number, lang)
            ));
            out.push(format!("{} {customer_name}.", l.t("Cliente:", "Customer:")));
            out.push(format!("{} {}.", l.t("Fecha de registro:", "Filed on:"), words::date(ticket.filed_on, lang)));
            out.push(format!(
                "{} {}.",
                l.t("Fecha máxima de respuesta:", "Answer due by:"),
                words::date(ticket.deadline, lang)
            ));
        }
    }
    out.into_iter().map(Utterance::new).collect()
}
