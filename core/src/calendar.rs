//! Business days in Peru: Monday to Friday minus the national holidays (feriados) of article 6 of
//! Decreto Legislativo 713, as rules that know the year each holiday came into force, plus Maundy
//! Thursday and Good Friday computed from Easter. Used for request deadlines (R11: 15 business days).
//!
//! Días no laborables declared by decree for the public sector are not holidays: agencies and the caja's
//! counters open on them, so they remain business days here.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Offset, Utc, Weekday};
use serde::Serialize;

/// A national holiday on a fixed day of the year, and the first year it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FixedHoliday {
    pub month: u32,
    pub day: u32,
    /// The first year the holiday applies (the law's first occurrence after its publication).
    pub since: i32,
    pub name: &'static str,
    /// The norm that made it a national holiday.
    pub norm: &'static str,
}

/// Fixed-date national holidays. Older dates are counted from 1991 (D.Leg. 713); the newer ones from the
/// first year their law applied:
/// - 9 December, Ley 31381, published 31/12/2021: from 2022.
/// - 6 August, Ley 31530, promulgated before 6/8/2022 (a Saturday that year): from 2022.
/// - 23 July, Ley 31822, July 2023: from 2023.
/// - 7 June, Ley 31788, published after 7/6/2023 (insistence): first observed in 2024.
pub const FIXED_HOLIDAYS: &[FixedHoliday] = &[
    FixedHoliday { month: 1, day: 1, since: 1991, name: "Año Nuevo", norm: "D.Leg. 713" },
    FixedHoliday { month: 5, day: 1, since: 1991, name: "Día del Trabajo", norm: "D.Leg. 713" },
    FixedHoliday { month: 6, day: 7, since: 2024, name: "Batalla de Arica y Día de la Bandera", norm: "Ley 31788" },
    FixedHoliday { month: 6, day: 29, since: 1991, name: "San Pedro y San Pablo", norm: "D.Leg. 713" },
    FixedHoliday { month: 7, day: 23, since: 2023, name: "Día de la Fuerza Aérea del Perú", norm: "Ley 31822" },
    FixedHoliday { month: 7, day: 28, since: 1991, name: "Fiestas Patrias", norm: "D.Leg. 713" },
    FixedHoliday { month: 7, day: 29, since: 1991, name: "Fiestas Patrias", norm: "D.Leg. 713" },
    FixedHoliday { month: 8, day: 6, since: 2022, name: "Batalla de Junín", norm: "Ley 31530" },
    FixedHoliday { month: 8, day: 30, since: 1991, name: "Santa Rosa de Lima", norm: "D.Leg. 713" },
    FixedHoliday { month: 10, day: 8, since: 1991, name: "Combate de Angamos", norm: "D.Leg. 713" },
    FixedHoliday { month: 11, day: 1, since: 1991, name: "Todos los Santos", norm: "D.Leg. 713" },
    FixedHoliday { month: 12, day: 8, since: 1991, name: "Inmaculada Concepción", norm: "D.Leg. 713" },
    FixedHoliday { month: 12, day: 9, since: 2022, name: "Batalla de Ayacucho", norm: "Ley 31381" },
    FixedHoliday { month: 12, day: 25, since: 1991, name: "Navidad", norm: "D.Leg. 713" },
];

/// One holiday of a given year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: &'static str,
}

/// Peru's civil time: UTC−5 all year (Peru keeps no daylight saving time). Business dates, deadlines and
/// every time a customer reads are in this offset.
pub fn lima_offset() -> FixedOffset {
    // −5 h is within the ±24 h that `FixedOffset` accepts, so the fallback (UTC) is never taken.
    FixedOffset::west_opt(5 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The instant in Lima time.
pub fn lima_time(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&lima_offset())
}

/// The Peruvian calendar date of an instant.
pub fn lima_date(at: DateTime<Utc>) -> NaiveDate {
    lima_time(at).date_naive()
}

/// `09/09/2020 10:08:30`, the seeds' "Fecha y hora" form, in Lima time.
pub fn lima_printed(at: DateTime<Utc>) -> String {
    lima_time(at).format("%d/%m/%Y %H:%M:%S").to_string()
}

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian algorithm, Meeus/Jones/
/// Butcher). `None` only for years chrono cannot represent.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Every national holiday of `year`, in date order.
pub fn holidays(year: i32) -> Vec<Holiday> {
    let mut list: Vec<Holiday> = FIXED_HOLIDAYS
        .iter()
        .filter(|h| year >= h.since)
        .filter_map(|h| NaiveDate::from_ymd_opt(year, h.month, h.day).map(|date| Holiday { date, name: h.name }))
        .collect();
    if let Some(easter) = easter_sunday(year) {
        list.push(Holiday { date: easter - Duration::days(3), name: "Jueves Santo" });
        list.push(Holiday { date: easter - Duration::days(2), name: "Viernes Santo" });
    }
    list.sort_by_key(|h| h.date);
    list
}

/// The holiday falling on `date`, if any.
pub fn holiday_on(date: NaiveDate) -> Option<Holiday> {
    holidays(date.year()).into_iter().find(|h| h.date == date)
}

/// Monday to Friday and not a national holiday.
pub fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && holiday_on(date).is_none()
}

/// The date `n` business days after `date` (the day itself not counted, as deadlines are counted from
/// the day after the request). `n = 0` gives `date` itself. `None` past the end of the calendar.
pub fn add_business_days(date: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut current = date;
    let mut remaining = n;
    while remaining > 0 {
        current = current.succ_opt()?;
        if is_business_day(current) {
            remaining -= 1;
        }
    }
    Some(current)
}

/// The deadline of a customer request filed on `filed` (R11: answered within 15 business days).
pub fn request_deadline(filed: NaiveDate) -> Option<NaiveDate> {
    add_business_days(filed, REQUEST_DEADLINE_BUSINESS_DAYS)
}

/// Business days the caja has to answer a request (creditos §III, §V, 3.9).
pub const REQUEST_DEADLINE_BUSINESS_DAYS: u32 = 15;

#[cfg(test)]
mod tests {
    #[test]
    fn lima_is_five_hours_behind_utc_and_its_date_turns_at_five_utc() {
        let before = DateTime::parse_from_rfc3339("2026-11-22T04:59:59Z").unwrap().with_timezone(&Utc);
        let after = DateTime::parse_from_rfc3339("2026-11-22T05:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(lima_date(before), NaiveDate::from_ymd_opt(2026, 11, 21).unwrap());
        assert_eq!(lima_date(after), NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
        assert_eq!(lima_printed(before), "21/11/2026 23:59:59");
        // No daylight saving: the same offset in the southern summer and winter.
        let july = DateTime::parse_from_rfc3339("2026-07-01T12:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(lima_time(july).offset().local_minus_utc(), -5 * 3600);
    }

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn easter_matches_published_dates() {
        let known = [
            (2020, 4, 12),
            (2021, 4, 4),
            (2022, 4, 17),
            (2023, 4, 9),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2031, 4, 13),
            (2032, 3, 28),
            (2033, 4, 17),
            (2034, 4, 9),
            (2035, 3, 25),
        ];
        for (y, m, d) in known {
            assert_eq!(easter_sunday(y), Some(date(y, m, d)), "{y}");
        }
    }

    #[test]
    fn weekends_and_holidays_are_not_business_days() {
        assert!(is_business_day(date(2025, 7, 22)));
        assert!(!is_business_day(date(2025, 7, 23)));
        assert!(!is_business_day(date(2025, 7, 26)));
        assert!(!is_business_day(date(2025, 4, 18)));
        assert_eq!(holiday_on(date(2025, 4, 17)).map(|h| h.name), Some("Jueves Santo"));
    }

    #[test]
    fn newer_holidays_apply_only_from_their_first_year() {
        assert!(is_business_day(date(2023, 6, 7)), "7 June 2023 was a working Wednesday");
        assert!(!is_business_day(date(2024, 6, 7)));
        assert!(is_business_day(date(2021, 8, 6)));
        assert!(!is_business_day(date(2024, 8, 6)));
        assert!(is_business_day(date(2021, 12, 9)));
        assert!(!is_business_day(date(2022, 12, 9)));
    }

    #[test]
    fn deadlines_skip_weekends_and_holidays() {
        // Filed Friday 18/07/2025: 21, 22, 24, 25, 30, 31 Jul, 1, 4, 5, 7, 8, 11, 12, 13, 14 Aug.
        assert_eq!(request_deadline(date(2025, 7, 18)), Some(date(2025, 8, 14)));
        assert_eq!(add_business_days(date(2025, 7, 18), 0), Some(date(2025, 7, 18)));
        assert_eq!(add_business_days(date(2025, 7, 18), 1), Some(date(2025, 7, 21)));
        // Filed Saturday 06/12/2025: Monday 8 and Tuesday 9 are holidays, so the count starts on Wednesday.
        assert_eq!(add_business_days(date(2025, 12, 6), 2), Some(date(2025, 12, 11)));
    }
}
