//! Sprig's `encryptAES` and `decryptAES`: AES-256 in CBC mode with PKCS#7 padding, the key being
//! the password's bytes cut or zero-filled to 32, the random IV written before the ciphertext,
//! all in standard base64.
//!
//! Sprig does no checks when decrypting, so Go panics on short or misaligned input and
//! text/template reports the runtime error; these texts are reproduced.

use aes::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use aes::Aes256;
use helmet_value::{ArgType, FuncError, FuncMap, Value};

use crate::encoding::{decode, encode, B64};
use crate::{arg_bytes, arg_str, def};

const BLOCK: usize = 16;

/// The cipher keyed by `password` as Sprig keys it.
fn cipher_for(password: &str) -> Aes256 {
    let mut key = [0u8; 32];
    let bytes = password.as_bytes();
    let n = bytes.len().min(32);
    key[..n].copy_from_slice(&bytes[..n]);
    Aes256::new(&Array::from(key))
}

fn encrypt(password: &str, plaintext: &[u8]) -> Result<String, FuncError> {
    if plaintext.is_empty() {
        return Ok(String::new());
    }
    let cipher = cipher_for(password);
    let mut content = plaintext.to_vec();
    let pad = BLOCK - content.len() % BLOCK;
    content.resize(content.len() + pad, pad as u8);
    let mut iv = [0u8; BLOCK];
    getrandom::fill(&mut iv).map_err(|e| FuncError::new(format!("random IV: {e}")))?;
    let mut out = iv.to_vec();
    let mut previous = iv;
    for chunk in content.chunks(BLOCK) {
        let mut block = [0u8; BLOCK];
        for (b, (p, c)) in block.iter_mut().zip(previous.iter().zip(chunk)) {
            *b = p ^ c;
        }
        let mut block = Array::from(block);
        cipher.encrypt_block(&mut block);
        previous.copy_from_slice(&block);
        out.extend_from_slice(&block);
    }
    Ok(encode(&out, B64, 6, 4))
}

fn decrypt(password: &str, crypt64: &str) -> Result<Vec<u8>, FuncError> {
    if crypt64.is_empty() {
        return Ok(Vec::new());
    }
    let crypt = decode(crypt64, B64, 6, 4)
        .map_err(|at| FuncError::new(format!("illegal base64 data at input byte {at}")))?;
    if crypt.len() < BLOCK {
        return Err(FuncError::new(format!(
            "runtime error: slice bounds out of range [:{BLOCK}] with capacity {}",
            crypt.len()
        )));
    }
    let (iv, body) = crypt.split_at(BLOCK);
    if body.len() % BLOCK != 0 {
        return Err(FuncError::new("crypto/cipher: input not full blocks"));
    }
    let cipher = cipher_for(password);
    let mut plain = Vec::with_capacity(body.len());
    let mut previous: &[u8] = iv;
    for chunk in body.chunks(BLOCK) {
        let mut block = Array::from(<[u8; BLOCK]>::try_from(chunk).expect("full block"));
        cipher.decrypt_block(&mut block);
        plain.extend(block.iter().zip(previous).map(|(b, p)| b ^ p));
        previous = chunk;
    }
    let Some(&last) = plain.last() else {
        return Err(FuncError::new("runtime error: index out of range [-1]"));
    };
    // Sprig trusts the last byte as the padding length without checking it.
    let keep = plain.len() as i64 - i64::from(last);
    if keep < 0 {
        return Err(FuncError::new(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        )));
    }
    plain.truncate(keep as usize);
    Ok(plain)
}

pub(crate) fn register(map: &mut FuncMap) {
    use ArgType::String as S;
    def(map, "encryptAES", &[S, ArgType::ByteString], |_, a| {
        Ok(Value::from(encrypt(arg_str(a, 0), arg_bytes(a, 1))?))
    });
    def(map, "decryptAES", &[S, S], |_, a| {
        Ok(Value::from_go_bytes(decrypt(arg_str(a, 0), arg_str(a, 1))?))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for text in ["x", "exactly sixteen!", "a longer text spanning blocks ✓"] {
            let c = encrypt("secretkey", text.as_bytes()).unwrap();
            assert_eq!(decrypt("secretkey", &c).unwrap(), text.as_bytes());
        }
        let c = encrypt("k", b"\xff\x00").unwrap();
        assert_eq!(decrypt("k", &c).unwrap(), b"\xff\x00");
        assert_eq!(encrypt("k", b"").unwrap(), "");
        assert_eq!(decrypt("k", "").unwrap(), b"");
    }
}
