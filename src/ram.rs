//! RAM as an exact integer quantity.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Sub, SubAssign};

/// An amount of RAM. **Every `Ram` is a whole number of hundredths of a GB**, the
/// game's own resolution (script costs such as 1.70 and 1.75 GB are exact here).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ram(pub u64);

impl Ram {
    /// No RAM at all.
    pub const ZERO: Ram = Ram(0);
    /// One hack thread (1.70 GB).
    pub const HACK: Ram = Ram(170);
    /// One grow or weaken thread (1.75 GB).
    pub const THREAD: Ram = Ram(175);

    /// Converts a GB amount that has at most two decimals; `None` otherwise, or
    /// when negative, not finite or too large for the game (over 2^40 GB).
    pub fn from_gb(gb: f64) -> Option<Ram> {
        let hundredths = gb * 100.0;
        let whole = hundredths.round();
        // A two-decimal amount is off a whole hundredth by float noise only: a few
        // units in the last place of `hundredths` (about 0.02 at 2^40 GB).
        let exact = (hundredths - whole).abs() <= (4.0 * f64::EPSILON * hundredths.abs()).max(1e-6);
        ((0.0..=1_099_511_627_776.0).contains(&gb) && exact).then_some(Ram(whole as u64))
    }

    /// The amount in GB, for output.
    pub fn gb(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// How many whole `chunk`s fit in `self` (zero when `chunk` is zero).
    pub fn fits(self, chunk: Ram) -> u64 {
        self.0.checked_div(chunk.0).unwrap_or(0)
    }

    /// `self - other`, or zero when `other` is larger.
    pub fn saturating_sub(self, other: Ram) -> Ram {
        Ram(self.0.saturating_sub(other.0))
    }
}

impl fmt::Display for Ram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02} GB", self.0 / 100, self.0 % 100)
    }
}

impl Add for Ram {
    type Output = Ram;
    fn add(self, rhs: Ram) -> Ram {
        Ram(self.0 + rhs.0)
    }
}

impl AddAssign for Ram {
    fn add_assign(&mut self, rhs: Ram) {
        self.0 += rhs.0;
    }
}

impl Sub for Ram {
    type Output = Ram;
    fn sub(self, rhs: Ram) -> Ram {
        Ram(self.0 - rhs.0)
    }
}

impl SubAssign for Ram {
    fn sub_assign(&mut self, rhs: Ram) {
        self.0 -= rhs.0;
    }
}

impl Mul<u64> for Ram {
    type Output = Ram;
    fn mul(self, n: u64) -> Ram {
        Ram(self.0 * n)
    }
}

impl Sum for Ram {
    fn sum<I: Iterator<Item = Ram>>(iter: I) -> Ram {
        Ram(iter.map(|r| r.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::Ram;

    #[test]
    fn two_decimals_are_exact() {
        assert_eq!(Ram::from_gb(1.7), Some(Ram(170)));
        assert_eq!(Ram::from_gb(6.95), Some(Ram(695)));
        assert_eq!(Ram::from_gb(1_048_576.0), Some(Ram(104_857_600)));
        assert_eq!(Ram::from_gb(0.001), None);
        assert_eq!(Ram::from_gb(8192.005), None);
        assert_eq!(Ram::from_gb(1.0004), None);
        assert_eq!(Ram::from_gb(6.9504), None);
        assert_eq!(Ram::from_gb(1_099_511_627_775.99), Some(Ram(109_951_162_777_599)));
        assert_eq!(Ram::from_gb(-1.0), None);
        assert_eq!(Ram::from_gb(f64::NAN), None);
        assert_eq!(Ram(2275).to_string(), "22.75 GB");
        assert_eq!(Ram(700).fits(Ram(175)), 4);
        assert_eq!(Ram(700).fits(Ram::ZERO), 0);
    }
}
