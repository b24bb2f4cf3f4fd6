//! A rate as configured: `N/PERIOD` (`10/1m`, `3/2s`, `100/1h`) or `off`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// At most `max` requests per `per`, with bursts of up to `max`. `max == 0`
/// means no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub max: u32,
    pub per: Duration,
}

impl Rate {
    /// No limit at all.
    pub const OFF: Rate = Rate {
        max: 0,
        per: Duration::ZERO,
    };

    pub const fn new(max: u32, per: Duration) -> Self {
        Self { max, per }
    }

    pub fn is_off(self) -> bool {
        self.max == 0 || self.per.is_zero()
    }

    /// The spacing of requests at the steady rate (GCRA's emission interval).
    pub(crate) fn interval(self) -> Duration {
        self.per / self.max.max(1)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid rate {input:?}: {why} (expected N/PERIOD such as 10/1m, 5/30s, 100/1h, or off)")]
pub struct ParseRateError {
    input: String,
    why: String,
}

impl FromStr for Rate {
    type Err = ParseRateError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let error = |why: &str| ParseRateError {
            input: input.to_owned(),
            why: why.to_owned(),
        };
        let trimmed = input.trim();
        if trimmed.eq_ignore_ascii_case("off") || trimmed == "0" {
            return Ok(Rate::OFF);
        }
        let (max, per) = trimmed
            .split_once('/')
            .ok_or_else(|| error("no `/` between the count and the period"))?;
        let max: u32 = max
            .trim()
            .parse()
            .map_err(|_| error("the count is not a whole number"))?;
        let per = per.trim();
        // `10/s` reads as `10/1s`.
        let per = if per.starts_with(|c: char| c.is_ascii_digit()) {
            humantime::parse_duration(per).map_err(|err| error(&err.to_string()))?
        } else {
            humantime::parse_duration(&format!("1{per}")).map_err(|err| error(&err.to_string()))?
        };
        if max > 0 && per < Duration::from_millis(1) {
            return Err(error("the period must be at least 1ms"));
        }
        Ok(Rate { max, per })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_off() {
            f.write_str("off")
        } else {
            write!(f, "{}/{}", self.max, humantime::format_duration(self.per))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rates() {
        let rate = |s: &str| s.parse::<Rate>().unwrap();
        assert_eq!(rate("10/1m"), Rate::new(10, Duration::from_mins(1)));
        assert_eq!(rate(" 5 / 30s "), Rate::new(5, Duration::from_secs(30)));
        assert_eq!(rate("100/1h"), Rate::new(100, Duration::from_hours(1)));
        assert_eq!(rate("3/m"), Rate::new(3, Duration::from_mins(1)));
        assert_eq!(rate("2/500ms"), Rate::new(2, Duration::from_millis(500)));
        assert!(rate("off").is_off());
        assert!(rate("OFF").is_off());
        assert!(rate("0").is_off());
        assert!(rate("0/1m").is_off());
        for bad in [
            "",
            "10",
            "ten/1m",
            "10/",
            "10/1 fortnight",
            "-1/1m",
            "10/0s",
        ] {
            assert!(bad.parse::<Rate>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn displays_what_it_parses() {
        for s in ["10/1m", "5/30s", "off"] {
            assert_eq!(s.parse::<Rate>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn interval_spreads_the_period() {
        assert_eq!(
            Rate::new(10, Duration::from_mins(1)).interval(),
            Duration::from_secs(6)
        );
    }
}
