//! Private keys of every kind Sprig writes or reads: Sprig's PEM encoding of each
//! (`pemBlockForKey`), its PEM parser (`parsePrivateKeyPEM`) with Go's error texts, and what
//! Go's x509 does with each kind when it certifies or signs.

use helmet_value::FuncError;

use super::der::{pem, pem_block, seq, sequence, Element, NULL};
use super::dsa::DsaKey;
use super::ec::{EcKey, OID_EC_PUBLIC_KEY};
use super::ed25519::{Ed25519Key, OID_ED25519};
use super::rsa::{RsaKey, OID_RSA};

const OID_X25519: &[u8] = &[0x06, 3, 0x2B, 0x65, 0x6E];

/// A private key.
pub(super) enum PrivateKey {
    Rsa(RsaKey),
    Ec(EcKey),
    Ed25519(Ed25519Key),
    Dsa(DsaKey),
    /// An X25519 key from PKCS#8: Go reads it but can neither sign with it nor certify it.
    X25519,
}

/// A public key as a certificate carries it: the AlgorithmIdentifier and the key bits.
pub(super) struct PublicKey {
    pub(super) algorithm: Vec<u8>,
    pub(super) bits: Vec<u8>,
}

impl PrivateKey {
    /// The PEM block Sprig writes for the key.
    pub(super) fn pem(&self) -> String {
        match self {
            PrivateKey::Rsa(k) => pem("RSA PRIVATE KEY", &k.pkcs1_der()),
            PrivateKey::Ec(k) => pem("EC PRIVATE KEY", &k.sec1_der()),
            PrivateKey::Ed25519(k) => pem("PRIVATE KEY", &k.pkcs8_der()),
            PrivateKey::Dsa(k) => pem("DSA PRIVATE KEY", &k.der()),
            // Never reached: Go's x509 refuses X25519 keys before Sprig encodes one.
            PrivateKey::X25519 => String::new(),
        }
    }

    /// The public key a certificate for this key carries, or Go's error for key kinds its
    /// x509 cannot put in a certificate.
    pub(super) fn public(&self) -> Result<PublicKey, FuncError> {
        let (algorithm, bits) = match self {
            PrivateKey::Rsa(k) => (seq(&[OID_RSA.to_vec(), NULL.to_vec()]), k.public_der()),
            PrivateKey::Ec(k) => (
                seq(&[OID_EC_PUBLIC_KEY.to_vec(), k.curve.oid.to_vec()]),
                k.public_point(),
            ),
            PrivateKey::Ed25519(k) => (seq(&[OID_ED25519.to_vec()]), k.public().to_vec()),
            PrivateKey::Dsa(_) => return Err(unsupported_public("*dsa.PublicKey")),
            PrivateKey::X25519 => return Err(unsupported_public("*ecdh.PublicKey")),
        };
        Ok(PublicKey { algorithm, bits })
    }

    /// Fails as Go's x509 does for keys that cannot sign.
    pub(super) fn check_signer(&self) -> Result<(), FuncError> {
        match self {
            PrivateKey::Dsa(_) | PrivateKey::X25519 => Err(FuncError::new(
                "error creating certificate: x509: certificate private key does not implement crypto.Signer",
            )),
            _ => Ok(()),
        }
    }

    /// The signature AlgorithmIdentifier Go's x509 picks for this signing key.
    pub(super) fn signature_algorithm(&self) -> Vec<u8> {
        match self {
            PrivateKey::Ec(k) => k.curve.signature_algorithm(),
            PrivateKey::Ed25519(_) => Ed25519Key::signature_algorithm(),
            _ => RsaKey::signature_algorithm(),
        }
    }

    /// Signs a to-be-signed certificate.
    pub(super) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, FuncError> {
        match self {
            // Go 1.24's crypto/rsa refuses to sign with keys under 1024 bits.
            PrivateKey::Rsa(k) if k.n.bits() < 1024 => Err(FuncError::new(format!(
                "error creating certificate: crypto/rsa: {}-bit keys are insecure \
                 (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)",
                k.n.bits()
            ))),
            PrivateKey::Rsa(k) => Ok(k.sign(message)),
            PrivateKey::Ec(k) => k.sign(message),
            PrivateKey::Ed25519(k) => Ok(k.sign(message)),
            PrivateKey::Dsa(_) | PrivateKey::X25519 => self.check_signer().map(|()| Vec::new()),
        }
    }
}

fn unsupported_public(go_type: &str) -> FuncError {
    FuncError::new(format!(
        "error creating certificate: x509: unsupported public key type: {go_type}"
    ))
}

// ---- Recognising formats, as Go's parsers do to suggest the right one ----

fn is_pkcs1(fields: &[Element]) -> bool {
    fields.len() >= 6 && fields[..6].iter().all(|f| f.0 == 0x02)
}

fn is_sec1(fields: &[Element]) -> bool {
    matches!(fields, [(0x02, ..), (0x04, ..), ..])
}

fn is_pkcs8(fields: &[Element]) -> bool {
    matches!(fields, [(0x02, ..), (0x30, ..), (0x04, ..), ..])
}

/// Go's `encoding/asn1` error when `der` does not even start with a complete SEQUENCE header,
/// as it reports unmarshalling into the struct named `go_struct`.
fn outer_asn1_error(der: &[u8], go_struct: &str) -> Option<String> {
    let syntax = |msg: &str| Some(format!("asn1: syntax error: {msg}"));
    let Some(&first) = der.first() else {
        return syntax("sequence truncated");
    };
    let mut offset = 1;
    let mut tag = u64::from(first & 0x1F);
    if tag == 0x1F {
        // High tag number: base-128 digits.
        tag = 0;
        loop {
            let Some(&b) = der.get(offset) else {
                return syntax("truncated tag or length");
            };
            offset += 1;
            tag = tag << 7 | u64::from(b & 0x7F);
            if b & 0x80 == 0 {
                break;
            }
            if offset > 5 {
                return syntax("base 128 integer too large");
            }
        }
    }
    let Some(&len_byte) = der.get(offset) else {
        return syntax("truncated tag or length");
    };
    offset += 1;
    let mut length = u64::from(len_byte & 0x7F);
    if len_byte & 0x80 != 0 {
        if length == 0 {
            return syntax("indefinite length found (not DER)");
        }
        let count = length;
        length = 0;
        for _ in 0..count {
            let Some(&b) = der.get(offset) else {
                return syntax("truncated tag or length");
            };
            offset += 1;
            if length >= 1 << 23 {
                return Some("asn1: structure error: length too large".into());
            }
            length = length << 8 | u64::from(b);
            if length == 0 {
                return Some("asn1: structure error: superfluous leading zeros in length".into());
            }
        }
        if length < 0x80 {
            return Some("asn1: structure error: non-minimal length".into());
        }
    }
    let (class, compound) = (first >> 6, first & 0x20 != 0);
    if class != 0 || tag != 16 || !compound {
        return Some(format!(
            "asn1: structure error: tags don't match (16 vs {{class:{class} tag:{tag} \
             length:{length} isCompound:{compound}}}) {{optional:false explicit:false \
             application:false private:false defaultValue:<nil> tag:<nil> stringType:0 \
             timeType:0 set:false omitEmpty:false}} {go_struct} @{offset}"
        ));
    }
    if length > (der.len() - offset) as u64 {
        return syntax("data truncated");
    }
    None
}

/// Go's error when DER is not in the expected format (`PKCS1`, `EC`, `PKCS8`): names the
/// right parser when the bytes are another key format, else reports the ASN.1 failure.
fn wrong_format(der: &[u8], fields: Option<&[Element]>, expected: &str) -> String {
    let hint = |name: &str| {
        format!("x509: failed to parse private key (use {name} instead for this key format)")
    };
    let go_struct = match expected {
        "EC" => "ecPrivateKey",
        "PKCS8" => "pkcs8",
        _ => "pkcs1PrivateKey",
    };
    let asn1 = outer_asn1_error(der, go_struct).unwrap_or_else(|| {
        // Deeper mismatches: Go names the field and offset; we say what failed.
        format!("asn1: structure error: malformed {go_struct}")
    });
    match fields {
        Some(f) if expected != "EC" && is_sec1(f) => hint("ParseECPrivateKey"),
        Some(f) if expected != "PKCS8" && is_pkcs8(f) => hint("ParsePKCS8PrivateKey"),
        Some(f) if expected != "PKCS1" && is_pkcs1(f) => hint("ParsePKCS1PrivateKey"),
        _ if expected == "EC" => format!("x509: failed to parse EC private key: {asn1}"),
        _ => asn1,
    }
}

fn parse_pkcs1(der: &[u8]) -> Result<PrivateKey, String> {
    let fields = sequence(der);
    match fields.as_deref() {
        Some(f) if is_pkcs1(f) => RsaKey::from_pkcs1_fields(f).map(PrivateKey::Rsa),
        other => Err(wrong_format(der, other, "PKCS1")),
    }
}

fn parse_sec1(der: &[u8], curve_oid: Option<&[u8]>) -> Result<PrivateKey, String> {
    let fields = sequence(der);
    match fields.as_deref() {
        Some(f) if is_sec1(f) => EcKey::from_sec1_fields(f, curve_oid).map(PrivateKey::Ec),
        other => Err(wrong_format(der, other, "EC")),
    }
}

/// An OBJECT IDENTIFIER element in dotted form, as Go prints one.
fn dotted(oid: &[u8]) -> String {
    let body = oid.get(2..).unwrap_or_default();
    let mut arcs: Vec<u64> = Vec::new();
    let mut value = 0u64;
    for &b in body {
        value = value.saturating_mul(128) | u64::from(b & 0x7F);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn parse_pkcs8(der: &[u8]) -> Result<PrivateKey, String> {
    let fields = sequence(der);
    let f = match fields.as_deref() {
        Some(f) if is_pkcs8(f) => f,
        other => return Err(wrong_format(der, other, "PKCS8")),
    };
    let algorithm = sequence(f[1].1).unwrap_or_default();
    let oid = algorithm.first().map_or(&[][..], |a| a.1);
    let params = algorithm.get(1);
    let inner = f[2].2;
    if oid == OID_RSA {
        parse_pkcs1(inner)
            .map_err(|e| format!("x509: failed to parse RSA private key embedded in PKCS#8: {e}"))
    } else if oid == OID_EC_PUBLIC_KEY {
        let curve = params.filter(|p| p.0 == 0x06).map(|p| p.1);
        parse_sec1(inner, curve)
            .map_err(|e| format!("x509: failed to parse EC private key embedded in PKCS#8: {e}"))
    } else if oid == OID_ED25519 || oid == OID_X25519 {
        let name = if oid == OID_ED25519 {
            "Ed25519"
        } else {
            "X25519"
        };
        if params.is_some() {
            return Err(format!("x509: invalid {name} private key parameters"));
        }
        let seed = match super::der::read_tlv(inner) {
            Some(((0x04, _, seed), [])) => seed,
            _ => {
                return Err(format!(
                    "x509: invalid {name} private key: asn1: structure error: malformed key"
                ))
            }
        };
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| format!("x509: invalid {name} private key length: {}", seed.len()))?;
        if oid == OID_X25519 {
            return Ok(PrivateKey::X25519);
        }
        Ok(PrivateKey::Ed25519(Ed25519Key::from_seed(seed)))
    } else {
        Err(format!(
            "x509: PKCS#8 wrapping contained private key with unknown algorithm: {}",
            dotted(oid)
        ))
    }
}

/// Sprig's `parsePrivateKeyPEM`: the first PEM block, by its type.
pub(super) fn parse_private_key_pem(text: &str) -> Result<PrivateKey, String> {
    let (kind, der) = pem_block(text).ok_or("no PEM data in input")?;
    if kind == "PRIVATE KEY" {
        return parse_pkcs8(&der).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
    }
    let Some(prefix) = kind.strip_suffix(" PRIVATE KEY") else {
        return Err(format!("no private key data in PEM block of type {kind}"));
    };
    match prefix {
        "RSA" => parse_pkcs1(&der).map_err(|e| format!("parsing RSA private key from PEM: {e}")),
        "EC" => parse_sec1(&der, None).map_err(|e| format!("parsing EC private key from PEM: {e}")),
        "DSA" => sequence(&der)
            .and_then(|f| DsaKey::from_fields(&f))
            .map(PrivateKey::Dsa)
            .ok_or_else(|| {
                let asn1 = outer_asn1_error(&der, "DSAKeyFormat")
                    .unwrap_or_else(|| "asn1: structure error: malformed DSAKeyFormat".to_string());
                format!("parsing DSA private key from PEM: {asn1}")
            }),
        _ => Err(format!("invalid private key type {kind}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_kind_reads_back() {
        let keys = [
            PrivateKey::Rsa(RsaKey::generate(1024).unwrap()),
            PrivateKey::Ec(EcKey::generate(&super::super::ec::curves()[1]).unwrap()),
            PrivateKey::Ed25519(Ed25519Key::generate().unwrap()),
        ];
        for key in &keys {
            let back = parse_private_key_pem(&key.pem()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back.public().unwrap().bits, key.public().unwrap().bits);
        }
    }

    #[test]
    fn errors_name_the_format() {
        assert_eq!(
            parse_private_key_pem("garbage").err().as_deref(),
            Some("no PEM data in input")
        );
        let ec = PrivateKey::Ec(EcKey::generate(&super::super::ec::curves()[1]).unwrap()).pem();
        assert_eq!(
            parse_private_key_pem(&ec.replace("EC PRIVATE", "RSA PRIVATE")).err().as_deref(),
            Some("parsing RSA private key from PEM: x509: failed to parse private key (use ParseECPrivateKey instead for this key format)")
        );
        assert_eq!(
            dotted(&[0x06, 7, 0x2A, 0x86, 0x48, 0xCE, 0x38, 4, 1]),
            "1.2.840.10040.4.1"
        );
    }
}
