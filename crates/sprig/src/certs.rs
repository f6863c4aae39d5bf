//! Sprig's certificate functions with fresh RSA keys: `genCA`, `genSelfSignedCert`,
//! `genSignedCert` (2048-bit keys, SHA-256 signatures, the extensions Sprig's templates ask Go's
//! x509 for) and `genPrivateKey "rsa"` (4096 bits, PKCS#1 PEM).
//!
//! The certificates are random, so only their shape can match Helm's; the `...WithKey` variants
//! and non-RSA key types still fail as not supported.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use helmet_value::Object;
use helmet_value::{ArgType, FuncError, FuncMap, Map, Value};
use num_bigint::BigUint;
use sha1::Digest;

use crate::encoding::{decode, encode, B64};
use crate::{arg_int, arg_str, def};

/// The value Sprig's certificate functions return: PEM texts of the certificate and its key.
#[derive(Debug)]
struct Certificate {
    cert: String,
    key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::from(self.cert.clone())),
            "Key" => Some(Value::from(self.key.clone())),
            _ => None,
        }
    }

    fn go_format(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }

    fn to_data(&self) -> Value {
        let mut m = Map::new();
        m.insert("Cert".into(), Value::from(self.cert.clone()));
        m.insert("Key".into(), Value::from(self.key.clone()));
        Value::map(m)
    }
}

// ---- DER ----

/// A DER element: tag, length, content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A non-negative INTEGER from big-endian bytes.
fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let mut content = Vec::with_capacity(bytes.len() - skip + 1);
    if bytes.get(skip).is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(&bytes[skip..]);
    tlv(0x02, &content)
}

fn der_big(n: &BigUint) -> Vec<u8> {
    der_uint(&n.to_bytes_be())
}

fn bit_string(unused: u8, bytes: &[u8]) -> Vec<u8> {
    let mut content = vec![unused];
    content.extend_from_slice(bytes);
    tlv(0x03, &content)
}

const NULL: [u8; 2] = [0x05, 0x00];
const OID_SHA256_RSA: &[u8] = &[0x06, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 1, 1, 11];
const OID_RSA: &[u8] = &[0x06, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 1, 1, 1];
const OID_SHA256: &[u8] = &[0x06, 9, 0x60, 0x86, 0x48, 1, 0x65, 3, 4, 2, 1];
const OID_COMMON_NAME: &[u8] = &[0x06, 3, 0x55, 4, 3];
const OID_KEY_USAGE: &[u8] = &[0x06, 3, 0x55, 0x1D, 0x0F];
const OID_EXT_KEY_USAGE: &[u8] = &[0x06, 3, 0x55, 0x1D, 0x25];
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x06, 3, 0x55, 0x1D, 0x13];
const OID_SUBJECT_ALT_NAME: &[u8] = &[0x06, 3, 0x55, 0x1D, 0x11];
const OID_SUBJECT_KEY_ID: &[u8] = &[0x06, 3, 0x55, 0x1D, 0x0E];
const OID_AUTHORITY_KEY_ID: &[u8] = &[0x06, 3, 0x55, 0x1D, 0x23];
const OID_SERVER_AUTH: &[u8] = &[0x06, 8, 0x2B, 6, 1, 5, 5, 7, 3, 1];
const OID_CLIENT_AUTH: &[u8] = &[0x06, 8, 0x2B, 6, 1, 5, 5, 7, 3, 2];

/// One DER element: its tag, the whole encoded element, and its content.
type Element<'a> = (u8, &'a [u8], &'a [u8]);

/// One element of DER input and the input after it, or `None` when malformed.
fn read_tlv(input: &[u8]) -> Option<(Element<'_>, &[u8])> {
    let tag = *input.first()?;
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..count {
            len = len << 8 | usize::from(*input.get(2 + i)?);
        }
        (len, 2 + count)
    };
    let end = header.checked_add(len)?;
    let whole = input.get(..end)?;
    Some(((tag, whole, &whole[header..]), &input[end..]))
}

/// The elements inside a constructed DER value.
fn children(mut content: &[u8]) -> Option<Vec<Element<'_>>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (element, rest) = read_tlv(content)?;
        out.push(element);
        content = rest;
    }
    Some(out)
}

// ---- PEM ----

fn pem(kind: &str, der: &[u8]) -> String {
    let text = encode(der, B64, 6, 4);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// The DER bytes of the first PEM block of type `kind`.
fn pem_decode(text: &str, kind: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {kind}-----");
    let end = format!("-----END {kind}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    let body: String = text[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    decode(&body, B64, 6, 4).ok()
}

// ---- RSA ----

struct RsaKey {
    n: BigUint,
    e: BigUint,
    d: BigUint,
    p: BigUint,
    q: BigUint,
}

fn random_bytes(n: usize) -> Result<Vec<u8>, FuncError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| FuncError::new(format!("random bytes: {e}")))?;
    Ok(buf)
}

const SMALL_PRIMES: [u32; 53] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193,
    197, 199, 211, 223, 227, 229, 233, 239, 241, 251,
];

/// Miller-Rabin with random bases.
fn probably_prime(n: &BigUint, rounds: usize) -> Result<bool, FuncError> {
    let one = BigUint::from(1u8);
    let two = BigUint::from(2u8);
    let n_minus_1 = n - &one;
    let s = n_minus_1.trailing_zeros().unwrap_or(0);
    let d = &n_minus_1 >> s;
    let bytes = (n.bits() as usize).div_ceil(8);
    'witness: for _ in 0..rounds {
        let a = BigUint::from_bytes_be(&random_bytes(bytes)?) % (&n_minus_1 - &two) + &two;
        let mut x = a.modpow(&d, n);
        if x == one || x == n_minus_1 {
            continue;
        }
        for _ in 1..s {
            x = x.modpow(&two, n);
            if x == n_minus_1 {
                continue 'witness;
            }
        }
        return Ok(false);
    }
    Ok(true)
}

/// A random prime of exactly `bits` bits whose top two bits are set, so that two of them
/// multiply to a full-size modulus.
fn random_prime(bits: usize) -> Result<BigUint, FuncError> {
    let bytes = bits / 8;
    loop {
        let mut raw = random_bytes(bytes)?;
        raw[0] |= 0xC0;
        raw[bytes - 1] |= 1;
        let candidate = BigUint::from_bytes_be(&raw);
        if SMALL_PRIMES
            .iter()
            .any(|p| (&candidate % *p) == BigUint::ZERO)
        {
            continue;
        }
        if probably_prime(&candidate, 20)? {
            return Ok(candidate);
        }
    }
}

fn generate_rsa(bits: usize) -> Result<RsaKey, FuncError> {
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

impl RsaKey {
    /// PKCS#1 RSAPrivateKey DER.
    fn pkcs1_der(&self) -> Vec<u8> {
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

    fn pem(&self) -> String {
        pem("RSA PRIVATE KEY", &self.pkcs1_der())
    }

    /// Reads a PKCS#1 key back (the CA key handed to `genSignedCert`).
    fn from_pem(text: &str) -> Option<RsaKey> {
        let der = pem_decode(text, "RSA PRIVATE KEY")?;
        let ((tag, _, content), _) = read_tlv(&der)?;
        if tag != 0x30 {
            return None;
        }
        let parts = children(content)?;
        let int = |i: usize| -> Option<BigUint> {
            let (tag, _, c) = parts.get(i)?;
            (*tag == 0x02).then(|| BigUint::from_bytes_be(c))
        };
        Some(RsaKey {
            n: int(1)?,
            e: int(2)?,
            d: int(3)?,
            p: int(4)?,
            q: int(5)?,
        })
    }

    /// PKCS#1 RSAPublicKey DER.
    fn public_der(&self) -> Vec<u8> {
        seq(&[der_big(&self.n), der_big(&self.e)])
    }

    /// SubjectPublicKeyInfo DER.
    fn spki(&self) -> Vec<u8> {
        seq(&[
            seq(&[OID_RSA.to_vec(), NULL.to_vec()]),
            bit_string(0, &self.public_der()),
        ])
    }

    /// The key identifier Go derives: SHA-1 of the public key.
    fn key_id(&self) -> Vec<u8> {
        sha1::Sha1::digest(self.public_der()).to_vec()
    }

    /// An RSASSA-PKCS1-v1_5 SHA-256 signature.
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        let hash = sha2::Sha256::digest(message);
        let digest_info = seq(&[seq(&[OID_SHA256.to_vec(), NULL.to_vec()]), tlv(0x04, &hash)]);
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

// ---- X.509 ----

/// A Name holding only a common name, as Sprig builds subjects (Go leaves out an empty one).
fn name_der(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return seq(&[]);
    }
    let printable = cn.bytes().all(|b| {
        b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b) || b == b'*' || b == b'&'
    });
    // Go marks `*` and `&` printable too (they are common in hostnames and names).
    let value = tlv(if printable { 0x13 } else { 0x0C }, cn.as_bytes());
    seq(&[tlv(0x31, &seq(&[OID_COMMON_NAME.to_vec(), value]))])
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A certificate time: UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5280).
fn time_der(unix: i64) -> Vec<u8> {
    let (y, mo, d) = civil_from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if (1950..2050).contains(&y) {
        let text = format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100);
        tlv(0x17, text.as_bytes())
    } else {
        let text = format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z");
        tlv(0x18, text.as_bytes())
    }
}

fn extension(oid: &[u8], critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid.to_vec()];
    if critical {
        parts.push(vec![0x01, 0x01, 0xFF]);
    }
    parts.push(tlv(0x04, &value));
    seq(&parts)
}

/// What the certificate asks for beyond its names and keys.
struct Template<'a> {
    cn: &'a str,
    ips: Vec<Vec<u8>>,
    dns: Vec<String>,
    days_valid: i64,
    is_ca: bool,
}

/// Builds and signs a certificate for `subject_key`, issued by `issuer_name` with `issuer_key`.
fn create_certificate(
    t: &Template,
    subject_key: &RsaKey,
    issuer_name: &[u8],
    issuer_key: &RsaKey,
) -> Result<String, FuncError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let not_after = now.saturating_add(t.days_valid.saturating_mul(86_400));
    let serial = random_bytes(16)?;
    // KeyUsage bits (MSB first): digitalSignature, keyEncipherment, and keyCertSign for a CA.
    let key_usage = if t.is_ca {
        bit_string(2, &[0xA4])
    } else {
        bit_string(5, &[0xA0])
    };
    let mut extensions = vec![
        extension(OID_KEY_USAGE, true, key_usage),
        extension(
            OID_EXT_KEY_USAGE,
            false,
            seq(&[OID_SERVER_AUTH.to_vec(), OID_CLIENT_AUTH.to_vec()]),
        ),
        extension(
            OID_BASIC_CONSTRAINTS,
            true,
            if t.is_ca {
                seq(&[vec![0x01, 0x01, 0xFF]])
            } else {
                seq(&[])
            },
        ),
    ];
    if t.is_ca {
        extensions.push(extension(
            OID_SUBJECT_KEY_ID,
            false,
            tlv(0x04, &subject_key.key_id()),
        ));
    } else {
        extensions.push(extension(
            OID_AUTHORITY_KEY_ID,
            false,
            seq(&[tlv(0x80, &issuer_key.key_id())]),
        ));
    }
    if !t.dns.is_empty() || !t.ips.is_empty() {
        let mut names: Vec<Vec<u8>> = t.dns.iter().map(|d| tlv(0x82, d.as_bytes())).collect();
        names.extend(t.ips.iter().map(|ip| tlv(0x87, ip)));
        extensions.push(extension(OID_SUBJECT_ALT_NAME, false, seq(&names)));
    }
    let signature_algorithm = seq(&[OID_SHA256_RSA.to_vec(), NULL.to_vec()]);
    let tbs = seq(&[
        tlv(0xA0, &der_uint(&[2])),
        der_uint(&serial),
        signature_algorithm.clone(),
        issuer_name.to_vec(),
        seq(&[time_der(now), time_der(not_after)]),
        name_der(t.cn),
        subject_key.spki(),
        tlv(0xA3, &seq(&extensions)),
    ]);
    let signature = issuer_key.sign(&tbs);
    let cert = seq(&[tbs, signature_algorithm, bit_string(0, &signature)]);
    Ok(pem("CERTIFICATE", &cert))
}

/// Sprig's `getNetIPs`: each item must be a string Go's `net.ParseIP` reads.
fn parse_ips(v: &Value) -> Result<Vec<Vec<u8>>, FuncError> {
    let items = v.as_list().unwrap_or_default();
    items
        .iter()
        .map(|item| {
            let Some(text) = item.as_str() else {
                return Err(FuncError::new(format!(
                    "error parsing ip: {} is not a string",
                    helmet_value::fmt::format_value(item)
                )));
            };
            match text.parse::<std::net::IpAddr>() {
                Ok(std::net::IpAddr::V4(ip)) => Ok(ip.octets().to_vec()),
                Ok(std::net::IpAddr::V6(ip)) => Ok(match ip.to_ipv4_mapped() {
                    Some(v4) => v4.octets().to_vec(),
                    None => ip.octets().to_vec(),
                }),
                Err(_) => Err(FuncError::new(format!("error parsing ip: {text}"))),
            }
        })
        .collect()
}

/// Sprig's `getAlternateDNSStrs`: each item must be a string.
fn parse_dns(v: &Value) -> Result<Vec<String>, FuncError> {
    let items = v.as_list().unwrap_or_default();
    items
        .iter()
        .map(|item| {
            item.as_str().map(str::to_string).ok_or_else(|| {
                FuncError::new(format!(
                    "error processing alternate dns name: {} is not a string",
                    helmet_value::fmt::format_value(item)
                ))
            })
        })
        .collect()
}

fn certificate(cert: String, key: &RsaKey) -> Value {
    Value::Object(Arc::new(Certificate {
        cert,
        key: key.pem(),
    }))
}

fn gen_ca(cn: &str, days: i64) -> Result<Value, FuncError> {
    let key = generate_rsa(2048)?;
    let t = Template {
        cn,
        ips: Vec::new(),
        dns: Vec::new(),
        days_valid: days,
        is_ca: true,
    };
    let cert = create_certificate(&t, &key, &name_der(cn), &key)?;
    Ok(certificate(cert, &key))
}

fn gen_self_signed(a: &[Value]) -> Result<Value, FuncError> {
    let t = Template {
        cn: arg_str(a, 0),
        ips: parse_ips(&a[1])?,
        dns: parse_dns(&a[2])?,
        days_valid: arg_int(a, 3),
        is_ca: false,
    };
    let key = generate_rsa(2048)?;
    let cert = create_certificate(&t, &key, &name_der(t.cn), &key)?;
    Ok(certificate(cert, &key))
}

/// The subject Name of a PEM certificate, as raw DER.
fn subject_of(cert_pem: &str) -> Option<Vec<u8>> {
    let der = pem_decode(cert_pem, "CERTIFICATE")?;
    let ((_, _, cert), _) = read_tlv(&der)?;
    let ((_, _, tbs), _) = read_tlv(cert)?;
    let fields = children(tbs)?;
    // An explicit version ([0]) shifts the fields by one.
    let offset = usize::from(fields.first()?.0 == 0xA0);
    Some(fields.get(offset + 4)?.1.to_vec())
}

fn gen_signed(a: &[Value]) -> Result<Value, FuncError> {
    let ca = match &a[4] {
        Value::Object(o) if o.type_name() == "sprig.certificate" => o,
        other => {
            return Err(FuncError::new(format!(
                "wrong type for value; expected sprig.certificate; got {}",
                other.type_name()
            )))
        }
    };
    let ca_cert = ca
        .field("Cert")
        .and_then(|v| v.as_str().map(str::to_string));
    let ca_key = ca.field("Key").and_then(|v| v.as_str().map(str::to_string));
    let issuer = ca_cert
        .as_deref()
        .and_then(subject_of)
        .ok_or_else(|| FuncError::new("unable to decode certificate"))?;
    let issuer_key = ca_key
        .as_deref()
        .and_then(RsaKey::from_pem)
        .ok_or_else(|| {
            FuncError::new("error parsing private key: helmet reads only PKCS#1 RSA CA keys")
        })?;
    let t = Template {
        cn: arg_str(a, 0),
        ips: parse_ips(&a[1])?,
        dns: parse_dns(&a[2])?,
        days_valid: arg_int(a, 3),
        is_ca: false,
    };
    let key = generate_rsa(2048)?;
    let cert = create_certificate(&t, &key, &issuer, &issuer_key)?;
    Ok(certificate(cert, &key))
}

fn not_supported(what: &str) -> FuncError {
    FuncError::new(format!("{what} is not supported yet"))
}

pub(crate) fn register(map: &mut FuncMap) {
    use ArgType::{Any, Int, ListAny, String as S};
    def(map, "genCA", &[S, Int], |_, a| {
        gen_ca(arg_str(a, 0), arg_int(a, 1))
    });
    def(
        map,
        "genSelfSignedCert",
        &[S, ListAny, ListAny, Int],
        |_, a| gen_self_signed(a),
    );
    def(
        map,
        "genSignedCert",
        &[S, ListAny, ListAny, Int, Any],
        |_, a| gen_signed(a),
    );
    def(map, "genPrivateKey", &[S], |_, a| match arg_str(a, 0) {
        "" | "rsa" => Ok(Value::from(generate_rsa(4096)?.pem())),
        kind @ ("dsa" | "ecdsa" | "ed25519") => Err(not_supported(&format!(
            "genPrivateKey of type {}",
            helmet_value::strconv::quote(kind)
        ))),
        kind => Ok(Value::from(format!("Unknown type {kind}"))),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_and_integers() {
        assert_eq!(tlv(0x04, &[1, 2]), vec![0x04, 2, 1, 2]);
        assert_eq!(&tlv(0x04, &[0; 200])[..3], &[0x04, 0x81, 200]);
        assert_eq!(&tlv(0x04, &[0; 300])[..4], &[0x04, 0x82, 1, 44]);
        assert_eq!(der_uint(&[0, 0, 5]), vec![2, 1, 5]);
        assert_eq!(der_uint(&[0x80]), vec![2, 2, 0, 0x80]);
        assert_eq!(der_uint(&[]), vec![2, 1, 0]);
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(time_der(0), tlv(0x17, b"700101000000Z"));
        assert_eq!(time_der(2_524_608_000), tlv(0x18, b"20500101000000Z"));
    }

    #[test]
    fn signatures_verify_and_names_read_back() {
        let key = generate_rsa(1024).unwrap();
        let sig = key.sign(b"hello");
        // Verify: s^e mod n gives the padded DigestInfo.
        let em = BigUint::from_bytes_be(&sig)
            .modpow(&key.e, &key.n)
            .to_bytes_be();
        assert_eq!(em[0], 1);
        assert!(em.ends_with(&sha2::Sha256::digest(b"hello")));
        let back = RsaKey::from_pem(&key.pem()).unwrap();
        assert_eq!(back.n, key.n);
        assert_eq!(back.d, key.d);
        let t = Template {
            cn: "my-ca",
            ips: vec![vec![10, 0, 0, 1]],
            dns: vec!["a.example".into()],
            days_valid: 365,
            is_ca: true,
        };
        let cert = create_certificate(&t, &key, &name_der("my-ca"), &key).unwrap();
        assert_eq!(subject_of(&cert).unwrap(), name_der("my-ca"));
    }
}
