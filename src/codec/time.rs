//! Beijing time (UTC+8, no daylight saving) from Unix epoch milliseconds — no time-zone database,
//! which Wasm does not have.

use crate::error::{Error, Result};

const BEIJING_OFFSET_SECONDS: i64 = 8 * 3600;

/// Whole seconds since the Unix epoch of a host clock reading in milliseconds (`Date.now()`), as
/// WeChat Pay's timestamps carry them. Readings from 1970 to (Beijing) year 9999 only: enough for
/// any real clock, and NaN, infinities and negative values are `ERR_BAD_INPUT`.
pub fn epoch_seconds(epoch_ms: f64) -> Result<u64> {
    // The bound is 10000-01-01 00:00:00 Beijing time, i.e. eight hours before that instant in UTC.
    if !epoch_ms.is_finite() || !(0.0..253_402_272_000_000.0).contains(&epoch_ms) {
        return Err(Error::bad_input("timestamp must be milliseconds since 1970 before year 10000"));
    }
    Ok((epoch_ms / 1000.0).floor() as u64)
}

/// `yyyy-MM-dd HH:mm:ss` in Beijing time, as Alipay's `timestamp` parameter wants it.
pub fn beijing_datetime(epoch_ms: f64) -> Result<String> {
    // Beijing years 1970..=9999 only, so the format stays four-digit.
    let seconds = epoch_seconds(epoch_ms)? as i64 + BEIJING_OFFSET_SECONDS;
    let (days, rem) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    Ok(format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60))
}

/// Howard Hinnant's days-from-civil inverse: proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_is_utc_plus_eight() {
        assert_eq!(beijing_datetime(0.0).unwrap(), "1970-01-01 08:00:00");
        // 2024-01-01 04:00:00 UTC
        assert_eq!(beijing_datetime(1_704_081_600_000.0).unwrap(), "2024-01-01 12:00:00");
        // Day rollover: 2024-02-28 16:30:59.999 UTC → 29 Feb in Beijing (leap year).
        assert_eq!(beijing_datetime(1_709_137_859_999.0).unwrap(), "2024-02-29 00:30:59");
        assert_eq!(beijing_datetime(1_740_760_200_000.0).unwrap(), "2025-03-01 00:30:00");
        assert_eq!(beijing_datetime(1_735_660_800_000.0).unwrap(), "2025-01-01 00:00:00");
    }

    #[test]
    fn refuses_out_of_range() {
        assert_eq!(beijing_datetime(253_402_271_999_999.0).unwrap(), "9999-12-31 23:59:59");
        for bad in [-1.0, f64::NAN, f64::INFINITY, 1e20, 253_402_272_000_000.0] {
            assert!(beijing_datetime(bad).is_err());
            assert!(epoch_seconds(bad).is_err());
        }
        assert_eq!(epoch_seconds(1_700_000_000_999.0).unwrap(), 1_700_000_000);
        assert_eq!(epoch_seconds(0.0).unwrap(), 0);
    }
}
