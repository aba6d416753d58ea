//! Timestamps: the real service sends three styles (`Z`, `+00:00`, and no zone at all,
//! which means UTC). We read all three and always write RFC 3339 with `Z`.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Timestamp {
        Timestamp(Utc::now())
    }

    /// Only instants whose UTC year has four digits: RFC 3339 cannot write any other, so we
    /// could not read back what we write (found by the `timestamp` fuzz target: "+202026-…").
    pub fn parse(raw: &str) -> Option<Timestamp> {
        Self::parse_any_year(raw).filter(|t| (0..=9999).contains(&t.0.year()))
    }

    fn parse_any_year(raw: &str) -> Option<Timestamp> {
        let raw = raw.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
            return Some(Timestamp(t.with_timezone(&Utc)));
        }
        for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(raw, format) {
                return Some(Timestamp(t.and_utc()));
            }
        }
        // "2026-11-23 07:36:29.42+00:00" (space instead of T, with a zone)
        DateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f%:z")
            .ok()
            .map(|t| Timestamp(t.with_timezone(&Utc)))
    }

    pub fn to_rfc3339(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = std::borrow::Cow::<str>::deserialize(d)?;
        Timestamp::parse(&raw)
            .ok_or_else(|| serde::de::Error::custom(format!("unreadable timestamp {raw:?}")))
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_styles_as_utc() {
        let z = Timestamp::parse("2026-11-23T07:36:28.835420Z").unwrap();
        let offset = Timestamp::parse("2026-11-23T07:36:28.835420+00:00").unwrap();
        let naive = Timestamp::parse("2026-11-23T07:36:28.835420").unwrap();
        assert_eq!(z, offset);
        assert_eq!(z, naive);
        let shifted = Timestamp::parse("2026-11-23T08:36:28.835420+01:00").unwrap();
        assert_eq!(z, shifted);
        assert_eq!(z.to_rfc3339(), "2026-11-23T07:36:28.835420Z");
        assert!(Timestamp::parse("yesterday").is_none());
    }

    /// Fuzz regression: a five-digit year parsed (chrono's `%Y` takes a sign and more
    /// digits) but its RFC 3339 form did not; now neither is accepted, and the edges are.
    #[test]
    fn years_outside_rfc_3339_are_refused_and_what_we_write_reads_back() {
        assert!(Timestamp::parse("+202026-01-23T07:3:29").is_none());
        assert!(Timestamp::parse("-0001-01-01T00:00:00").is_none());
        // An offset may push a four-digit local year out of range in UTC.
        assert!(Timestamp::parse("9999-12-31T23:00:00-05:00").is_none());
        for raw in ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"] {
            let t = Timestamp::parse(raw).unwrap();
            assert_eq!(Timestamp::parse(&t.to_rfc3339()), Some(t));
        }
    }
}
