//! Disclosures as data (R13): MiVivienda bonds (BBP, sustainable BMS), Techo Propio (BFH), desgravamen
//! coverage, multirisk deductibles by loan value and microinsurance plans, copied from the caja's document
//! into `config/disclosures.toml` (embedded by default), with the lookups the kiosk's screens use.
//! A value outside a table gets an answer saying why, never a guess.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};
use crate::settings::Problem;

/// The default tables, as shipped in `config/disclosures.toml`.
pub const EMBEDDED_TOML: &str = include_str!("../../config/disclosures.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosures {
    pub source: String,
    pub uit_year: i32,
    /// Soles per UIT in `uit_year`.
    pub uit_value: Decimal,
    pub mivivienda: MiVivienda,
    pub techo_propio: TechoPropio,
    pub desgravamen: DesgravamenCoverage,
    pub multirisk: Multirisk,
    pub microinsurance: Microinsurance,
}

/// One bond range: house values above `from` (or from `from` itself in the first range) up to `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BondRange {
    pub from: Decimal,
    pub to: Decimal,
    pub uit: Decimal,
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MiVivienda {
    pub min_house_value: Decimal,
    pub max_house_value: Decimal,
    pub bbp_max_uit: Decimal,
    pub sustainable_extra_uit: Decimal,
    pub bbp_text: String,
    pub bms_text: String,
    /// The same texts in English, for a customer reading the kiosk in English; the Spanish text stands in
    /// when a table has none.
    #[serde(default)]
    pub bbp_text_en: String,
    #[serde(default)]
    pub bms_text_en: String,
    pub bbp: Vec<BondRange>,
    pub bms: Vec<BondRange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechoPropio {
    pub text: String,
    #[serde(default)]
    pub text_en: String,
    pub bfh: Vec<BfhRow>,
}

/// Vivienda de Interés Social types of the Techo Propio table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisType {
    Unifamiliar,
    Multifamiliar,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BfhRow {
    pub id: VisType,
    pub housing_type: String,
    pub max_house_value: Decimal,
    pub bfh_uit: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesgravamenCoverage {
    pub text: String,
    #[serde(default)]
    pub text_en: String,
    pub coverages: Vec<CoverageRow>,
    pub max_sum_insured: Vec<MaxSumInsured>,
}

/// One line of the desgravamen coverage table: whether each policy covers the concept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageRow {
    pub concept: String,
    pub traditional: bool,
    pub with_refund: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaxSumInsured {
    pub ages: String,
    pub pen: Decimal,
    pub usd: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Multirisk {
    pub max_total_insured: Decimal,
    pub text: String,
    #[serde(default)]
    pub text_en: String,
    pub deductibles: Vec<DeductibleRow>,
}

/// Loan values `from`..=`to` (whole soles as printed) and the deductible per event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeductibleRow {
    pub from: Decimal,
    pub to: Decimal,
    pub deductible: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Microinsurance {
    pub waiting_period_months: u32,
    pub waiting_period_text: String,
    pub restrictions: String,
    pub plans: Vec<MicroinsurancePlan>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MicroinsurancePlan {
    pub name: String,
    pub monthly_premium: Decimal,
    pub coverages: Vec<PlanCoverage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanCoverage {
    pub name: String,
    pub sum_insured: Decimal,
}

/// The MiVivienda bond for a house value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BondAnswer {
    pub sustainable: bool,
    pub uit: Decimal,
    pub amount: Money,
    /// The table's range as a customer reads it: "Mayores a S/ 96,200.00 hasta S/ 144,000.00".
    pub range: String,
}

/// The Techo Propio BFH for a house value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BfhAnswer {
    pub housing_type: String,
    pub uit: Decimal,
    /// `uit` × the UIT of the table's year, rounded to cents.
    pub amount: Money,
    pub uit_year: i32,
}

/// The multirisk deductible for a loan value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeductibleAnswer {
    pub deductible: Money,
    pub range: String,
}

/// A value the table has no answer for, and why. The message is what the kiosk shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum OutOfRange {
    #[error("Ingrese un valor mayor que cero.")]
    NotPositive,
    #[error("{message}")]
    BelowMinimum { minimum: Money, message: String },
    #[error("{message}")]
    AboveMaximum { maximum: Money, message: String },
    #[error("La tabla no tiene un rango para {value}; consulte en una agencia.")]
    NoRange { value: Money },
}

fn soles(amount: Decimal) -> Money {
    Money { amount, currency: Currency::PEN }
}

fn round_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// The caja's explanatory texts, each shown on the screen of the table it explains (R13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Explanation {
    /// Desgravamen insurance: what it covers (§2.1), beside the coverage table.
    Desgravamen,
    /// Multirisk insurance: the sum insured (§2.4), beside the deductibles.
    Multirisk,
    /// MiVivienda: the BBP and the sustainable BMS (§VIII), beside the bond calculator.
    MiVivienda,
    /// Techo Propio: the BFH (§IX), beside its calculator.
    TechoPropio,
}

impl Disclosures {
    /// The explanatory text of `topic` as the guide words it, in English when `english` and the table has
    /// the translation (else in Spanish, as the caja wrote it).
    pub fn explanation(&self, topic: Explanation, english: bool) -> String {
        let pick = |es: &str, en: &str| if english && !en.trim().is_empty() { en } else { es }.trim().to_owned();
        match topic {
            Explanation::Desgravamen => pick(&self.desgravamen.text, &self.desgravamen.text_en),
            Explanation::Multirisk => pick(&self.multirisk.text, &self.multirisk.text_en),
            Explanation::MiVivienda => {
                let mv = &self.mivivienda;
                [pick(&mv.bbp_text, &mv.bbp_text_en), pick(&mv.bms_text, &mv.bms_text_en)]
                    .into_iter()
                    .filter(|text| !text.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n\n")
            }
            Explanation::TechoPropio => pick(&self.techo_propio.text, &self.techo_propio.text_en),
        }
    }

    /// Parses and validates the tables; every problem is reported with its key and reason.
    pub fn from_toml(text: &str) -> Result<Self, Vec<Problem>> {
        let tables: Disclosures =
            toml::from_str(text).map_err(|e| vec![crate::channels::toml_problem("disclosures", text, &e)])?;
        let problems = tables.validate();
        if problems.is_empty() { Ok(tables) } else { Err(problems) }
    }

    /// The tables embedded in the binary (`config/disclosures.toml`).
    pub fn embedded() -> Result<Self, Vec<Problem>> {
        Self::from_toml(EMBEDDED_TOML)
    }

    /// Every problem in the tables; empty when they are valid.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.uit_value <= Decimal::ZERO {
            problems.push(Problem::new("uit_value", "must be greater than zero"));
        }
        let mv = &self.mivivienda;
        if mv.min_house_value <= Decimal::ZERO || mv.min_house_value >= mv.max_house_value {
            problems.push(Problem::new("mivivienda.min_house_value", "must be positive and below max_house_value"));
        }
        for (name, rows) in [("bbp", &mv.bbp), ("bms", &mv.bms)] {
            self.check_bond_ranges(&format!("mivivienda.{name}"), rows, &mut problems);
        }
        if mv.bbp.len() != mv.bms.len() {
            problems.push(Problem::new("mivivienda.bms", "must have one row per bbp row"));
        }
        for (i, (bbp, bms)) in mv.bbp.iter().zip(&mv.bms).enumerate() {
            if (bbp.from, bbp.to) != (bms.from, bms.to) {
                problems.push(Problem::new(format!("mivivienda.bms[{i}]"), "must cover the same house values as bbp"));
            }
            if bms.uit - bbp.uit != mv.sustainable_extra_uit {
                problems.push(Problem::new(
                    format!("mivivienda.bms[{i}].uit"),
                    format!("must be the BBP's {} UIT plus {}", bbp.uit, mv.sustainable_extra_uit),
                ));
            }
            if bbp.uit > mv.bbp_max_uit {
                problems.push(Problem::new(format!("mivivienda.bbp[{i}].uit"), "is above bbp_max_uit"));
            }
        }

        if self.techo_propio.bfh.is_empty() {
            problems.push(Problem::new("techo_propio.bfh", "must list at least one housing type"));
        }
        for (i, row) in self.techo_propio.bfh.iter().enumerate() {
            let key = format!("techo_propio.bfh[{i}]");
            if row.max_house_value <= Decimal::ZERO || row.bfh_uit <= Decimal::ZERO {
                problems.push(Problem::new(key.clone(), "max_house_value and bfh_uit must be greater than zero"));
            }
            if self.techo_propio.bfh[..i].iter().any(|r| r.id == row.id) {
                problems.push(Problem::new(format!("{key}.id"), "is listed twice"));
            }
        }

        let mr = &self.multirisk;
        let mut expected_from = Decimal::ZERO;
        for (i, row) in mr.deductibles.iter().enumerate() {
            let key = format!("multirisk.deductibles[{i}]");
            if row.from != expected_from {
                problems.push(Problem::new(
                    format!("{key}.from"),
                    format!("must be {expected_from}, right after the previous range"),
                ));
            }
            if row.to < row.from || row.deductible <= Decimal::ZERO {
                problems.push(Problem::new(key, "needs to >= from and a deductible greater than zero"));
            }
            expected_from = row.to + Decimal::ONE;
        }
        if mr.deductibles.last().map(|r| r.to) != Some(mr.max_total_insured) {
            problems.push(Problem::new("multirisk.deductibles", "the last range must end at max_total_insured"));
        }

        if self.microinsurance.plans.is_empty() {
            problems.push(Problem::new("microinsurance.plans", "must list at least one plan"));
        }
        for (i, plan) in self.microinsurance.plans.iter().enumerate() {
            let key = format!("microinsurance.plans[{i}]");
            if plan.monthly_premium <= Decimal::ZERO {
                problems.push(Problem::new(format!("{key}.monthly_premium"), "must be greater than zero"));
            }
            if plan.coverages.is_empty() || plan.coverages.iter().any(|c| c.sum_insured <= Decimal::ZERO) {
                problems.push(Problem::new(format!("{key}.coverages"), "must list coverages with positive sums"));
            }
        }
        problems
    }

    fn check_bond_ranges(&self, key: &str, rows: &[BondRange], problems: &mut Vec<Problem>) {
        let mv = &self.mivivienda;
        if rows.first().map(|r| r.from) != Some(mv.min_house_value) {
            problems.push(Problem::new(key, "the first range must start at min_house_value"));
        }
        if rows.last().map(|r| r.to) != Some(mv.max_house_value) {
            problems.push(Problem::new(key, "the last range must end at max_house_value"));
        }
        for (i, row) in rows.iter().enumerate() {
            let row_key = format!("{key}[{i}]");
            if row.to <= row.from {
                problems.push(Problem::new(format!("{row_key}.to"), "must be above from"));
            }
            if i > 0 && rows[i - 1].to != row.from {
                problems.push(Problem::new(format!("{row_key}.from"), "must equal the previous range's to"));
            }
            // The printed soles are the UIT figure at the table's UIT, rounded to hundreds.
            if (row.uit * self.uit_value - row.amount).abs() > Decimal::from(50) {
                problems.push(Problem::new(
                    format!("{row_key}.amount"),
                    format!("does not match {} UIT at S/ {} per UIT", row.uit, self.uit_value),
                ));
            }
        }
    }

    /// The MiVivienda bond for a house of `house_value` soles: BBP, or BMS when `sustainable`.
    pub fn mivivienda_bond(&self, house_value: Decimal, sustainable: bool) -> Result<BondAnswer, OutOfRange> {
        let mv = &self.mivivienda;
        if house_value <= Decimal::ZERO {
            return Err(OutOfRange::NotPositive);
        }
        if house_value < mv.min_house_value {
            return Err(OutOfRange::BelowMinimum {
                minimum: soles(mv.min_house_value),
                message: format!(
                    "El valor mínimo de la vivienda para el Nuevo Crédito MiVivienda es {}; {} queda fuera del programa.",
                    soles(mv.min_house_value),
                    soles(house_value)
                ),
            });
        }
        if house_value > mv.max_house_value {
            return Err(OutOfRange::AboveMaximum {
                maximum: soles(mv.max_house_value),
                message: format!(
                    "El valor máximo de la vivienda para el Nuevo Crédito MiVivienda es {}; {} queda fuera del programa.",
                    soles(mv.max_house_value),
                    soles(house_value)
                ),
            });
        }
        let rows = if sustainable { &mv.bms } else { &mv.bbp };
        let (index, row) = rows
            .iter()
            .enumerate()
            .find(|(i, r)| house_value <= r.to && (house_value > r.from || (*i == 0 && house_value == r.from)))
            .ok_or(OutOfRange::NoRange { value: soles(house_value) })?;
        let range = if index == 0 {
            format!("Desde {} hasta {}", soles(row.from), soles(row.to))
        } else {
            format!("Mayores a {} hasta {}", soles(row.from), soles(row.to))
        };
        Ok(BondAnswer { sustainable, uit: row.uit, amount: soles(row.amount), range })
    }

    /// The Techo Propio BFH for a new house (AVN) of `house_value` soles and the given VIS type.
    pub fn techo_propio_bond(&self, housing: VisType, house_value: Decimal) -> Result<BfhAnswer, OutOfRange> {
        if house_value <= Decimal::ZERO {
            return Err(OutOfRange::NotPositive);
        }
        let row = self
            .techo_propio
            .bfh
            .iter()
            .find(|r| r.id == housing)
            .ok_or(OutOfRange::NoRange { value: soles(house_value) })?;
        if house_value > row.max_house_value {
            return Err(OutOfRange::AboveMaximum {
                maximum: soles(row.max_house_value),
                message: format!(
                    "Para {} el valor máximo de la vivienda es {}; {} no califica como Vivienda de Interés Social.",
                    row.housing_type,
                    soles(row.max_house_value),
                    soles(house_value)
                ),
            });
        }
        Ok(BfhAnswer {
            housing_type: row.housing_type.clone(),
            uit: row.bfh_uit,
            amount: soles(round_cents(row.bfh_uit * self.uit_value)),
            uit_year: self.uit_year,
        })
    }

    /// The multirisk deductible per event for a loan of `loan_value` soles.
    pub fn multirisk_deductible(&self, loan_value: Decimal) -> Result<DeductibleAnswer, OutOfRange> {
        if loan_value <= Decimal::ZERO {
            return Err(OutOfRange::NotPositive);
        }
        let max = self.multirisk.max_total_insured;
        if loan_value > max {
            return Err(OutOfRange::AboveMaximum {
                maximum: soles(max),
                message: format!(
                    "El Seguro Multiriesgo asegura hasta {} entre todos los créditos vigentes del asegurado; un préstamo de {} excede la tabla de deducibles.",
                    soles(max),
                    soles(loan_value)
                ),
            });
        }
        // A value between two printed ranges (3,000.50) belongs to the upper one: pick by upper bound.
        let (index, row) = self
            .multirisk
            .deductibles
            .iter()
            .enumerate()
            .find(|(_, r)| loan_value <= r.to)
            .ok_or(OutOfRange::NoRange { value: soles(loan_value) })?;
        let range = if index == 0 {
            format!("Hasta {}", soles(row.to))
        } else {
            format!("De {} a {}", soles(row.from), soles(row.to))
        };
        Ok(DeductibleAnswer { deductible: soles(row.deductible), range })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn tables() -> Disclosures {
        Disclosures::embedded().unwrap()
    }

    #[test]
    fn every_explanation_has_its_text_in_both_languages() {
        let t = tables();
        for topic in
            [Explanation::Desgravamen, Explanation::Multirisk, Explanation::MiVivienda, Explanation::TechoPropio]
        {
            let (es, en) = (t.explanation(topic, false), t.explanation(topic, true));
            assert!(!es.is_empty() && !en.is_empty(), "{topic:?}");
            assert_ne!(es, en, "{topic:?} is translated");
        }
        assert!(t.explanation(Explanation::MiVivienda, false).contains("El BMS es una ayuda"), "both bonds");
        assert!(t.explanation(Explanation::TechoPropio, true).starts_with("The BFH"));
        let mut untranslated = t.clone();
        untranslated.desgravamen.text_en = String::new();
        assert_eq!(untranslated.explanation(Explanation::Desgravamen, true), t.desgravamen.text, "Spanish stands in");
    }

    #[test]
    fn bbp_and_bms_follow_the_ranges_including_their_bounds() {
        let t = tables();
        let cases = [
            (dec!(67400), false, dec!(26900)),
            (dec!(96200), false, dec!(26900)),
            (dec!(96200.01), false, dec!(22400)),
            (dec!(144000), false, dec!(22400)),
            (dec!(200000), false, dec!(20500)),
            (dec!(355100), false, dec!(7600)),
            (dec!(67400), true, dec!(32900)),
            (dec!(150000), true, dec!(26500)),
            (dec!(300000), true, dec!(13600)),
        ];
        for (value, sustainable, expected) in cases {
            let answer = t.mivivienda_bond(value, sustainable).unwrap();
            assert_eq!(answer.amount, soles(expected), "{value} sustainable={sustainable}");
        }
        assert_eq!(t.mivivienda_bond(dec!(100000), false).unwrap().range, "Mayores a S/ 96,200.00 hasta S/ 144,000.00");
    }

    #[test]
    fn house_values_outside_the_program_say_why() {
        let t = tables();
        let low = t.mivivienda_bond(dec!(60000), false).unwrap_err();
        assert!(matches!(low, OutOfRange::BelowMinimum { .. }));
        assert!(low.to_string().contains("mínimo de la vivienda"), "{low}");
        assert!(low.to_string().contains("S/ 67,400.00"), "{low}");
        let high = t.mivivienda_bond(dec!(355100.01), true).unwrap_err();
        assert!(matches!(high, OutOfRange::AboveMaximum { .. }));
        assert_eq!(t.mivivienda_bond(dec!(0), false).unwrap_err(), OutOfRange::NotPositive);
    }

    #[test]
    fn techo_propio_bond_is_uit_times_the_table_uit() {
        let t = tables();
        let answer = t.techo_propio_bond(VisType::Unifamiliar, dec!(100000)).unwrap();
        assert_eq!(answer.amount, soles(dec!(44805.00)));
        assert_eq!(answer.uit_year, 2024);
        assert!(t.techo_propio_bond(VisType::Unifamiliar, dec!(110000)).is_err());
        assert!(t.techo_propio_bond(VisType::Multifamiliar, dec!(110000)).is_ok());
        let err = t.techo_propio_bond(VisType::Multifamiliar, dec!(130500.01)).unwrap_err();
        assert!(err.to_string().contains("Vivienda de Interés Social"), "{err}");
    }

    #[test]
    fn multirisk_deductible_by_loan_value() {
        let t = tables();
        let cases = [
            (dec!(1), dec!(250)),
            (dec!(3000), dec!(250)),
            (dec!(3000.50), dec!(350)),
            (dec!(3001), dec!(350)),
            (dec!(20000), dec!(450)),
            (dec!(20001), dec!(750)),
            (dec!(45000), dec!(1600)),
            (dec!(90000), dec!(2500)),
            (dec!(120000), dec!(6000)),
        ];
        for (value, expected) in cases {
            assert_eq!(t.multirisk_deductible(value).unwrap().deductible, soles(expected), "{value}");
        }
        assert_eq!(t.multirisk_deductible(dec!(5000)).unwrap().range, "De S/ 3,001.00 a S/ 6,000.00");
        let over = t.multirisk_deductible(dec!(120000.01)).unwrap_err();
        assert!(over.to_string().contains("S/ 120,000.00"), "{over}");
    }

    #[test]
    fn microinsurance_plans_and_desgravamen_are_copied() {
        let t = tables();
        let premiums: Vec<Decimal> = t.microinsurance.plans.iter().map(|p| p.monthly_premium).collect();
        assert_eq!(premiums, [dec!(5.00), dec!(3.00)]);
        assert_eq!(t.microinsurance.plans[0].coverages[0].sum_insured, dec!(10000));
        assert_eq!(t.desgravamen.max_sum_insured[0].pen, dec!(945000));
        assert!(!t.desgravamen.coverages[4].traditional && t.desgravamen.coverages[4].with_refund);
    }

    #[test]
    fn broken_tables_report_every_problem() {
        let text = EMBEDDED_TOML
            .replacen("uit = \"6.38609\"", "uit = \"6.5\"", 1)
            .replacen("from = \"3001\"", "from = \"3002\"", 1)
            .replacen("amount = \"22400\"", "amount = \"25000\"", 1);
        let problems = Disclosures::from_toml(&text).unwrap_err();
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert!(keys.contains(&"mivivienda.bms[0].uit"), "{keys:?}");
        assert!(keys.contains(&"multirisk.deductibles[1].from"), "{keys:?}");
        assert!(keys.contains(&"mivivienda.bbp[1].amount"), "{keys:?}");
        assert_eq!(Disclosures::from_toml("uit_year = \"x\"").unwrap_err()[0].key, "disclosures");
    }
}
