//! Money in soles and dollars: exact decimal amounts, half-up rounding to cents, es-PE formatting,
//! keypad parsing and conversion at the caja's buy/sell exchange rates.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The two currencies the caja keeps accounts and loans in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[allow(clippy::upper_case_acronyms)]
pub enum Currency {
    PEN,
    USD,
}

impl Currency {
    /// The symbol printed before an amount in es-PE: `S/` or `US$`.
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::PEN => "S/",
            Currency::USD => "US$",
        }
    }

    /// The ISO 4217 code: `PEN` or `USD`.
    pub fn code(self) -> &'static str {
        match self {
            Currency::PEN => "PEN",
            Currency::USD => "USD",
        }
    }

    /// The name a customer reads on screen: `Soles` or `Dólares`.
    pub fn name_es(self) -> &'static str {
        match self {
            Currency::PEN => "Soles",
            Currency::USD => "Dólares",
        }
    }

    /// The other currency (PEN ↔ USD).
    pub fn other(self) -> Currency {
        match self {
            Currency::PEN => Currency::USD,
            Currency::USD => Currency::PEN,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An exact amount in one currency. Arithmetic on amounts of different currencies is refused, never
/// silently mixed.
///
/// Ordering (`<`, `>`) is only defined between amounts of the same currency: comparing soles with
/// dollars yields `None` from `partial_cmp`, so every such comparison is `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

/// Why an arithmetic operation on money was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum MoneyError {
    #[error("cannot combine {left} with {right}: amounts in different currencies need an exchange rate")]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("amount out of range: the result does not fit in a decimal of 28 digits")]
    Overflow,
}

/// Number of decimals the caja keeps for every posted amount.
pub const CENTS_SCALE: u32 = 2;

/// Half-up at the cent, as the caja's statements round: 2.345 → 2.35 and -2.345 → -2.35 (the midpoint
/// goes away from zero, so a negative amount rounds like its absolute value).
fn round_half_up_cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(CENTS_SCALE, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(CENTS_SCALE);
    rounded
}

impl Money {
    /// An amount in the given currency, kept exactly as given (no rounding).
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// An amount in soles.
    pub fn pen(amount: Decimal) -> Self {
        Self::new(amount, Currency::PEN)
    }

    /// An amount in dollars.
    pub fn usd(amount: Decimal) -> Self {
        Self::new(amount, Currency::USD)
    }

    /// Zero in the given currency.
    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// An amount from a whole number of cents: `from_cents(123456, PEN)` is S/ 1,234.56.
    pub fn from_cents(cents: i64, currency: Currency) -> Self {
        Self::new(Decimal::new(cents, CENTS_SCALE), currency)
    }

    /// The amount rounded half-up to cents (midpoint away from zero), always with exactly two decimals.
    #[must_use]
    pub fn round_cents(self) -> Self {
        Self::new(round_half_up_cents(self.amount), self.currency)
    }

    /// The amount in whole cents after half-up rounding, or `None` if it does not fit in an `i64`.
    pub fn to_cents(self) -> Option<i64> {
        let cents = round_half_up_cents(self.amount).checked_mul(Decimal::ONE_HUNDRED)?;
        i64::try_from(cents).ok()
    }

    pub fn is_negative(self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    pub fn is_zero(self) -> bool {
        self.amount.is_zero()
    }

    pub fn is_positive(self) -> bool {
        self.amount.is_sign_positive() && !self.amount.is_zero()
    }

    /// The same amount with the opposite sign.
    #[must_use]
    pub fn negated(self) -> Self {
        Self::new(-self.amount, self.currency)
    }

    /// The absolute value.
    #[must_use]
    pub fn abs(self) -> Self {
        Self::new(self.amount.abs(), self.currency)
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch { left: self.currency, right: other.currency })
        }
    }

    /// `self + other`, refusing amounts of different currencies and overflow. Exact (no rounding).
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self.amount.checked_add(other.amount).ok_or(MoneyError::Overflow)?;
        Ok(Self::new(amount, self.currency))
    }

    /// `self - other`, refusing amounts of different currencies and overflow. Exact (no rounding).
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self.amount.checked_sub(other.amount).ok_or(MoneyError::Overflow)?;
        Ok(Self::new(amount, self.currency))
    }

    /// `self × factor` (a rate, a count), exact: round with [`Money::round_cents`] when posting.
    pub fn checked_mul(self, factor: Decimal) -> Result<Money, MoneyError> {
        let amount = self.amount.checked_mul(factor).ok_or(MoneyError::Overflow)?;
        Ok(Self::new(amount, self.currency))
    }

    /// The sum of `items`, all in `currency` (zero for an empty list).
    pub fn checked_sum<I: IntoIterator<Item = Money>>(currency: Currency, items: I) -> Result<Money, MoneyError> {
        items.into_iter().try_fold(Money::zero(currency), Money::checked_add)
    }

    /// Compares two amounts of the same currency; amounts in different currencies are refused.
    pub fn checked_cmp(self, other: Money) -> Result<Ordering, MoneyError> {
        self.same_currency(other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    /// The amount without symbol, rounded half-up to cents and grouped for es-PE: `1,234.56`
    /// (negative amounts keep their `-`). Useful for right-aligned receipt columns.
    pub fn format_amount(self) -> String {
        let rounded = round_half_up_cents(self.amount);
        let sign = if rounded.is_sign_negative() && !rounded.is_zero() { "-" } else { "" };
        format!("{sign}{}", group_thousands(&two_decimals(rounded.abs())))
    }

    /// Parses what a customer typed on the kiosk keypad: digits, at most one decimal point and at most two
    /// decimals (`1500`, `1500.5`, `0.75`). No sign, no symbol, no thousands separator, at most
    /// [`KEYPAD_MAX_INTEGER_DIGITS`] digits before the point. The result keeps exactly two decimals.
    pub fn parse_keypad(input: &str, currency: Currency) -> Result<Money, KeypadAmountError> {
        parse_keypad_amount(input).map(|amount| Money::new(amount, currency))
    }
}

impl PartialOrd for Money {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.checked_cmp(*other).ok()
    }
}

/// The plain text of an amount already rounded to cents, always with two decimals. Amounts above ~10^26
/// cannot carry a scale of 2 in a `Decimal` (28 digits), so their `.00` is written here.
fn two_decimals(rounded: Decimal) -> String {
    let plain = rounded.to_string();
    match plain.split_once('.') {
        Some((_, fraction)) if fraction.len() >= 2 => plain,
        Some((_, fraction)) => format!("{plain}{}", "0".repeat(2 - fraction.len())),
        None => format!("{plain}.00"),
    }
}

/// Inserts `,` every three digits of the integer part of a plain decimal string `1234567.89`.
fn group_thousands(plain: &str) -> String {
    let (integer, fraction) = match plain.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (plain, None),
    };
    let mut grouped = String::with_capacity(plain.len() + integer.len() / 3);
    for (index, digit) in integer.chars().enumerate() {
        if index > 0 && (integer.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if let Some(fraction) = fraction {
        grouped.push('.');
        grouped.push_str(fraction);
    }
    grouped
}

/// es-PE: `S/ 1,234.56`, `US$ 1,234.56`, `-S/ 50.00`; always rounded half-up to cents.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rounded = round_half_up_cents(self.amount);
        let sign = if rounded.is_sign_negative() && !rounded.is_zero() { "-" } else { "" };
        let text = format!("{sign}{} {}", self.currency.symbol(), group_thousands(&two_decimals(rounded.abs())));
        f.pad(&text)
    }
}

/// Why a formatted amount such as `S/ 1,234.56` could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyParseError {
    #[error("amount: expected a currency symbol `S/ ` or `US$ ` at the start")]
    MissingSymbol,
    #[error("amount: expected digits grouped by commas every three digits, a point and two decimals")]
    BadNumber,
    #[error("amount: out of range")]
    OutOfRange,
}

/// Reads back exactly what `Display` writes (`S/ 1,234.56`, `-US$ 0.50`), so stored texts and test
/// fixtures round-trip. Customer input goes through [`Money::parse_keypad`] instead.
impl FromStr for Money {
    type Err = MoneyParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (currency, number) = if let Some(rest) = unsigned.strip_prefix("S/ ") {
            (Currency::PEN, rest)
        } else if let Some(rest) = unsigned.strip_prefix("US$ ") {
            (Currency::USD, rest)
        } else {
            return Err(MoneyParseError::MissingSymbol);
        };
        let (integer, fraction) = number.split_once('.').ok_or(MoneyParseError::BadNumber)?;
        if fraction.len() != 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyParseError::BadNumber);
        }
        let groups: Vec<&str> = integer.split(',').collect();
        let well_grouped = groups.iter().enumerate().all(|(index, group)| {
            let size_ok = if index == 0 { (1..=3).contains(&group.len()) } else { group.len() == 3 };
            size_ok && group.bytes().all(|b| b.is_ascii_digit())
        });
        let leading_zero = integer.len() > 1 && integer.starts_with('0');
        if !well_grouped || leading_zero {
            return Err(MoneyParseError::BadNumber);
        }
        let integer = groups.concat();
        // Beyond ~10^26 a `Decimal` cannot hold two decimals, so trailing zeros are dropped before the exact
        // conversion (which refuses anything it would have to round).
        let significant_fraction = fraction.trim_end_matches('0');
        let exact = if significant_fraction.is_empty() { integer } else { format!("{integer}.{significant_fraction}") };
        let amount = Decimal::from_str_exact(&exact).map_err(|_| MoneyParseError::OutOfRange)?;
        if negative && amount.is_zero() {
            return Err(MoneyParseError::BadNumber);
        }
        Ok(Money::new(if negative { -amount } else { amount }, currency))
    }
}

/// Most digits a customer may type before the decimal point (hundreds of billions: far beyond any limit).
pub const KEYPAD_MAX_INTEGER_DIGITS: usize = 12;

/// Why the amount a customer typed on the keypad was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum KeypadAmountError {
    #[error("amount: nothing was typed")]
    Empty,
    #[error("amount: character at position {position} is not a digit or a decimal point")]
    InvalidCharacter { position: usize },
    #[error("amount: more than one decimal point")]
    SeveralDecimalPoints,
    #[error("amount: no digit before the decimal point")]
    NoIntegerDigits,
    #[error("amount: decimal point without decimals after it")]
    NoDecimals,
    #[error("amount: {count} decimals typed, at most 2 (cents) are allowed")]
    TooManyDecimals { count: usize },
    #[error("amount: {count} digits before the decimal point, at most {KEYPAD_MAX_INTEGER_DIGITS} are allowed")]
    TooManyDigits { count: usize },
}

impl KeypadAmountError {
    /// What the kiosk shows the customer (es-PE).
    pub fn customer_message_es(self) -> &'static str {
        match self {
            KeypadAmountError::Empty => "Ingrese un monto.",
            KeypadAmountError::InvalidCharacter { .. } => "Use solo números y un punto decimal.",
            KeypadAmountError::SeveralDecimalPoints => "El monto solo puede tener un punto decimal.",
            KeypadAmountError::NoIntegerDigits => "Ingrese al menos un número antes del punto decimal.",
            KeypadAmountError::NoDecimals => "Ingrese los céntimos después del punto decimal.",
            KeypadAmountError::TooManyDecimals { .. } => "El monto puede tener como máximo 2 decimales.",
            KeypadAmountError::TooManyDigits { .. } => "El monto ingresado es demasiado grande.",
        }
    }
}

fn parse_keypad_amount(input: &str) -> Result<Decimal, KeypadAmountError> {
    if input.is_empty() {
        return Err(KeypadAmountError::Empty);
    }
    if let Some(position) = input.chars().position(|c| !(c.is_ascii_digit() || c == '.')) {
        return Err(KeypadAmountError::InvalidCharacter { position });
    }
    let (integer, fraction) = match input.split_once('.') {
        Some((_, fraction)) if fraction.contains('.') => return Err(KeypadAmountError::SeveralDecimalPoints),
        Some((integer, fraction)) => (integer, fraction),
        None => (input, ""),
    };
    if integer.is_empty() {
        return Err(KeypadAmountError::NoIntegerDigits);
    }
    if input.contains('.') && fraction.is_empty() {
        return Err(KeypadAmountError::NoDecimals);
    }
    if fraction.len() > 2 {
        return Err(KeypadAmountError::TooManyDecimals { count: fraction.len() });
    }
    let significant = integer.trim_start_matches('0');
    if significant.len() > KEYPAD_MAX_INTEGER_DIGITS {
        return Err(KeypadAmountError::TooManyDigits { count: significant.len() });
    }
    // At most 12 + 2 digits, all ASCII: the construction below cannot overflow an i64.
    let mut cents: i64 = 0;
    let padded_fraction = [fraction.as_bytes(), b"00"].concat();
    for digit in significant.bytes().chain(padded_fraction.into_iter().take(2)) {
        cents = cents * 10 + i64::from(digit - b'0');
    }
    Ok(Decimal::new(cents, CENTS_SCALE))
}

/// Which side of the caja's exchange board a conversion used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RateSide {
    /// The caja buys the customer's dollars (tipo de cambio compra).
    Buy,
    /// The caja sells dollars to the customer (tipo de cambio venta).
    Sell,
}

impl RateSide {
    /// The word on the board and on the receipt: `Compra` or `Venta`.
    pub fn label_es(self) -> &'static str {
        match self {
            RateSide::Buy => "Compra",
            RateSide::Sell => "Venta",
        }
    }
}

/// The caja's exchange rate of the day, in soles per dollar: the caja buys dollars at `buy` and sells
/// them at `sell` (`buy <= sell`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExchangeRate {
    pub buy: Decimal,
    pub sell: Decimal,
}

/// Why a conversion between currencies was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ExchangeError {
    #[error("exchange rate: buy ({buy}) and sell ({sell}) must both be greater than zero")]
    NonPositiveRate { buy: Decimal, sell: Decimal },
    #[error("exchange rate: buy ({buy}) is above sell ({sell}); the caja's board is inconsistent")]
    BuyAboveSell { buy: Decimal, sell: Decimal },
    #[error("conversion: the amount owed and the account are both in {currency}; no exchange applies")]
    SameCurrency { currency: Currency },
    #[error("conversion: the amount owed is negative ({owed})")]
    NegativeAmount { owed: Money },
    #[error("conversion: amount out of range")]
    Overflow,
}

/// A payment across currencies as the customer confirms it and the receipt prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversion {
    /// What is owed, in the loan's currency (credited in full).
    pub owed: Money,
    /// What is debited from the account, in the account's currency, rounded to cents.
    pub debited: Money,
    /// Soles per dollar applied.
    pub rate: Decimal,
    /// Compra (the caja bought the customer's dollars) or venta (it sold dollars).
    pub side: RateSide,
}

impl ExchangeRate {
    /// A validated rate: both sides positive and `buy <= sell`.
    pub fn new(buy: Decimal, sell: Decimal) -> Result<Self, ExchangeError> {
        let rate = Self { buy, sell };
        rate.validate()?;
        Ok(rate)
    }

    /// Checks a rate that arrived as data (fields are public for serde).
    pub fn validate(&self) -> Result<(), ExchangeError> {
        if self.buy <= Decimal::ZERO || self.sell <= Decimal::ZERO {
            return Err(ExchangeError::NonPositiveRate { buy: self.buy, sell: self.sell });
        }
        if self.buy > self.sell {
            return Err(ExchangeError::BuyAboveSell { buy: self.buy, sell: self.sell });
        }
        Ok(())
    }

    /// What to debit from an account in `account_currency` to pay `owed` (in the loan's currency).
    ///
    /// - PEN owed from a USD account: the caja *buys* the dollars; debit = owed ÷ `buy`.
    /// - USD owed from a PEN account: the caja *sells* the dollars; debit = owed × `sell`.
    ///
    /// Rounding: the debit is rounded **up** to the cent (not half-up), so that the debited amount,
    /// converted back at the same rate, always covers the full amount owed and the installment is never
    /// left a fraction of a cent short. The customer pays at most one cent more than the exact figure.
    pub fn convert_for_payment(&self, owed: Money, account_currency: Currency) -> Result<Conversion, ExchangeError> {
        self.validate()?;
        if owed.currency == account_currency {
            return Err(ExchangeError::SameCurrency { currency: account_currency });
        }
        if owed.is_negative() {
            return Err(ExchangeError::NegativeAmount { owed });
        }
        let (exact, rate, side) = match owed.currency {
            Currency::PEN => (owed.amount.checked_div(self.buy), self.buy, RateSide::Buy),
            Currency::USD => (owed.amount.checked_mul(self.sell), self.sell, RateSide::Sell),
        };
        let exact = exact.ok_or(ExchangeError::Overflow)?;
        let mut debit = exact.round_dp_with_strategy(CENTS_SCALE, RoundingStrategy::AwayFromZero);
        debit.rescale(CENTS_SCALE);
        Ok(Conversion { owed, debited: Money::new(debit, account_currency), rate, side })
    }
}

impl Conversion {
    /// The owed currency's value of the debited amount at the applied rate (≥ `owed` by construction).
    pub fn debited_value_in_owed_currency(&self) -> Option<Money> {
        let value = match self.side {
            RateSide::Buy => self.debited.amount.checked_mul(self.rate)?,
            RateSide::Sell => self.debited.amount.checked_div(self.rate)?,
        };
        Some(Money::new(value, self.owed.currency))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn display_matches_es_pe() {
        assert_eq!(Money::pen(d("1234.56")).to_string(), "S/ 1,234.56");
        assert_eq!(Money::usd(d("1234.56")).to_string(), "US$ 1,234.56");
        assert_eq!(Money::pen(d("-50")).to_string(), "-S/ 50.00");
        assert_eq!(Money::pen(d("1234567.005")).to_string(), "S/ 1,234,567.01");
        assert_eq!(Money::pen(d("-0.004")).to_string(), "S/ 0.00");
        assert_eq!(Money::usd(d("999.995")).to_string(), "US$ 1,000.00");
    }

    #[test]
    fn round_cents_is_half_up_away_from_zero() {
        assert_eq!(Money::pen(d("2.345")).round_cents().amount, d("2.35"));
        assert_eq!(Money::pen(d("2.344")).round_cents().amount, d("2.34"));
        assert_eq!(Money::pen(d("-2.345")).round_cents().amount, d("-2.35"));
        assert_eq!(Money::pen(d("7")).round_cents().amount.scale(), 2);
    }

    #[test]
    fn mixed_currencies_are_refused() {
        let err = Money::pen(d("1")).checked_add(Money::usd(d("1"))).unwrap_err();
        assert_eq!(err, MoneyError::CurrencyMismatch { left: Currency::PEN, right: Currency::USD });
        assert!(Money::pen(d("1")).partial_cmp(&Money::usd(d("0"))).is_none());
        assert!(Money::pen(d("2")) > Money::pen(d("1")));
    }

    #[test]
    fn group_thousands_places_commas() {
        assert_eq!(group_thousands("0.00"), "0.00");
        assert_eq!(group_thousands("123.00"), "123.00");
        assert_eq!(group_thousands("1234.00"), "1,234.00");
        assert_eq!(group_thousands("123456.00"), "123,456.00");
        assert_eq!(group_thousands("1234567"), "1,234,567");
    }
}
