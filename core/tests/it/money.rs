//! Money: es-PE formatting, keypad parsing, arithmetic guards and payment conversion at buy/sell rates.

use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use servicaja_core::money::{
    Conversion, Currency, ExchangeError, ExchangeRate, KeypadAmountError, Money, MoneyError, MoneyParseError, RateSide,
};

#[test]
fn formats_like_the_caja_prints() {
    assert_eq!(Money::pen(dec!(1234.56)).to_string(), "S/ 1,234.56");
    assert_eq!(Money::usd(dec!(1234.56)).to_string(), "US$ 1,234.56");
    assert_eq!(Money::pen(dec!(-50)).to_string(), "-S/ 50.00");
    assert_eq!(Money::usd(dec!(0.5)).to_string(), "US$ 0.50");
    assert_eq!(Money::pen(dec!(1000000)).to_string(), "S/ 1,000,000.00");
    assert_eq!(Money::pen(dec!(-1234.565)).format_amount(), "-1,234.57");
    assert_eq!(format!("[{:>14}]", Money::pen(dec!(12.5))), "[      S/ 12.50]");
}

#[test]
fn constructors_and_predicates() {
    assert_eq!(Money::from_cents(123_456, Currency::PEN), Money::pen(dec!(1234.56)));
    assert_eq!(Money::new(dec!(3), Currency::USD), Money::usd(dec!(3)));
    assert!(Money::zero(Currency::PEN).is_zero());
    assert!(Money::pen(dec!(-0.01)).is_negative());
    assert!(!Money::pen(dec!(0)).is_negative());
    assert!(!Money::pen(dec!(-0)).is_negative());
    assert!(Money::usd(dec!(0.01)).is_positive());
    assert_eq!(Money::pen(dec!(10.005)).to_cents(), Some(1001));
}

#[test]
fn round_cents_goes_half_up() {
    assert_eq!(Money::pen(dec!(0.125)).round_cents().amount, dec!(0.13));
    assert_eq!(Money::pen(dec!(0.1249)).round_cents().amount, dec!(0.12));
    assert_eq!(Money::pen(dec!(-0.125)).round_cents().amount, dec!(-0.13));
}

#[test]
fn arithmetic_refuses_mixed_currencies_and_overflow() {
    let soles = Money::pen(dec!(10.50));
    assert_eq!(soles.checked_add(Money::pen(dec!(0.25))), Ok(Money::pen(dec!(10.75))));
    assert_eq!(soles.checked_sub(Money::pen(dec!(20))), Ok(Money::pen(dec!(-9.50))));
    assert_eq!(
        soles.checked_sub(Money::usd(dec!(1))),
        Err(MoneyError::CurrencyMismatch { left: Currency::PEN, right: Currency::USD })
    );
    assert_eq!(Money::pen(Decimal::MAX).checked_add(Money::pen(dec!(1))), Err(MoneyError::Overflow));
    let total = Money::checked_sum(Currency::USD, [Money::usd(dec!(1.10)), Money::usd(dec!(2.20))]);
    assert_eq!(total, Ok(Money::usd(dec!(3.30))));
    assert!(Money::checked_sum(Currency::USD, [Money::pen(dec!(1))]).is_err());
}

#[test]
fn keypad_accepts_digits_and_one_point() {
    let cases = [("1500", dec!(1500.00)), ("1500.5", dec!(1500.50)), ("0.75", dec!(0.75)), ("007", dec!(7))];
    for (typed, expected) in cases {
        let money = Money::parse_keypad(typed, Currency::PEN).unwrap();
        assert_eq!(money.amount, expected, "{typed}");
        assert_eq!(money.amount.scale(), 2, "{typed}");
    }
}

#[test]
fn keypad_rejections_say_why() {
    let cases = [
        ("", KeypadAmountError::Empty),
        ("12a", KeypadAmountError::InvalidCharacter { position: 2 }),
        ("-5", KeypadAmountError::InvalidCharacter { position: 0 }),
        ("1,000", KeypadAmountError::InvalidCharacter { position: 1 }),
        ("1.2.3", KeypadAmountError::SeveralDecimalPoints),
        (".5", KeypadAmountError::NoIntegerDigits),
        ("5.", KeypadAmountError::NoDecimals),
        ("5.123", KeypadAmountError::TooManyDecimals { count: 3 }),
        ("1234567890123", KeypadAmountError::TooManyDigits { count: 13 }),
    ];
    for (typed, expected) in cases {
        assert_eq!(Money::parse_keypad(typed, Currency::USD), Err(expected), "{typed:?}");
        assert!(expected.to_string().starts_with("amount:"));
        assert!(!expected.customer_message_es().is_empty());
    }
}

#[test]
fn display_text_reads_back() {
    assert_eq!(Money::from_str("S/ 1,234.56"), Ok(Money::pen(dec!(1234.56))));
    assert_eq!(Money::from_str("-US$ 0.05"), Ok(Money::usd(dec!(-0.05))));
    assert_eq!(Money::from_str("S/ 1234.56"), Err(MoneyParseError::BadNumber));
    assert_eq!(Money::from_str("S/ 1,23.00"), Err(MoneyParseError::BadNumber));
    assert_eq!(Money::from_str("€ 1.00"), Err(MoneyParseError::MissingSymbol));
    assert_eq!(Money::from_str("-S/ 0.00"), Err(MoneyParseError::BadNumber));
    let largest = Money::pen(Decimal::MAX);
    assert_eq!(largest.to_string(), "S/ 79,228,162,514,264,337,593,543,950,335.00");
    assert_eq!(Money::from_str(&largest.to_string()), Ok(largest));
    assert_eq!(Money::from_str("S/ 79,228,162,514,264,337,593,543,950,336.00"), Err(MoneyParseError::OutOfRange));
}

fn board() -> ExchangeRate {
    ExchangeRate::new(dec!(3.70), dec!(3.80)).unwrap()
}

#[test]
fn soles_owed_from_a_dollar_account_uses_compra_rounding_up() {
    let conversion = board().convert_for_payment(Money::pen(dec!(100.00)), Currency::USD).unwrap();
    // 100 / 3.70 = 27.027…: 27.02 would cover only S/ 99.97, so 27.03 is debited.
    assert_eq!(conversion.debited, Money::usd(dec!(27.03)));
    assert_eq!(conversion.owed, Money::pen(dec!(100.00)));
    assert_eq!(conversion.rate, dec!(3.70));
    assert_eq!(conversion.side, RateSide::Buy);
    assert_eq!(conversion.side.label_es(), "Compra");
    assert!(conversion.debited_value_in_owed_currency().unwrap() >= conversion.owed);
}

#[test]
fn dollars_owed_from_a_soles_account_uses_venta() {
    let exact = board().convert_for_payment(Money::usd(dec!(50)), Currency::PEN).unwrap();
    assert_eq!(exact.debited, Money::pen(dec!(190.00)));
    assert_eq!(exact.side, RateSide::Sell);
    let rate = ExchangeRate::new(dec!(3.741), dec!(3.752)).unwrap();
    let inexact = rate.convert_for_payment(Money::usd(dec!(33.33)), Currency::PEN).unwrap();
    // 33.33 × 3.752 = 125.05416 → 125.06 (up, never 125.05).
    assert_eq!(inexact.debited, Money::pen(dec!(125.06)));
    assert_eq!(inexact.rate, dec!(3.752));
}

#[test]
fn conversion_refusals() {
    assert_eq!(
        board().convert_for_payment(Money::pen(dec!(1)), Currency::PEN),
        Err(ExchangeError::SameCurrency { currency: Currency::PEN })
    );
    assert!(matches!(
        board().convert_for_payment(Money::usd(dec!(-1)), Currency::PEN),
        Err(ExchangeError::NegativeAmount { .. })
    ));
    assert!(matches!(ExchangeRate::new(dec!(3.9), dec!(3.8)), Err(ExchangeError::BuyAboveSell { .. })));
    assert!(matches!(ExchangeRate::new(dec!(0), dec!(3.8)), Err(ExchangeError::NonPositiveRate { .. })));
    let broken = ExchangeRate { buy: dec!(-1), sell: dec!(3) };
    assert!(broken.convert_for_payment(Money::pen(dec!(1)), Currency::USD).is_err());
}

fn any_currency() -> impl Strategy<Value = Currency> {
    prop_oneof![Just(Currency::PEN), Just(Currency::USD)]
}

proptest! {
    #[test]
    fn formatting_round_trips_through_parsing(cents in -1_000_000_000_000_000i64..1_000_000_000_000_000, currency in any_currency()) {
        let money = Money::from_cents(cents, currency);
        let text = money.to_string();
        prop_assert_eq!(Money::from_str(&text), Ok(money));
    }

    #[test]
    fn unrounded_amounts_read_back_as_their_rounding(units in any::<i64>(), scale in 0u32..8, currency in any_currency()) {
        let money = Money::new(Decimal::new(units, scale), currency);
        prop_assert_eq!(Money::from_str(&money.to_string()), Ok(money.round_cents()));
    }

    #[test]
    fn any_decimal_formats_and_reads_back(lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(), negative in any::<bool>(), scale in 0u32..=28, currency in any_currency()) {
        let money = Money::new(Decimal::from_parts(lo, mid, hi, negative, scale), currency);
        let text = money.to_string();
        prop_assert!(text.len() >= 7, "{}", text);
        prop_assert_eq!(Money::from_str(&text), Ok(money.round_cents()));
        let _ = (money.to_cents(), money.format_amount(), money.checked_add(money), money.checked_mul(money.amount));
        let _ = board().convert_for_payment(money.abs(), currency.other());
    }

    #[test]
    fn keypad_reads_what_the_screen_echoes(cents in 0i64..100_000_000_000_000, currency in any_currency()) {
        let money = Money::from_cents(cents, currency);
        let typed = money.format_amount().replace(',', "");
        prop_assert_eq!(Money::parse_keypad(&typed, currency), Ok(money));
    }

    #[test]
    fn conversion_covers_the_debt_by_less_than_a_cent(
        owed_cents in 0i64..10_000_000_000,
        buy_milli in 2_000i64..5_000,
        spread_milli in 0i64..300,
        owed_in_soles in any::<bool>(),
    ) {
        let rate = ExchangeRate::new(Decimal::new(buy_milli, 3), Decimal::new(buy_milli + spread_milli, 3)).unwrap();
        let (owed, account) = if owed_in_soles {
            (Money::from_cents(owed_cents, Currency::PEN), Currency::USD)
        } else {
            (Money::from_cents(owed_cents, Currency::USD), Currency::PEN)
        };
        let conversion = rate.convert_for_payment(owed, account).unwrap();
        prop_assert_eq!(conversion.debited.currency, account);
        let covered = conversion.debited_value_in_owed_currency().unwrap();
        prop_assert!(covered >= owed);
        let one_cent_less = Conversion { debited: conversion.debited.checked_sub(Money::from_cents(1, account)).unwrap(), ..conversion };
        prop_assert!(owed.is_zero() || one_cent_less.debited_value_in_owed_currency().unwrap() < owed);
    }
}
