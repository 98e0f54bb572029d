//! Peruvian national holidays year by year against the official lists, and business-day deadlines.

use chrono::{Datelike, NaiveDate, Weekday};
use servicaja_core::calendar::{add_business_days, holidays, is_business_day, request_deadline};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn listed(year: i32) -> Vec<(u32, u32)> {
    holidays(year).iter().map(|h| (h.date.month(), h.date.day())).collect()
}

#[test]
fn year_2020_had_twelve_holidays() {
    // D.Leg. 713 as it stood: Easter 12 April 2020.
    assert_eq!(
        listed(2020),
        [(1, 1), (4, 9), (4, 10), (5, 1), (6, 29), (7, 28), (7, 29), (8, 30), (10, 8), (11, 1), (12, 8), (12, 25)]
    );
}

#[test]
fn year_2022_adds_junin_and_ayacucho() {
    // Ley 31530 (6 August) and Ley 31381 (9 December); Easter 17 April 2022.
    assert_eq!(
        listed(2022),
        [
            (1, 1),
            (4, 14),
            (4, 15),
            (5, 1),
            (6, 29),
            (7, 28),
            (7, 29),
            (8, 6),
            (8, 30),
            (10, 8),
            (11, 1),
            (12, 8),
            (12, 9),
            (12, 25)
        ]
    );
}

#[test]
fn year_2023_adds_air_force_day_but_not_yet_flag_day() {
    let list = listed(2023);
    assert!(list.contains(&(7, 23)));
    assert!(!list.contains(&(6, 7)));
    assert!(list.contains(&(4, 6)) && list.contains(&(4, 7)));
    assert_eq!(list.len(), 15);
}

#[test]
fn year_2024_has_sixteen_holidays() {
    // Easter 31 March 2024: Maundy Thursday and Good Friday on 28 and 29 March.
    assert_eq!(
        listed(2024),
        [
            (1, 1),
            (3, 28),
            (3, 29),
            (5, 1),
            (6, 7),
            (6, 29),
            (7, 23),
            (7, 28),
            (7, 29),
            (8, 6),
            (8, 30),
            (10, 8),
            (11, 1),
            (12, 8),
            (12, 9),
            (12, 25)
        ]
    );
}

#[test]
fn year_2025_matches_the_published_calendar() {
    // El Peruano / D.Leg. 713 art. 6 as amended: 16 feriados in 2025.
    assert_eq!(
        listed(2025),
        [
            (1, 1),
            (4, 17),
            (4, 18),
            (5, 1),
            (6, 7),
            (6, 29),
            (7, 23),
            (7, 28),
            (7, 29),
            (8, 6),
            (8, 30),
            (10, 8),
            (11, 1),
            (12, 8),
            (12, 9),
            (12, 25)
        ]
    );
}

#[test]
fn year_2026_matches_the_published_calendar() {
    // RPP / Diario Correo, December 2025: 16 feriados; Easter 5 April 2026.
    assert_eq!(
        listed(2026),
        [
            (1, 1),
            (4, 2),
            (4, 3),
            (5, 1),
            (6, 7),
            (6, 29),
            (7, 23),
            (7, 28),
            (7, 29),
            (8, 6),
            (8, 30),
            (10, 8),
            (11, 1),
            (12, 8),
            (12, 9),
            (12, 25)
        ]
    );
}

#[test]
fn every_year_2020_to_2035_has_holy_week_on_thursday_and_friday() {
    for year in 2020..=2035 {
        let list = holidays(year);
        let thursday = list.iter().find(|h| h.name == "Jueves Santo").unwrap();
        let friday = list.iter().find(|h| h.name == "Viernes Santo").unwrap();
        assert_eq!(thursday.date.weekday(), Weekday::Thu, "{year}");
        assert_eq!(friday.date.weekday(), Weekday::Fri, "{year}");
        assert_eq!(friday.date - thursday.date, chrono::Duration::days(1));
        let expected = if year >= 2024 {
            16
        } else if year == 2023 {
            15
        } else if year >= 2022 {
            14
        } else {
            12
        };
        assert_eq!(list.len(), expected, "{year}");
        assert!(list.windows(2).all(|w| w[0].date < w[1].date), "{year} is sorted without duplicates");
    }
}

#[test]
fn fifteen_business_days_skip_holy_week_and_fiestas_patrias() {
    // Filed Monday 7 April 2025: Holy Thursday and Friday (17, 18) are skipped.
    assert_eq!(request_deadline(date(2025, 4, 7)), Some(date(2025, 4, 30)));
    // Filed Friday 18 July 2025: 23, 28 and 29 July and 6 August are skipped.
    assert_eq!(request_deadline(date(2025, 7, 18)), Some(date(2025, 8, 14)));
    // Across the new year: 25 December and 1 January are skipped.
    assert_eq!(add_business_days(date(2025, 12, 22), 5), Some(date(2025, 12, 30)));
    assert_eq!(add_business_days(date(2025, 12, 29), 3), Some(date(2026, 1, 2)));
}

#[test]
fn a_deadline_always_lands_on_a_business_day_and_counts_exactly() {
    let mut day = date(2020, 1, 1);
    while day <= date(2035, 12, 31) {
        let deadline = request_deadline(day).unwrap();
        assert!(is_business_day(deadline), "{day} → {deadline}");
        let counted = day.iter_days().skip(1).take_while(|d| *d <= deadline).filter(|d| is_business_day(*d)).count();
        assert_eq!(counted, 15, "{day}");
        day += chrono::Duration::days(17);
    }
}
