//! DSA keys for `genPrivateKey "dsa"`: L=2048, N=256 domain parameters made fresh for each key,
//! as Go's `dsa.GenerateParameters` does, and Sprig's `DSA PRIVATE KEY` sequence. Go's x509
//! neither signs with DSA keys nor certifies them, so these are only written and read.

use helmet_value::FuncError;
use num_bigint::BigUint;

use super::der::{der_big, der_uint, seq, uint_of, Element};
use super::prime::{has_small_factor, probably_prime, random_below, random_bytes};

/// A DSA private key with its domain parameters.
pub(super) struct DsaKey {
    pub(super) p: BigUint,
    pub(super) q: BigUint,
    pub(super) g: BigUint,
    pub(super) y: BigUint,
    pub(super) x: BigUint,
}

/// A random `bits`-bit odd number with its top bit set.
fn random_odd(bits: usize) -> Result<BigUint, FuncError> {
    let mut raw = random_bytes(bits / 8)?;
    raw[0] |= 0x80;
    if let Some(last) = raw.last_mut() {
        *last |= 1;
    }
    Ok(BigUint::from_bytes_be(&raw))
}

impl DsaKey {
    /// Fresh L-bit/N-bit domain parameters and a key in them.
    pub(super) fn generate(l_bits: usize, n_bits: usize) -> Result<DsaKey, FuncError> {
        let one = BigUint::from(1u8);
        let (p, q) = 'primes: loop {
            let q = random_odd(n_bits)?;
            if has_small_factor(&q) || !probably_prime(&q, 40)? {
                continue;
            }
            let two_q = &q << 1u8;
            // Candidates p ≡ 1 (mod 2q): odd, and q divides p - 1.
            for _ in 0..4 * l_bits {
                let candidate = random_odd(l_bits)?;
                let p = candidate.clone() - (&candidate % &two_q) + &one;
                if p.bits() as usize != l_bits || has_small_factor(&p) {
                    continue;
                }
                if probably_prime(&p, 40)? {
                    break 'primes (p, q);
                }
            }
        };
        let exponent = (&p - &one) / &q;
        let mut h = BigUint::from(2u8);
        let g = loop {
            let g = h.modpow(&exponent, &p);
            if g != one {
                break g;
            }
            h += 1u8;
        };
        let x = random_below(&q)?;
        let y = g.modpow(&x, &p);
        Ok(DsaKey { p, q, g, y, x })
    }

    /// Sprig's DSA key sequence: version 0, P, Q, G, Y, X.
    pub(super) fn der(&self) -> Vec<u8> {
        seq(&[
            der_uint(&[0]),
            der_big(&self.p),
            der_big(&self.q),
            der_big(&self.g),
            der_big(&self.y),
            der_big(&self.x),
        ])
    }

    /// Reads Sprig's DSA key sequence back.
    pub(super) fn from_fields(fields: &[Element]) -> Option<DsaKey> {
        let int = |i: usize| fields.get(i).and_then(uint_of);
        Some(DsaKey {
            p: int(1)?,
            q: int(2)?,
            g: int(3)?,
            y: int(4)?,
            x: int(5)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::der::sequence;

    #[test]
    fn small_parameters_have_dsa_structure() {
        let key = DsaKey::generate(512, 160).unwrap();
        let one = BigUint::from(1u8);
        assert_eq!(key.p.bits(), 512);
        assert_eq!(key.q.bits(), 160);
        assert_eq!((&key.p - &one) % &key.q, BigUint::ZERO);
        assert_eq!(key.g.modpow(&key.q, &key.p), one);
        assert_eq!(key.g.modpow(&key.x, &key.p), key.y);
        let der = key.der();
        let back = DsaKey::from_fields(&sequence(&der).unwrap()).unwrap();
        assert_eq!(back.y, key.y);
    }
}
