//! Payment channels as data (R8, R9): the caja's table of channels and limits for the disclosure screen,
//! the loan product types the kiosk does not take payments for (and where to pay them instead), and the
//! kiosk's own per-operation limits. Parsed from `config/channels.toml`; the default is embedded.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::api::LoanProductType;
use crate::money::{Currency, Money};
use crate::settings::Problem;

/// The default table, as shipped in `config/channels.toml`.
pub const EMBEDDED_TOML: &str = include_str!("../../config/channels.toml");

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelTable {
    /// The caja document the table is copied from, shown under it.
    pub source: String,
    #[serde(default)]
    pub note: String,
    /// Names of the product types that some channels exclude.
    pub products: Vec<ProductName>,
    pub channels: Vec<Channel>,
    pub kiosk: KioskRules,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductName {
    pub id: LoanProductType,
    pub name: String,
}

/// The two parts of the caja's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelGroup {
    /// 1.1 Efectivo.
    Efectivo,
    /// 1.2 Cargo en cuenta mediante el uso de canales electrónicos.
    CargoEnCuenta,
}

impl ChannelGroup {
    pub fn title_es(self) -> &'static str {
        match self {
            ChannelGroup::Efectivo => "Efectivo",
            ChannelGroup::CargoEnCuenta => "Cargo en cuenta mediante el uso de canales electrónicos",
        }
    }
}

/// One row of the caja's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    pub id: String,
    pub group: ChannelGroup,
    pub name: String,
    /// "Tipo de Operación" (cash) or "Detalle" (electronic), as printed.
    pub operation: String,
    #[serde(default)]
    pub observations: String,
    #[serde(default)]
    pub more_info: String,
    /// Loan product types this channel does not take payments for.
    #[serde(default)]
    pub not_payable: Vec<LoanProductType>,
    pub points: Vec<ServicePoint>,
}

/// A point of service within a channel (Agentes, Agencias…) with its limit as printed and as numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePoint {
    pub point: String,
    pub limit_text: String,
    #[serde(default)]
    pub limits: Vec<Limit>,
}

/// What a limit is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitPeriod {
    Operation,
    Day,
    Month,
}

impl LimitPeriod {
    pub fn label_es(self) -> &'static str {
        match self {
            LimitPeriod::Operation => "por operación",
            LimitPeriod::Day => "por día",
            LimitPeriod::Month => "por mes",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub currency: Currency,
    pub per: LimitPeriod,
    pub max: Decimal,
}

/// Operations of the kiosk that move money and so have limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KioskOperation {
    LoanPayment,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskLimit {
    pub operation: KioskOperation,
    pub currency: Currency,
    pub per: LimitPeriod,
    pub max: Decimal,
}

/// The kiosk channel's own rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskRules {
    /// The kiosk's row in the table.
    pub channel: String,
    pub not_payable: Vec<LoanProductType>,
    /// Channels a customer is sent to when the kiosk cannot take the payment.
    pub refer_to: Vec<String>,
    pub limits: Vec<KioskLimit>,
}

/// Whether the kiosk may take a payment for a loan of some product type (R8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum KioskEligibility {
    Payable,
    NotPayable {
        product: LoanProductType,
        product_name: String,
        /// Names of the channels where the customer can pay instead.
        pay_at: Vec<String>,
        /// What the kiosk shows.
        message: String,
    },
}

/// An amount above one of the kiosk's limits (R9).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{}", self.message_es())]
pub struct LimitExceeded {
    pub operation: KioskOperation,
    pub per: LimitPeriod,
    pub limit: Money,
    /// Already used in the period (zero for a per-operation limit).
    pub used: Money,
    pub requested: Money,
}

impl LimitExceeded {
    /// What the kiosk shows.
    pub fn message_es(&self) -> String {
        match self.per {
            LimitPeriod::Operation => format!(
                "El monto supera el límite de ServiCaja Virtual: máximo {} por operación. Puede pagar en ventanilla.",
                self.limit
            ),
            per => format!(
                "El monto supera el límite de ServiCaja Virtual: máximo {} {} (ya utilizado: {}). Puede pagar en ventanilla.",
                self.limit,
                per.label_es(),
                self.used
            ),
        }
    }
}

/// A TOML syntax or type error as one problem: `line L, column C: message`, under `key` (the table's
/// name) since the parser cannot always name the key.
pub(crate) fn toml_problem(key: &str, text: &str, error: &toml::de::Error) -> Problem {
    let Some(span) = error.span() else {
        return Problem::new(key, error.message().to_owned());
    };
    let before = text.get(..span.start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Problem::new(key, format!("line {line}, column {column}: {}", error.message().trim_end()))
}

/// A product type's id as written in the file (`pignoraticio`), for problem messages.
fn product_key(product: LoanProductType) -> String {
    serde_json::to_value(product).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

impl ChannelTable {
    /// Parses and validates a table; every problem is reported, each with its key and reason.
    pub fn from_toml(text: &str) -> Result<Self, Vec<Problem>> {
        let table: ChannelTable = toml::from_str(text).map_err(|e| vec![toml_problem("channels", text, &e)])?;
        let problems = table.validate();
        if problems.is_empty() { Ok(table) } else { Err(problems) }
    }

    /// The table embedded in the binary (`config/channels.toml`).
    pub fn embedded() -> Result<Self, Vec<Problem>> {
        Self::from_toml(EMBEDDED_TOML)
    }

    /// Every problem in the table; empty when it is valid.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.source.trim().is_empty() {
            problems.push(Problem::new("source", "must name the caja document the table comes from"));
        }
        for (i, product) in self.products.iter().enumerate() {
            if product.name.trim().is_empty() {
                problems.push(Problem::new(format!("products[{i}].name"), "must not be empty"));
            }
            if self.products[..i].iter().any(|p| p.id == product.id) {
                problems.push(Problem::new(format!("products[{i}].id"), "is listed twice"));
            }
        }
        if self.channels.is_empty() {
            problems.push(Problem::new("channels", "must list at least one channel"));
        }
        for (i, channel) in self.channels.iter().enumerate() {
            let key = format!("channels[{i}]");
            if channel.id.trim().is_empty() {
                problems.push(Problem::new(format!("{key}.id"), "must not be empty"));
            } else if self.channels[..i].iter().any(|c| c.id == channel.id) {
                problems.push(Problem::new(format!("{key}.id"), format!("\"{}\" is used twice", channel.id)));
            }
            if channel.name.trim().is_empty() {
                problems.push(Problem::new(format!("{key}.name"), "must not be empty"));
            }
            if channel.points.is_empty() {
                problems.push(Problem::new(format!("{key}.points"), "must list at least one point of service"));
            }
            for (j, product) in channel.not_payable.iter().enumerate() {
                self.check_product_named(*product, &format!("{key}.not_payable[{j}]"), &mut problems);
            }
            for (j, point) in channel.points.iter().enumerate() {
                for (l, limit) in point.limits.iter().enumerate() {
                    check_amount(limit.max, &format!("{key}.points[{j}].limits[{l}].max"), &mut problems);
                }
            }
        }

        let kiosk = &self.kiosk;
        if self.channel(&kiosk.channel).is_none() {
            problems.push(Problem::new("kiosk.channel", format!("no channel has id \"{}\"", kiosk.channel)));
        }
        for (j, product) in kiosk.not_payable.iter().enumerate() {
            self.check_product_named(*product, &format!("kiosk.not_payable[{j}]"), &mut problems);
        }
        if kiosk.refer_to.is_empty() && !kiosk.not_payable.is_empty() {
            problems.push(Problem::new("kiosk.refer_to", "must name where to pay the loans the kiosk does not take"));
        }
        for (j, id) in kiosk.refer_to.iter().enumerate() {
            match self.channel(id) {
                None => {
                    problems.push(Problem::new(format!("kiosk.refer_to[{j}]"), format!("no channel has id \"{id}\"")))
                }
                Some(channel) => {
                    if let Some(product) = kiosk.not_payable.iter().find(|p| channel.not_payable.contains(p)) {
                        problems.push(Problem::new(
                            format!("kiosk.refer_to[{j}]"),
                            format!("\"{id}\" does not take {} either", product_key(*product)),
                        ));
                    }
                }
            }
        }
        for (l, limit) in kiosk.limits.iter().enumerate() {
            let key = format!("kiosk.limits[{l}]");
            check_amount(limit.max, &format!("{key}.max"), &mut problems);
            let duplicate = kiosk.limits[..l]
                .iter()
                .any(|o| o.operation == limit.operation && o.currency == limit.currency && o.per == limit.per);
            if duplicate {
                problems.push(Problem::new(key.clone(), "the same operation, currency and period is limited twice"));
            }
            if limit.per != LimitPeriod::Operation
                && let Some(per_operation) = kiosk.limit(limit.operation, limit.currency, LimitPeriod::Operation)
                && per_operation > limit.max
            {
                problems.push(Problem::new(
                    format!("{key}.max"),
                    format!("is below the per-operation limit ({per_operation})"),
                ));
            }
        }
        for currency in [Currency::PEN, Currency::USD] {
            if kiosk.limit(KioskOperation::LoanPayment, currency, LimitPeriod::Operation).is_none() {
                problems.push(Problem::new(
                    "kiosk.limits",
                    format!("needs a per-operation loan_payment limit in {currency}"),
                ));
            }
        }
        problems
    }

    fn check_product_named(&self, product: LoanProductType, key: &str, problems: &mut Vec<Problem>) {
        if !self.products.iter().any(|p| p.id == product) {
            problems
                .push(Problem::new(key, format!("{} has no [[products]] entry giving its name", product_key(product))));
        }
    }

    pub fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    /// The customer-facing name of a product type (its file id when the table does not name it).
    pub fn product_name(&self, product: LoanProductType) -> String {
        self.products.iter().find(|p| p.id == product).map_or_else(|| product_key(product), |p| p.name.clone())
    }

    /// The rows of one part of the table, in file order.
    pub fn group(&self, group: ChannelGroup) -> impl Iterator<Item = &Channel> {
        self.channels.iter().filter(move |c| c.group == group)
    }

    /// May the kiosk take a payment for a loan of `product`; if not, why and where to pay (R8).
    pub fn kiosk_eligibility(&self, product: LoanProductType) -> KioskEligibility {
        if !self.kiosk.not_payable.contains(&product) {
            return KioskEligibility::Payable;
        }
        let product_name = self.product_name(product);
        let pay_at: Vec<String> = self
            .kiosk
            .refer_to
            .iter()
            .filter_map(|id| self.channel(id))
            .filter(|c| !c.not_payable.contains(&product))
            .map(|c| c.name.clone())
            .collect();
        let kiosk_name = self.channel(&self.kiosk.channel).map_or("ServiCaja Virtual", |c| c.name.as_str());
        let message = if pay_at.is_empty() {
            format!(
                "{product_name}: este crédito no se puede pagar en {kiosk_name}. Consulte en una agencia de CAJA TACNA."
            )
        } else {
            format!(
                "{product_name}: este crédito no se puede pagar en {kiosk_name}. Puede pagarlo en: {}.",
                pay_at.join("; ")
            )
        };
        KioskEligibility::NotPayable { product, product_name, pay_at, message }
    }

    /// Whether `amount` is within the kiosk's limits for `operation` in its currency, given what this
    /// customer already paid today and this month in that currency (R9).
    pub fn check_kiosk_limit(
        &self,
        operation: KioskOperation,
        amount: Money,
        used_today: Decimal,
        used_this_month: Decimal,
    ) -> Result<(), LimitExceeded> {
        for limit in self.kiosk.limits.iter().filter(|l| l.operation == operation && l.currency == amount.currency) {
            let used = match limit.per {
                LimitPeriod::Operation => Decimal::ZERO,
                LimitPeriod::Day => used_today,
                LimitPeriod::Month => used_this_month,
            };
            if used + amount.amount > limit.max {
                return Err(LimitExceeded {
                    operation,
                    per: limit.per,
                    limit: Money { amount: limit.max, currency: amount.currency },
                    used: Money { amount: used, currency: amount.currency },
                    requested: amount,
                });
            }
        }
        Ok(())
    }
}

impl KioskRules {
    /// The configured limit for an operation, currency and period.
    pub fn limit(&self, operation: KioskOperation, currency: Currency, per: LimitPeriod) -> Option<Decimal> {
        self.limits.iter().find(|l| l.operation == operation && l.currency == currency && l.per == per).map(|l| l.max)
    }
}

fn check_amount(amount: Decimal, key: &str, problems: &mut Vec<Problem>) {
    if amount <= Decimal::ZERO {
        problems.push(Problem::new(key, "must be greater than zero"));
    } else if amount.normalize().scale() > 2 {
        problems.push(Problem::new(key, "must be in cents (at most 2 decimals)"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn table() -> ChannelTable {
        ChannelTable::embedded().unwrap()
    }

    #[test]
    fn embedded_table_is_valid_and_copies_the_caja_rows() {
        let table = table();
        assert_eq!(table.group(ChannelGroup::Efectivo).count(), 8);
        assert_eq!(table.group(ChannelGroup::CargoEnCuenta).count(), 8);
        let sbp = table.channel("recaudo_sbp").unwrap();
        assert_eq!(sbp.points[1].limit_text, "Máximo S/5,000");
        let yape = table.channel("recaudo_bcp_yape").unwrap();
        assert_eq!(
            yape.points[0].limits[1],
            Limit { currency: Currency::PEN, per: LimitPeriod::Month, max: dec!(6000) }
        );
        assert_eq!(table.products.len(), 10);
    }

    #[test]
    fn excluded_products_are_refused_with_where_to_pay() {
        let table = table();
        assert_eq!(table.kiosk_eligibility(LoanProductType::Consumo), KioskEligibility::Payable);
        for product in [LoanProductType::Pignoraticio, LoanProductType::Leasing, LoanProductType::ConPeriodoDeGracia] {
            let KioskEligibility::NotPayable { pay_at, message, .. } = table.kiosk_eligibility(product) else {
                panic!("{product:?} must not be payable at the kiosk");
            };
            assert_eq!(pay_at, ["CAJA TACNA: Ventanillas de las Agencias y Oficinas Especiales"]);
            assert!(message.contains("no se puede pagar en ServiCaja Virtual"), "{message}");
        }
        let KioskEligibility::NotPayable { product_name, .. } = table.kiosk_eligibility(LoanProductType::Pignoraticio)
        else {
            panic!("pawn loans are excluded");
        };
        assert_eq!(product_name, "Crédito pignoraticio (joyas)");
    }

    #[test]
    fn kiosk_limits_per_operation_and_per_day() {
        let table = table();
        let pen = |amount| Money { amount, currency: Currency::PEN };
        let op = KioskOperation::LoanPayment;
        assert!(table.check_kiosk_limit(op, pen(dec!(30000)), dec!(0), dec!(0)).is_ok());
        let over = table.check_kiosk_limit(op, pen(dec!(30000.01)), dec!(0), dec!(0)).unwrap_err();
        assert_eq!(over.per, LimitPeriod::Operation);
        assert_eq!(
            over.to_string(),
            "El monto supera el límite de ServiCaja Virtual: máximo S/ 30,000.00 por operación. Puede pagar en ventanilla."
        );
        let daily = table.check_kiosk_limit(op, pen(dec!(20000)), dec!(45000), dec!(45000)).unwrap_err();
        assert_eq!(daily.per, LimitPeriod::Day);
        let usd = Money { amount: dec!(5000.01), currency: Currency::USD };
        assert!(table.check_kiosk_limit(op, usd, dec!(0), dec!(0)).is_err());
    }

    #[test]
    fn every_problem_is_reported_with_its_key() {
        let text = EMBEDDED_TOML
            .replace("channel = \"servicaja_virtual\"", "channel = \"kiosco\"")
            .replace("refer_to = [\"ventanilla\"]", "refer_to = [\"banco_de_la_nacion\"]")
            .replace("max = \"5000\"\n", "max = \"-1\"\n");
        let problems = ChannelTable::from_toml(&text).unwrap_err();
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert!(keys.contains(&"kiosk.channel"), "{keys:?}");
        assert!(keys.contains(&"kiosk.refer_to[0]"), "{keys:?}");
        assert!(keys.contains(&"kiosk.limits[1].max"), "{keys:?}");
    }

    #[test]
    fn syntax_errors_and_unknown_products_are_problems_not_panics() {
        let problems = ChannelTable::from_toml("source = \"x\"\nnote = ").unwrap_err();
        assert_eq!(problems[0].key, "channels");
        assert!(problems[0].reason.starts_with("line 2, column "), "{problems:?}");
        let unknown = EMBEDDED_TOML.replacen("\"leasing\"]", "\"hipoteca_lunar\"]", 1);
        let problems = ChannelTable::from_toml(&unknown).unwrap_err();
        assert!(problems[0].reason.contains("hipoteca_lunar"), "{problems:?}");
    }
}
