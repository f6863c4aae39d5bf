//! RSA keys: generation, PKCS#1 encoding and parsing, RSASSA-PKCS1-v1_5 SHA-256 signatures.

use helmet_value::FuncError;
use num_bigint::BigUint;
use sha2::Digest;

use super::der::{der_big, der_uint, octets, seq, uint_of, Element, NULL};
use super::prime::random_prime;

pub(super) const OID_RSA: &[u8] = &[0x06, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 1, 1, 1];
const OID_SHA256_RSA: &[u8] = &[0x06, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 1, 1, 11];
const OID_SHA256: &[u8] = &[0x06, 9, 0x60, 0x86, 0x48, 1, 0x65, 3, 4, 2, 1];

/// An RSA private key with its two primes.
pub(super) struct RsaKey {
    pub(super) n: BigUint,
    pub(super) e: BigUint,
    pub(super) d: BigUint,
    pub(super) p: BigUint,
    pub(super) q: BigUint,
}

impl RsaKey {
    /// A fresh key with a `bits`-bit modulus and exponent 65537.
    pub(super) fn generate(bits: usize) -> Result<RsaKey, FuncError> {
        let e = BigUint::from(65537u32);
        let one = BigUint::from(1u8);
        loop {
            let p = random_prime(bits / 2)?;
            let q = random_prime(bits / 2)?;
            if p == q {
                continue;
            }
            let phi = (&p - &one) * (&q - &one);
            let Some(d) = e.modinv(&phi) else { continue };
            return Ok(RsaKey {
                n: &p * &q,
                e,
                d,
                p,
                q,
            });
        }
    }

    /// PKCS#1 RSAPrivateKey DER.
    pub(super) fn pkcs1_der(&self) -> Vec<u8> {
        let one = BigUint::from(1u8);
        let dp = &self.d % (&self.p - &one);
        let dq = &self.d % (&self.q - &one);
        let qinv = self.q.modinv(&self.p).unwrap_or_default();
        seq(&[
            der_uint(&[0]),
            der_big(&self.n),
            der_big(&self.e),
            der_big(&self.d),
            der_big(&self.p),
            der_big(&self.q),
            der_big(&dp),
            der_big(&dq),
            der_big(&qinv),
        ])
    }

    /// Reads the fields of a PKCS#1 RSAPrivateKey sequence, checking them as Go's parser does.
    pub(super) fn from_pkcs1_fields(fields: &[Element]) -> Result<RsaKey, String> {
        let version = fields.first().and_then(uint_of);
        if version.is_some_and(|v| v > BigUint::from(1u8)) {
            return Err("x509: unsupported private key version".into());
        }
        let int = |i: usize| fields.get(i).and_then(uint_of);
        let (Some(n), Some(e), Some(d), Some(p), Some(q)) =
            (int(1), int(2), int(3), int(4), int(5))
        else {
            return Err("x509: private key contains zero or negative value".into());
        };
        if [&n, &d, &p, &q].iter().any(|v| **v == BigUint::ZERO) {
            return Err("x509: private key contains zero or negative value".into());
        }
        let one = BigUint::from(1u8);
        if &p * &q != n || p == one || q == one {
            return Err("crypto/rsa: invalid modulus".into());
        }
        let phi = (&p - &one) * (&q - &one);
        if (&d * &e) % &phi != one && (&d * &e) % lcm(&(&p - &one), &(&q - &one)) != one {
            return Err("crypto/rsa: invalid exponents".into());
        }
        Ok(RsaKey { n, e, d, p, q })
    }

    /// PKCS#1 RSAPublicKey DER: the bits of a SubjectPublicKeyInfo.
    pub(super) fn public_der(&self) -> Vec<u8> {
        seq(&[der_big(&self.n), der_big(&self.e)])
    }

    /// The AlgorithmIdentifier Go's x509 picks for RSA signing keys: sha256WithRSAEncryption.
    pub(super) fn signature_algorithm() -> Vec<u8> {
        seq(&[OID_SHA256_RSA.to_vec(), NULL.to_vec()])
    }

    /// An RSASSA-PKCS1-v1_5 SHA-256 signature.
    pub(super) fn sign(&self, message: &[u8]) -> Vec<u8> {
        let hash = sha2::Sha256::digest(message);
        let digest_info = seq(&[seq(&[OID_SHA256.to_vec(), NULL.to_vec()]), octets(&hash)]);
        let k = (self.n.bits() as usize).div_ceil(8);
        let mut em = vec![0xFFu8; k];
        em[0] = 0;
        em[1] = 1;
        let t_start = k.saturating_sub(digest_info.len());
        em[t_start - 1] = 0;
        em[t_start..].copy_from_slice(&digest_info);
        let s = BigUint::from_bytes_be(&em).modpow(&self.d, &self.n);
        let bytes = s.to_bytes_be();
        let mut out = vec![0u8; k - bytes.len()];
        out.extend_from_slice(&bytes);
        out
    }
}

fn lcm(a: &BigUint, b: &BigUint) -> BigUint {
    use num_bigint::BigUint as N;
    fn gcd(mut a: N, mut b: N) -> N {
        while b != N::ZERO {
            let r = &a % &b;
            a = b;
            b = r;
        }
        a
    }
    a / gcd(a.clone(), b.clone()) * b
}

/// Checks an RSA signature with the public key (tests and self-checks).
#[cfg(test)]
pub(super) fn verify(n: &BigUint, e: &BigUint, message: &[u8], signature: &[u8]) -> bool {
    let em = BigUint::from_bytes_be(signature).modpow(e, n).to_bytes_be();
    let hash = sha2::Sha256::digest(message);
    let digest_info = seq(&[seq(&[OID_SHA256.to_vec(), NULL.to_vec()]), octets(&hash)]);
    // `em` lost its leading zero byte: 01 FF.. 00 DigestInfo.
    em.first() == Some(&1)
        && em.ends_with(&digest_info)
        && em[1..em.len() - digest_info.len() - 1]
            .iter()
            .all(|b| *b == 0xFF)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::der::sequence;

    #[test]
    fn signs_and_reads_back() {
        let key = RsaKey::generate(1024).unwrap();
        let sig = key.sign(b"hello");
        assert!(verify(&key.n, &key.e, b"hello", &sig));
        assert!(!verify(&key.n, &key.e, b"hellp", &sig));
        let der = key.pkcs1_der();
        let back = RsaKey::from_pkcs1_fields(&sequence(&der).unwrap()).unwrap();
        assert_eq!(back.n, key.n);
        assert_eq!(back.d, key.d);
    }
}
