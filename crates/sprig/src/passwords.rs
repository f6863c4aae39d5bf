//! Sprig's password functions: `bcrypt` and `htpasswd` (bcrypt at Go's default cost, `$2a$`
//! hashes as golang.org/x/crypto writes them) and `derivePassword` (the Master Password
//! algorithm: scrypt, then HMAC-SHA256 picking characters from templates).
//!
//! Sprig returns failures of these functions as their text instead of an error, so they do too.

use helmet_value::{ArgType, FuncError, FuncMap, Value};
use hmac::{KeyInit, Mac};

use crate::{arg_int, arg_str, def};

/// golang.org/x/crypto/bcrypt's `DefaultCost`.
const BCRYPT_COST: u32 = 10;

/// bcrypt uses only this many bytes of a password; Go refuses longer ones.
const BCRYPT_MAX_PASSWORD: usize = 72;

/// bcrypt's own base64 alphabet (no padding).
const BCRYPT_B64: &[u8; 64] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Encodes bytes in bcrypt's unpadded base64.
fn bcrypt_base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() * 4 / 3 + 2);
    for chunk in data.chunks(3) {
        let b0 = chunk[0];
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let symbols = [
            b0 >> 2,
            (b0 & 3) << 4 | b1 >> 4,
            (b1 & 15) << 2 | b2 >> 6,
            b2 & 63,
        ];
        for &s in &symbols[..chunk.len() + 1] {
            out.push(char::from(BCRYPT_B64[usize::from(s)]));
        }
    }
    out
}

/// The `$2a$` hash of `password` with `salt` at `cost`, as Go's bcrypt formats it.
fn bcrypt_with_salt(password: &[u8], salt: [u8; 16], cost: u32) -> String {
    // Go hashes the password followed by a NUL byte; Blowfish's key schedule reads at most 72
    // bytes of it.
    let mut key = Vec::with_capacity(password.len() + 1);
    key.extend_from_slice(password);
    key.push(0);
    key.truncate(BCRYPT_MAX_PASSWORD);
    let digest = bcrypt::bcrypt(cost, salt, &key);
    // Go keeps 23 of the 24 output bytes, as the original OpenBSD code does.
    format!(
        "$2a${cost:02}${}{}",
        bcrypt_base64(&salt),
        bcrypt_base64(&digest[..23])
    )
}

/// Sprig's `bcrypt`: a fresh salt each call; a failure comes back as text.
fn sprig_bcrypt(password: &str) -> Result<String, FuncError> {
    if password.len() > BCRYPT_MAX_PASSWORD {
        return Ok(
            "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
                .to_string(),
        );
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| FuncError::new(format!("random salt: {e}")))?;
    Ok(bcrypt_with_salt(password.as_bytes(), salt, BCRYPT_COST))
}

/// The seed every Master Password derivation starts from.
const MASTER_PASSWORD_SEED: &[u8] = b"com.lyndir.masterpassword";

/// The character-class templates of each password type.
fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

/// The characters a template class letter stands for.
fn class_characters(class: u8) -> &'static [u8] {
    match class {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// `seed`, then a big-endian length prefix and `text` (the algorithm's salts).
fn seeded(text: &str) -> Vec<u8> {
    let mut out = MASTER_PASSWORD_SEED.to_vec();
    // Go writes the length as uint32: longer texts wrap.
    out.extend_from_slice(&(text.len() as u32).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    out
}

/// Sprig's `derivePassword counter type password user site`.
fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut key = [0u8; 64];
    // scrypt N=32768 (2^15), r=8, p=2: valid constants, so neither step can fail.
    let params = scrypt::Params::new(15, 8, 2).expect("valid scrypt parameters");
    scrypt::scrypt(password.as_bytes(), &seeded(user), &params, &mut key)
        .expect("64 is a valid scrypt output length");
    let mut message = seeded(site);
    message.extend_from_slice(&counter.to_be_bytes());
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).expect("HMAC takes any key");
    mac.update(&message);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, class)| {
            let chars = class_characters(class);
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect()
}

pub(crate) fn register(map: &mut FuncMap) {
    use ArgType::{Int, String as S};
    def(map, "bcrypt", &[S], |_, a| {
        Ok(Value::from(sprig_bcrypt(arg_str(a, 0))?))
    });
    def(map, "htpasswd", &[S, S], |_, a| {
        let user = arg_str(a, 0);
        if user.contains(':') {
            return Ok(Value::from(format!("invalid username: {user}")));
        }
        Ok(Value::from(format!(
            "{user}:{}",
            sprig_bcrypt(arg_str(a, 1))?
        )))
    });
    // Go declares the counter `uint32`; the value model has no such type, so it is taken as
    // `int` and range-checked here.
    def(map, "derivePassword", &[Int, S, S, S, S], |_, a| {
        let n = arg_int(a, 0);
        let counter =
            u32::try_from(n).map_err(|_| FuncError::new(format!("{n} overflows uint32")))?;
        Ok(Value::from(derive_password(
            counter,
            arg_str(a, 1),
            arg_str(a, 2),
            arg_str(a, 3),
            arg_str(a, 4),
        )))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcrypt_matches_openbsd_vectors() {
        // Published bcrypt test vectors ($2a$, cost 5 and 6).
        let salt_of = |text: &str| -> [u8; 16] {
            // Decode bcrypt base64 (22 symbols -> 16 bytes).
            let mut bits: u32 = 0;
            let mut n = 0;
            let mut out = Vec::new();
            for b in text.bytes() {
                let v = BCRYPT_B64.iter().position(|c| *c == b).unwrap() as u32;
                bits = bits << 6 | v;
                n += 6;
                if n >= 8 {
                    n -= 8;
                    out.push((bits >> n) as u8);
                    bits &= (1 << n) - 1;
                }
            }
            out[..16].try_into().unwrap()
        };
        let want = "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe";
        assert_eq!(
            bcrypt_with_salt(b"a", salt_of("m0CrhHm10qJ3lXRY.5zDGO"), 6),
            want
        );
        let want = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
        assert_eq!(
            bcrypt_with_salt(b"U*U", salt_of("CCCCCCCCCCCCCCCCCCCCC."), 5),
            want
        );
        // What Helm v4.2.3 printed for `htpasswd "admin" "s3cret"` (cost 10).
        let want = "$2a$10$U8pCz/y9AMnIMAYJFPpPoOt0fx0hhCZQXKqX8UYJfZxrS.g/ekmDW";
        assert_eq!(
            bcrypt_with_salt(b"s3cret", salt_of("U8pCz/y9AMnIMAYJFPpPoO"), 10),
            want
        );
    }

    #[test]
    fn long_passwords_are_refused() {
        let long = "x".repeat(73);
        assert!(sprig_bcrypt(&long)
            .unwrap()
            .starts_with("failed to encrypt"));
        let ok = sprig_bcrypt(&"x".repeat(72)).unwrap();
        assert_eq!(ok.len(), 60);
        assert!(ok.starts_with("$2a$10$"));
    }
}
