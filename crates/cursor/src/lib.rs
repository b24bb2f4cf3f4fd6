//! Opaque cursors, for every paginated list and event stream: base64url
//! (no padding) of `<tag>:<field>[:<field>…]`.
//!
//! Clients treat them as strings. Inside, the tag names the list (and its
//! version) so that a cursor of one list is refused by another, and the
//! fields are the position in it: a position, not an offset, so it keeps
//! its meaning while rows come and go.
//!
//! A cursor decodes only if it is exactly what [`encode`] gives for the
//! position it decodes to: one spelling per position (no leading zeros,
//! signs, other case or padding), which the fuzz targets check as a
//! property. Junk of any kind is `None`, never a panic, and no more than
//! [`MAX_LEN`] bytes of it are looked at.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Longer than any cursor handed out; bounds the work spent on junk.
pub const MAX_LEN: usize = 128;

/// A position in a list, as the fields of its cursor.
pub trait Position: Sized {
    /// The fields, in order; none may contain `:`.
    fn fields(&self) -> Vec<String>;
    /// The position these fields stand for, if they are one.
    fn from_fields(fields: &[&str]) -> Option<Self>;
}

/// The cursor of `position` in the list tagged `tag`.
pub fn encode<P: Position>(tag: &str, position: &P) -> String {
    let mut text = String::from(tag);
    for field in position.fields() {
        text.push(':');
        text.push_str(&field);
    }
    URL_SAFE_NO_PAD.encode(text)
}

/// The position `cursor` stands for in the list tagged `tag`; `None` for
/// anything that is not exactly such a cursor.
pub fn decode<P: Position>(tag: &str, cursor: &str) -> Option<P> {
    if cursor.is_empty() || cursor.len() > MAX_LEN {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let mut parts = text.split(':');
    if parts.next()? != tag {
        return None;
    }
    let fields: Vec<&str> = parts.collect();
    let position = P::from_fields(&fields)?;
    (encode(tag, &position) == cursor).then_some(position)
}

/// A sequence number or row id: one field of decimal digits, never
/// negative.
impl Position for i64 {
    fn fields(&self) -> Vec<String> {
        vec![self.to_string()]
    }

    fn from_fields(fields: &[&str]) -> Option<Self> {
        let [digits] = fields else { return None };
        // `i64::from_str` alone would also take a sign.
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> String {
        URL_SAFE_NO_PAD.encode(text)
    }

    #[test]
    fn numbers_round_trip() {
        for n in [0_i64, 1, 42, 1 << 40, i64::MAX] {
            let cursor = encode("v1", &n);
            assert!(cursor.len() <= MAX_LEN);
            assert!(
                cursor
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{cursor} is not url-safe"
            );
            assert_eq!(decode::<i64>("v1", &cursor), Some(n));
        }
        // The spelling is the one every list used before this crate.
        assert_eq!(encode("m", &5_i64), b64("m:5"));
    }

    #[test]
    fn junk_and_other_spellings_are_refused() {
        let junk = [
            String::new(),
            "junk!".to_owned(),
            "v1:5".to_owned(),
            b64("v2:5"),
            b64("v1:"),
            b64("v1"),
            b64("v1:-1"),
            b64("v1:+1"),
            b64("v1: 1"),
            b64("v1:1x"),
            b64("v1:5:6"),
            b64("v1:99999999999999999999"),
            format!("{}=", encode("v1", &5_i64)),
            URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x00]),
            "A".repeat(MAX_LEN + 4),
            b64("v1:007"),
            b64("v1:-0"),
        ];
        for cursor in &junk {
            assert_eq!(decode::<i64>("v1", cursor), None, "{cursor:?} accepted");
        }
        // Another list's cursor.
        assert_eq!(decode::<i64>("v1", &encode("m", &5_i64)), None);
    }
}
