//! ECDSA over the NIST curves Go's x509 reads (P-224, P-256, P-384, P-521): affine arithmetic
//! on num-bigint, SEC 1 key encoding, and signatures with the hash Go pairs with each curve.
//! Keys are rare and small here, so plain (not constant-time) arithmetic is fast enough.

use std::sync::OnceLock;

use helmet_value::FuncError;
use num_bigint::BigUint;
use sha2::Digest;

use super::der::{bit_string, der_big, der_uint, fixed_bytes, octets, seq, tlv, Element};
use super::prime::random_below;

pub(super) const OID_EC_PUBLIC_KEY: &[u8] = &[0x06, 7, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 2, 1];

/// Which SHA-2 hash signs with a curve's keys.
#[derive(Clone, Copy)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// A short Weierstrass curve y² = x³ - 3x + b over the prime field of `p`, with base point
/// (`gx`, `gy`) of prime order `n`.
pub(super) struct Curve {
    /// The named-curve OBJECT IDENTIFIER element.
    pub(super) oid: &'static [u8],
    /// The ecdsa-with-SHA* OBJECT IDENTIFIER element Go signs with.
    sig_oid: &'static [u8],
    hash: Hash,
    p: BigUint,
    b: BigUint,
    n: BigUint,
    gx: BigUint,
    gy: BigUint,
}

fn hex(s: &str) -> BigUint {
    BigUint::parse_bytes(s.as_bytes(), 16).unwrap_or_default()
}

/// The curves, by their parameters as published in SEC 2 / FIPS 186.
pub(super) fn curves() -> &'static [Curve; 4] {
    static CURVES: OnceLock<[Curve; 4]> = OnceLock::new();
    CURVES.get_or_init(|| {
        [
            Curve {
                oid: &[0x06, 5, 0x2B, 0x81, 0x04, 0x00, 0x21],
                sig_oid: &[0x06, 8, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 4, 3, 2],
                hash: Hash::Sha256,
                p: hex("ffffffffffffffffffffffffffffffff000000000000000000000001"),
                b: hex("b4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4"),
                n: hex("ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d"),
                gx: hex("b70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21"),
                gy: hex("bd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34"),
            },
            Curve {
                oid: &[0x06, 8, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 3, 1, 7],
                sig_oid: &[0x06, 8, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 4, 3, 2],
                hash: Hash::Sha256,
                p: hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),
                b: hex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"),
                n: hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
                gx: hex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"),
                gy: hex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"),
            },
            Curve {
                oid: &[0x06, 5, 0x2B, 0x81, 0x04, 0x00, 0x22],
                sig_oid: &[0x06, 8, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 4, 3, 3],
                hash: Hash::Sha384,
                p: hex(concat!(
                    "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe",
                    "ffffffff0000000000000000ffffffff"
                )),
                b: hex(concat!(
                    "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875a",
                    "c656398d8a2ed19d2a85c8edd3ec2aef"
                )),
                n: hex(concat!(
                    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf",
                    "581a0db248b0a77aecec196accc52973"
                )),
                gx: hex(concat!(
                    "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38",
                    "5502f25dbf55296c3a545e3872760ab7"
                )),
                gy: hex(concat!(
                    "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c0",
                    "0a60b1ce1d7e819d7a431d7c90ea0e5f"
                )),
            },
            Curve {
                oid: &[0x06, 5, 0x2B, 0x81, 0x04, 0x00, 0x23],
                sig_oid: &[0x06, 8, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 4, 3, 4],
                hash: Hash::Sha512,
                p: (BigUint::from(1u8) << 521u32) - 1u8,
                b: hex(concat!(
                    "51953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109",
                    "e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00"
                )),
                n: hex(concat!(
                    "1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa",
                    "51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409"
                )),
                gx: hex(concat!(
                    "c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3d",
                    "baa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66"
                )),
                gy: hex(concat!(
                    "11839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e6",
                    "62c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650"
                )),
            },
        ]
    })
}

/// The curve named by an OBJECT IDENTIFIER element.
pub(super) fn curve_by_oid(oid: &[u8]) -> Option<&'static Curve> {
    curves().iter().find(|c| c.oid == oid)
}

/// An affine point; `None` is the point at infinity.
type Point = Option<(BigUint, BigUint)>;

impl Curve {
    fn sub(&self, a: &BigUint, b: &BigUint) -> BigUint {
        (a + &self.p - b) % &self.p
    }

    fn inv(&self, a: &BigUint) -> BigUint {
        a.modinv(&self.p).unwrap_or_default()
    }

    fn add(&self, a: &Point, b: &Point) -> Point {
        let (Some((x1, y1)), Some((x2, y2))) = (a, b) else {
            return a.clone().or_else(|| b.clone());
        };
        let lambda = if x1 == x2 {
            if y1 != y2 || *y1 == BigUint::ZERO {
                return None;
            }
            // Tangent slope (3x² + a) / 2y with a = -3.
            let three_x2 = (x1 * x1 * 3u8) % &self.p;
            self.sub(&three_x2, &BigUint::from(3u8)) * self.inv(&((y1 << 1u8) % &self.p)) % &self.p
        } else {
            self.sub(y2, y1) * self.inv(&self.sub(x2, x1)) % &self.p
        };
        let x3 = self.sub(&self.sub(&(&lambda * &lambda % &self.p), x1), x2);
        let y3 = self.sub(&(&lambda * self.sub(x1, &x3) % &self.p), y1);
        Some((x3, y3))
    }

    fn mul(&self, k: &BigUint, point: &Point) -> Point {
        let mut acc: Point = None;
        for i in (0..k.bits()).rev() {
            acc = self.add(&acc, &acc);
            if k.bit(i) {
                acc = self.add(&acc, point);
            }
        }
        acc
    }

    fn base(&self) -> Point {
        Some((self.gx.clone(), self.gy.clone()))
    }

    fn field_len(&self) -> usize {
        (self.p.bits() as usize).div_ceil(8)
    }

    fn scalar_len(&self) -> usize {
        (self.n.bits() as usize).div_ceil(8)
    }

    /// Whether an affine point satisfies the curve equation.
    fn contains(&self, x: &BigUint, y: &BigUint) -> bool {
        let rhs = (x * x % &self.p * x + &self.b) % &self.p;
        let rhs = self.sub(&rhs, &(x * 3u8 % &self.p));
        y * y % &self.p == rhs
    }

    /// The message hash as an integer, its leftmost bits cut to the order's length.
    fn hash_int(&self, message: &[u8]) -> BigUint {
        let digest = match self.hash {
            Hash::Sha256 => sha2::Sha256::digest(message).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(message).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(message).to_vec(),
        };
        let e = BigUint::from_bytes_be(&digest);
        let excess = (digest.len() * 8).saturating_sub(self.n.bits() as usize);
        e >> excess
    }

    /// The AlgorithmIdentifier of this curve's signatures (no parameters).
    pub(super) fn signature_algorithm(&self) -> Vec<u8> {
        seq(&[self.sig_oid.to_vec()])
    }
}

/// An ECDSA private key and its public point.
pub(super) struct EcKey {
    pub(super) curve: &'static Curve,
    d: BigUint,
    x: BigUint,
    y: BigUint,
}

impl EcKey {
    fn from_scalar(curve: &'static Curve, d: BigUint) -> Option<EcKey> {
        let (x, y) = curve.mul(&d, &curve.base())?;
        // A cheap guard against arithmetic slips: the public point must be on the curve.
        curve.contains(&x, &y).then_some(EcKey { curve, d, x, y })
    }

    /// A fresh key on `curve`.
    pub(super) fn generate(curve: &'static Curve) -> Result<EcKey, FuncError> {
        loop {
            if let Some(key) = EcKey::from_scalar(curve, random_below(&curve.n)?) {
                return Ok(key);
            }
        }
    }

    /// SEC 1 ECPrivateKey DER as Go's `x509.MarshalECPrivateKey` writes it: version 1, the
    /// scalar padded to the order's length, the curve, the public point.
    pub(super) fn sec1_der(&self) -> Vec<u8> {
        seq(&[
            der_uint(&[1]),
            octets(&fixed_bytes(&self.d, self.curve.scalar_len())),
            tlv(0xA0, self.curve.oid),
            tlv(0xA1, &bit_string(0, &self.public_point())),
        ])
    }

    /// Reads an ECPrivateKey sequence as Go's parser does; `curve_oid` comes from a PKCS#8
    /// wrapper and wins over the key's own.
    pub(super) fn from_sec1_fields(
        fields: &[Element],
        curve_oid: Option<&[u8]>,
    ) -> Result<EcKey, String> {
        let version = fields.first().and_then(super::der::uint_of);
        if version != Some(BigUint::from(1u8)) {
            let shown = version.map_or_else(|| "?".to_string(), |v| v.to_string());
            return Err(format!("x509: unknown EC private key version {shown}"));
        }
        let Some((0x04, _, scalar)) = fields.get(1).copied() else {
            return Err("x509: failed to parse EC private key: malformed private key".into());
        };
        let own_oid = fields.iter().find(|f| f.0 == 0xA0).map(|f| f.2);
        let curve = curve_oid
            .or(own_oid)
            .and_then(curve_by_oid)
            .ok_or("x509: unknown elliptic curve")?;
        let d = BigUint::from_bytes_be(scalar);
        if d >= curve.n {
            return Err("x509: invalid elliptic curve private key value".into());
        }
        let len = curve.scalar_len();
        if scalar.len() > len && scalar[..scalar.len() - len].iter().any(|b| *b != 0) {
            return Err("x509: invalid private key length".into());
        }
        EcKey::from_scalar(curve, d)
            .ok_or_else(|| "x509: invalid elliptic curve private key value".to_string())
    }

    /// The uncompressed public point: 04 ‖ X ‖ Y.
    pub(super) fn public_point(&self) -> Vec<u8> {
        let len = self.curve.field_len();
        let mut out = vec![4];
        out.extend(fixed_bytes(&self.x, len));
        out.extend(fixed_bytes(&self.y, len));
        out
    }

    /// A DER ECDSA-Sig-Value over `message` with a fresh random nonce.
    pub(super) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, FuncError> {
        let c = self.curve;
        let e = c.hash_int(message);
        loop {
            let k = random_below(&c.n)?;
            let Some((rx, _)) = c.mul(&k, &c.base()) else {
                continue;
            };
            let r = rx % &c.n;
            if r == BigUint::ZERO {
                continue;
            }
            let Some(k_inv) = k.modinv(&c.n) else {
                continue;
            };
            let s = k_inv * ((&e + &r * &self.d) % &c.n) % &c.n;
            if s == BigUint::ZERO {
                continue;
            }
            return Ok(seq(&[der_big(&r), der_big(&s)]));
        }
    }
}

#[cfg(test)]
/// Checks an ECDSA signature (r, s) over `message` against an uncompressed public point.
pub(super) fn verify(
    curve: &Curve,
    point: &[u8],
    message: &[u8],
    r: &BigUint,
    s: &BigUint,
) -> bool {
    let len = curve.field_len();
    if point.len() != 1 + 2 * len || point[0] != 4 {
        return false;
    }
    let q = (
        BigUint::from_bytes_be(&point[1..=len]),
        BigUint::from_bytes_be(&point[1 + len..]),
    );
    if !curve.contains(&q.0, &q.1) || *r == BigUint::ZERO || *s == BigUint::ZERO {
        return false;
    }
    if r >= &curve.n || s >= &curve.n {
        return false;
    }
    let Some(w) = s.modinv(&curve.n) else {
        return false;
    };
    let e = curve.hash_int(message);
    let u1 = e * &w % &curve.n;
    let u2 = r * &w % &curve.n;
    let sum = curve.add(&curve.mul(&u1, &curve.base()), &curve.mul(&u2, &Some(q)));
    sum.is_some_and(|(x, _)| &(x % &curve.n) == r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::der::{sequence, uint_of};

    #[test]
    fn base_points_lie_on_their_curves_with_their_order() {
        for c in curves() {
            assert!(c.contains(&c.gx, &c.gy), "{}", c.p.bits());
            assert_eq!(c.mul(&c.n, &c.base()), None, "{}", c.p.bits());
        }
    }

    #[test]
    fn signatures_verify_on_every_curve() {
        for c in curves() {
            let key = EcKey::generate(c).unwrap();
            let sig = key.sign(b"message").unwrap();
            let parts = sequence(&sig).unwrap();
            let (r, s) = (uint_of(&parts[0]).unwrap(), uint_of(&parts[1]).unwrap());
            let point = key.public_point();
            assert!(verify(c, &point, b"message", &r, &s), "{}", c.p.bits());
            assert!(!verify(c, &point, b"massage", &r, &s), "{}", c.p.bits());
            let der = key.sec1_der();
            let back = EcKey::from_sec1_fields(&sequence(&der).unwrap(), None).unwrap();
            assert_eq!(back.public_point(), point);
        }
    }
}
