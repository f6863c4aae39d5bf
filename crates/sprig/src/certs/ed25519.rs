//! Ed25519 (RFC 8032) on num-bigint: key generation from a 32-byte seed, signing, and the
//! PKCS#8 form Go's `x509.MarshalPKCS8PrivateKey` writes.

use std::sync::OnceLock;

use helmet_value::FuncError;
use num_bigint::BigUint;
use sha2::Digest;

use super::der::{der_uint, octets, seq};
use super::prime::random_bytes;

pub(super) const OID_ED25519: &[u8] = &[0x06, 3, 0x2B, 0x65, 0x70];

/// The field prime 2^255 - 19, the group order L, the curve constant d and the base point.
struct Params {
    p: BigUint,
    l: BigUint,
    d: BigUint,
    base: (BigUint, BigUint),
}

fn params() -> &'static Params {
    static PARAMS: OnceLock<Params> = OnceLock::new();
    PARAMS.get_or_init(|| {
        let p = (BigUint::from(1u8) << 255u32) - 19u8;
        let l = (BigUint::from(1u8) << 252u32)
            + BigUint::parse_bytes(b"27742317777372353535851937790883648493", 10)
                .unwrap_or_default();
        let inv = |a: &BigUint| a.modinv(&p).unwrap_or_default();
        // d = -121665 / 121666.
        let d = (&p - BigUint::from(121_665u32)) * inv(&BigUint::from(121_666u32)) % &p;
        // The base point has y = 4/5 and the even x.
        let y = BigUint::from(4u8) * inv(&BigUint::from(5u8)) % &p;
        let x = recover_x(&p, &d, &y, false).unwrap_or_default();
        Params {
            p,
            l,
            d,
            base: (x, y),
        }
    })
}

/// The x with the given parity that puts (x, y) on the curve, if any.
fn recover_x(p: &BigUint, d: &BigUint, y: &BigUint, odd: bool) -> Option<BigUint> {
    let one = BigUint::from(1u8);
    let y2 = y * y % p;
    // x² = (y² - 1) / (d y² + 1)
    let u = (&y2 + p - &one) % p;
    let v = (d * &y2 + &one) % p;
    let x2 = u * v.modinv(p)? % p;
    let mut x = x2.modpow(&((p + 3u8) >> 3u8), p);
    if &x * &x % p != x2 {
        let sqrt_m1 = BigUint::from(2u8).modpow(&((p - &one) >> 2u8), p);
        x = x * sqrt_m1 % p;
    }
    if &x * &x % p != x2 {
        return None;
    }
    if x.bit(0) != odd {
        x = (p - &x) % p;
    }
    Some(x)
}

type Point = (BigUint, BigUint);

/// The twisted Edwards addition law (a = -1); complete, so it also doubles.
fn add(a: &Point, b: &Point) -> Point {
    let Params { p, d, .. } = params();
    let one = BigUint::from(1u8);
    let x1x2 = &a.0 * &b.0 % p;
    let y1y2 = &a.1 * &b.1 % p;
    let t = d * &x1x2 % p * &y1y2 % p;
    let x_num = (&a.0 * &b.1 + &a.1 * &b.0) % p;
    let y_num = (&y1y2 + &x1x2) % p;
    let x_den = (&one + &t) % p;
    let y_den = (&one + p - &t) % p;
    let x = x_num * x_den.modinv(p).unwrap_or_default() % p;
    let y = y_num * y_den.modinv(p).unwrap_or_default() % p;
    (x, y)
}

fn mul(k: &BigUint, point: &Point) -> Point {
    let mut acc = (BigUint::ZERO, BigUint::from(1u8));
    for i in (0..k.bits()).rev() {
        acc = add(&acc, &acc);
        if k.bit(i) {
            acc = add(&acc, point);
        }
    }
    acc
}

/// The 32-byte encoding: y little-endian with x's parity in the top bit.
fn encode(point: &Point) -> [u8; 32] {
    let mut out = [0u8; 32];
    let y = point.1.to_bytes_le();
    out[..y.len()].copy_from_slice(&y);
    if point.0.bit(0) {
        out[31] |= 0x80;
    }
    out
}

#[cfg(test)]
fn decode(bytes: &[u8; 32]) -> Option<Point> {
    let Params { p, d, .. } = params();
    let odd = bytes[31] & 0x80 != 0;
    let mut y_bytes = *bytes;
    y_bytes[31] &= 0x7F;
    let y = BigUint::from_bytes_le(&y_bytes);
    if &y >= p {
        return None;
    }
    Some((recover_x(p, d, &y, odd)?, y))
}

fn sha512_int(parts: &[&[u8]]) -> BigUint {
    let mut h = sha2::Sha512::new();
    for part in parts {
        h.update(part);
    }
    BigUint::from_bytes_le(&h.finalize()) % &params().l
}

/// An Ed25519 private key: its seed and what the seed expands to.
pub(super) struct Ed25519Key {
    seed: [u8; 32],
    scalar: BigUint,
    prefix: [u8; 32],
    public: [u8; 32],
}

impl Ed25519Key {
    /// The key a 32-byte seed expands to.
    pub(super) fn from_seed(seed: [u8; 32]) -> Ed25519Key {
        let h = sha2::Sha512::digest(seed);
        let mut scalar_bytes = [0u8; 32];
        scalar_bytes.copy_from_slice(&h[..32]);
        scalar_bytes[0] &= 248;
        scalar_bytes[31] &= 127;
        scalar_bytes[31] |= 64;
        let scalar = BigUint::from_bytes_le(&scalar_bytes);
        let mut prefix = [0u8; 32];
        prefix.copy_from_slice(&h[32..]);
        let public = encode(&mul(&scalar, &params().base));
        Ed25519Key {
            seed,
            scalar,
            prefix,
            public,
        }
    }

    /// A fresh key.
    pub(super) fn generate() -> Result<Ed25519Key, FuncError> {
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&random_bytes(32)?);
        Ok(Ed25519Key::from_seed(seed))
    }

    /// PKCS#8 PrivateKeyInfo: version 0, the Ed25519 algorithm, the seed wrapped in an
    /// OCTET STRING inside the privateKey OCTET STRING.
    pub(super) fn pkcs8_der(&self) -> Vec<u8> {
        seq(&[
            der_uint(&[0]),
            seq(&[OID_ED25519.to_vec()]),
            octets(&octets(&self.seed)),
        ])
    }

    /// The 32-byte public key.
    pub(super) fn public(&self) -> [u8; 32] {
        self.public
    }

    /// The AlgorithmIdentifier of Ed25519 signatures (no parameters).
    pub(super) fn signature_algorithm() -> Vec<u8> {
        seq(&[OID_ED25519.to_vec()])
    }

    /// A 64-byte signature: R ‖ S.
    pub(super) fn sign(&self, message: &[u8]) -> Vec<u8> {
        let l = &params().l;
        let r = sha512_int(&[&self.prefix, message]);
        let big_r = encode(&mul(&r, &params().base));
        let k = sha512_int(&[&big_r, &self.public, message]);
        let s = (r + k * &self.scalar) % l;
        let mut out = big_r.to_vec();
        let mut s_bytes = s.to_bytes_le();
        s_bytes.resize(32, 0);
        out.extend(s_bytes);
        out
    }
}

#[cfg(test)]
/// Checks an Ed25519 signature: [S]B = R + [k]A.
pub(super) fn verify(public: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
    let Some(a) = decode(public) else {
        return false;
    };
    let Ok(r_bytes) = <[u8; 32]>::try_from(signature.get(..32).unwrap_or_default()) else {
        return false;
    };
    let Some(r) = decode(&r_bytes) else {
        return false;
    };
    let s = BigUint::from_bytes_le(signature.get(32..).unwrap_or_default());
    if signature.len() != 64 || s >= params().l {
        return false;
    }
    let k = sha512_int(&[&r_bytes, public, message]);
    mul(&s, &params().base) == add(&r, &mul(&k, &a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn rfc8032_test_vector_1() {
        // RFC 8032 section 7.1, TEST 1 (empty message).
        let seed = unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let key = Ed25519Key::from_seed(seed.try_into().unwrap());
        assert_eq!(
            key.public().to_vec(),
            unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        );
        let sig = key.sign(b"");
        assert_eq!(
            sig,
            unhex(concat!(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155",
                "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
            ))
        );
        assert!(verify(&key.public(), b"", &sig));
        assert!(!verify(&key.public(), b"x", &sig));
    }
}
