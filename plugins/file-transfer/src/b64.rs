//! `file.write`'s base64, as strict as the real (`inspectStrictBase64`): the standard and the
//! URL-safe alphabet, `=` only as final padding, no whitespace, and no stray bits in the last
//! character.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

pub enum Decoded {
    Bytes(Vec<u8>),
    Invalid,
    /// What it would decode to, counted before decoding.
    TooLarge(u64),
}

const UNPADDED: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

pub fn decode_strict(text: &str, max: u64) -> Decoded {
    let bytes = text.as_bytes();
    let data_end = bytes.iter().rposition(|&c| c != b'=').map_or(0, |i| i + 1);
    let data = &bytes[..data_end];
    let padding = bytes.len() - data_end;
    let alphabet_ok = data
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_'));
    let shape_ok = match padding {
        0 => data.len() % 4 != 1,
        1 | 2 => bytes.len().is_multiple_of(4) && data.len() % 4 == 4 - padding,
        _ => false,
    };
    if !alphabet_ok || !shape_ok {
        return Decoded::Invalid;
    }
    let size = (data.len() as u64 * 3) / 4;
    if size > max {
        return Decoded::TooLarge(size);
    }
    // One alphabet for the decoder; a copy only when URL-safe characters are there.
    let standard: std::borrow::Cow<[u8]> = if data.iter().any(|&c| c == b'-' || c == b'_') {
        data.iter()
            .map(|&c| match c {
                b'-' => b'+',
                b'_' => b'/',
                other => other,
            })
            .collect::<Vec<u8>>()
            .into()
    } else {
        data.into()
    };
    match UNPADDED.decode(&standard) {
        Ok(decoded) => Decoded::Bytes(decoded),
        Err(_) => Decoded::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Option<Vec<u8>> {
        match decode_strict(text, 1 << 24) {
            Decoded::Bytes(b) => Some(b),
            _ => None,
        }
    }

    #[test]
    fn only_canonical_base64_decodes() {
        assert_eq!(ok("aGk="), Some(b"hi".to_vec()));
        assert_eq!(ok("aGk"), Some(b"hi".to_vec()));
        assert_eq!(ok(""), Some(Vec::new()));
        assert_eq!(ok("-_8="), ok("+/8="));
        for bad in [
            "aGj=", "aGk= ", "aG k=", "a", "aGk===", "aG=k", "aGk=A", "a===", "aG=",
        ] {
            assert_eq!(ok(bad), None, "{bad:?}");
        }
        assert!(matches!(decode_strict("AAAAAA==", 3), Decoded::TooLarge(4)));
    }
}
