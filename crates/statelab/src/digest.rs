//! The hash algorithms Step Functions offers (`States.Hash`, JSONata's `$hash`): one table, so
//! both answer alike.

use sha2::Digest as _;

/// The algorithm names Step Functions accepts, in the order its documentation lists them.
pub const ALGORITHMS: [&str; 5] = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

/// The lowercase hex digest of `data`, or `None` for an algorithm Step Functions does not offer
/// (names are exact: `sha-1` is not `SHA-1`).
pub fn hex_digest(algorithm: &str, data: &[u8]) -> Option<String> {
    Some(match algorithm {
        "MD5" => hex(&md5::Md5::digest(data)),
        "SHA-1" => hex(&sha1::Sha1::digest(data)),
        "SHA-256" => hex(&sha2::Sha256::digest(data)),
        "SHA-384" => hex(&sha2::Sha384::digest(data)),
        "SHA-512" => hex(&sha2::Sha512::digest(data)),
        _ => return None,
    })
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            s.push(char::from(HEX.get(usize::from(nibble)).copied().unwrap_or(b'0')));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            hex_digest("SHA-1", b"input").as_deref(),
            Some("140f86aae51ab9e1cda9b4254fe98a74eb54c1a1")
        );
        assert_eq!(hex_digest("MD5", b"").as_deref(), Some("d41d8cd98f00b204e9800998ecf8427e"));
        assert_eq!(hex_digest("sha-1", b"input"), None);
        for a in ALGORITHMS {
            assert!(hex_digest(a, b"x").is_some());
        }
    }
}
