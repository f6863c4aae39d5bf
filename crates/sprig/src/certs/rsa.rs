//! RSA keys: generation, PKCS#1 encoding and parsing, RSASSA-PKCS1-v1_5 SHA-256 signatures.

use helmet_value::FuncError;
use num_bigint::BigUint;
use sha2::Digest;

use super::der::{der_big, der_uint, octets, seq, uint_of, Element, NULL};
use super::prime::{random_prime, Modulus};

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
    /// A fresh key with a `bits`-bit modulus and exponent 65537, made as Go makes it: primes of
    /// ⌈bits/2⌉ and ⌊bits/2⌋ bits with their top two bits set (so the modulus has exactly `bits`
    /// bits), and d = e⁻¹ mod λ(n) = lcm(p-1, q-1), as FIPS 186-5 asks. Primes for which e has
    /// no inverse (e divides p-1 or q-1) are drawn again.
    pub(super) fn generate(bits: usize) -> Result<RsaKey, FuncError> {
        let e = BigUint::from(65537u32);
        loop {
            let p = random_prime(bits.div_ceil(2))?;
            let q = random_prime(bits / 2)?;
            if p == q {
                continue;
            }
            let lambda = lcm(&(&p - 1u8), &(&q - 1u8));
            let Some(d) = e.modinv(&lambda) else { continue };
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
        let bytes = self
            .private_power(&BigUint::from_bytes_be(&em))
            .to_bytes_be();
        let mut out = vec![0u8; k - bytes.len()];
        out.extend_from_slice(&bytes);
        out
    }

    /// `m`^d mod n by the Chinese remainder theorem: m^(d mod p-1) mod p and m^(d mod q-1)
    /// mod q, two exponentiations of half the size, recombined with q⁻¹ mod p (Garner).
    fn private_power(&self, m: &BigUint) -> BigUint {
        let (Some(mod_p), Some(mod_q), Some(q_inverse)) = (
            Modulus::new(&self.p),
            Modulus::new(&self.q),
            self.q.modinv(&self.p),
        ) else {
            // Not two distinct odd primes (a parsed key may be anything Go's parser accepts).
            return m.modpow(&self.d, &self.n);
        };
        let power_p = mod_p.pow(m, &(&self.d % (&self.p - 1u8)));
        let power_q = mod_q.pow(m, &(&self.d % (&self.q - 1u8)));
        // s = power_q + q·((power_p - power_q)·q⁻¹ mod p) is ≡ power_p mod p, ≡ power_q mod q.
        let difference = (&power_p + &self.p - (&power_q % &self.p)) % &self.p;
        power_q + &self.q * ((difference * q_inverse) % &self.p)
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

    /// The checks Go's key validation makes, on a generated key.
    fn assert_valid(key: &RsaKey, bits: usize) {
        let one = BigUint::from(1u8);
        assert_eq!(&key.p * &key.q, key.n);
        assert_eq!(key.n.bits(), bits as u64);
        assert_eq!(key.e, BigUint::from(65537u32));
        assert_ne!(key.p, key.q);
        for (prime, size) in [(&key.p, bits.div_ceil(2)), (&key.q, bits / 2)] {
            assert_eq!(prime.bits(), size as u64);
            assert!(prime.bit(size as u64 - 2), "top two bits set");
            assert!(super::super::prime::probably_prime(prime, 20).unwrap());
        }
        let lambda = lcm(&(&key.p - 1u8), &(&key.q - 1u8));
        assert_eq!((&key.d * &key.e) % &lambda, one);
        assert!(key.d < lambda);
    }

    #[test]
    fn generated_keys_are_valid() {
        for bits in [1024, 1025, 2048] {
            assert_valid(&RsaKey::generate(bits).unwrap(), bits);
        }
    }

    #[test]
    fn signatures_by_the_chinese_remainder_theorem_are_the_plain_power() {
        let key = RsaKey::generate(1024).unwrap();
        for message in [&b""[..], b"x", b"a longer message"] {
            let hash = sha2::Sha256::digest(message);
            let m = BigUint::from_bytes_be(&hash) << 700u32;
            assert_eq!(key.private_power(&m), m.modpow(&key.d, &key.n));
        }
        // A key whose d was computed modulo phi rather than lambda signs the same.
        let phi = (&key.p - 1u8) * (&key.q - 1u8);
        let d_phi = key.e.modinv(&phi).unwrap();
        let m = BigUint::from(12345u32);
        assert_eq!(key.private_power(&m), m.modpow(&d_phi, &key.n));
    }

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
