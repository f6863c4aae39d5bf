//! Sprig's key and certificate functions: `genPrivateKey` (RSA 4096, ECDSA P-256, Ed25519,
//! DSA L2048N256), `genCA`, `genSelfSignedCert`, `genSignedCert` with fresh RSA 2048 keys, their
//! `...WithKey` variants that take a key PEM (RSA, ECDSA, Ed25519), and `buildCustomCert`.
//!
//! Certificates are built as Go's x509 builds Sprig's templates: serial below 2^128, the key
//! usages and extensions Sprig asks for, a subject key id (truncated SHA-256 of the key, as Go
//! 1.25) for CAs, the issuer's key id as authority key id, and the signature algorithm Go picks
//! for the signing key. Keys and certificates are random, so only their shape can match Helm's.

mod der;
mod dsa;
mod ec;
mod ed25519;
mod keys;
mod prime;
mod rsa;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use helmet_value::calendar::civil_from_days;
use helmet_value::{ArgType, FuncError, FuncMap, Map, Object, Value};
use sha2::Digest;

use crate::encoding::{decode, B64};
use crate::{arg_int, arg_str, def};
use der::{bit_string, children, pem, pem_block, read_tlv, seq, tlv, Element};
use keys::{parse_private_key_pem, PrivateKey, PublicKey};

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

const OID_COMMON_NAME: &[u8] = &[0x06, 3, 0x55, 4, 3];
const OID_KEY_USAGE: &[u8] = &[0x06, 3, 0x55, 0x1D, 0x0F];
const OID_EXT_KEY_USAGE: &[u8] = &[0x06, 3, 0x55, 0x1D, 0x25];
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x06, 3, 0x55, 0x1D, 0x13];
const OID_SUBJECT_ALT_NAME: &[u8] = &[0x06, 3, 0x55, 0x1D, 0x11];
const OID_SUBJECT_KEY_ID: &[u8] = &[0x06, 3, 0x55, 0x1D, 0x0E];
const OID_AUTHORITY_KEY_ID: &[u8] = &[0x06, 3, 0x55, 0x1D, 0x23];
const OID_SERVER_AUTH: &[u8] = &[0x06, 8, 0x2B, 6, 1, 5, 5, 7, 3, 1];
const OID_CLIENT_AUTH: &[u8] = &[0x06, 8, 0x2B, 6, 1, 5, 5, 7, 3, 2];

// ---- Names and times ----

/// A Name holding only a common name, as Sprig builds subjects (Go leaves out an empty one).
fn name_der(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return seq(&[]);
    }
    // PrintableString's alphabet; Go's encoder writes anything else (`*` and `&` included,
    // as Helm's certificates show) as UTF8String.
    let printable = cn
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b));
    let value = tlv(if printable { 0x13 } else { 0x0C }, cn.as_bytes());
    seq(&[tlv(0x31, &seq(&[OID_COMMON_NAME.to_vec(), value]))])
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

/// The validity window in Unix seconds. Sprig adds `24h * daysValid` as a Go Duration, whose
/// int64 nanoseconds wrap around for more than about 106,751 days; so do we.
fn validity(now_nanos: i128, days_valid: i64) -> (i64, i64) {
    let added = 86_400_000_000_000i64.wrapping_mul(days_valid);
    let seconds = |nanos: i128| nanos.div_euclid(1_000_000_000) as i64;
    (seconds(now_nanos), seconds(now_nanos + i128::from(added)))
}

fn extension(oid: &[u8], critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid.to_vec()];
    if critical {
        parts.push(vec![0x01, 0x01, 0xFF]);
    }
    parts.push(tlv(0x04, &value));
    seq(&parts)
}

// ---- Reading certificates ----

/// What signing needs from an issuing certificate.
struct ParsedCert {
    subject: Vec<u8>,
    /// The public key's algorithm OID element and key bits.
    public: (Vec<u8>, Vec<u8>),
    subject_key_id: Option<Vec<u8>>,
}

/// Reads a DER certificate far enough to sign with it, failing with Go's parser's texts for
/// the part that is malformed.
fn parse_certificate(der: &[u8]) -> Result<ParsedCert, String> {
    let malformed = |what: &str| format!("x509: malformed {what}");
    let cert = match read_tlv(der) {
        Some(((0x30, _, content), [])) => content,
        Some(((0x30, ..), _)) => return Err("x509: trailing data".into()),
        _ => return Err(malformed("certificate")),
    };
    let tbs = match read_tlv(cert) {
        Some(((0x30, _, content), _)) => content,
        _ => return Err(malformed("tbs certificate")),
    };
    let mut fields: &[Element] = &children(tbs).ok_or_else(|| malformed("tbs certificate"))?;
    let all = fields.to_vec();
    fields = &all;
    if fields.first().is_some_and(|f| f.0 == 0xA0) {
        fields = &fields[1..];
    }
    let expect = |i: usize, tag: u8, what: &str| -> Result<Element, String> {
        fields
            .get(i)
            .copied()
            .filter(|f| f.0 == tag)
            .ok_or_else(|| malformed(what))
    };
    expect(0, 0x02, "serial number")?;
    expect(1, 0x30, "signature algorithm identifier")?;
    expect(2, 0x30, "issuer")?;
    expect(3, 0x30, "validity")?;
    let subject = expect(4, 0x30, "subject")?.1.to_vec();
    let spki = children(expect(5, 0x30, "spki")?.2).ok_or_else(|| malformed("spki"))?;
    let (Some((0x30, _, algorithm)), Some((0x03, _, bits))) = (spki.first(), spki.get(1)) else {
        return Err(malformed("spki"));
    };
    let oid = children(algorithm)
        .and_then(|a| a.first().map(|o| o.1.to_vec()))
        .ok_or_else(|| malformed("spki"))?;
    let public = (oid, bits.get(1..).unwrap_or_default().to_vec());
    let subject_key_id = fields
        .iter()
        .find(|f| f.0 == 0xA3)
        .and_then(|f| read_tlv(f.2))
        .and_then(|((_, _, list), _)| children(list))
        .and_then(|exts| {
            exts.iter().find_map(|ext| {
                let parts = children(ext.2)?;
                if parts.first()?.1 != OID_SUBJECT_KEY_ID {
                    return None;
                }
                let ((_, _, value), _) = read_tlv(parts.last()?.2)?;
                Some(value.to_vec())
            })
        });
    Ok(ParsedCert {
        subject,
        public,
        subject_key_id,
    })
}

// ---- Building certificates ----

/// What the certificate asks for beyond its keys.
struct Template {
    cn: String,
    ips: Vec<Vec<u8>>,
    dns: Vec<String>,
    days_valid: i64,
    is_ca: bool,
}

/// Go's x509 key identifier: the first 20 bytes of the SHA-256 of the public key bits.
fn key_id(public: &PublicKey) -> Vec<u8> {
    sha2::Sha256::digest(&public.bits)[..20].to_vec()
}

/// Builds and signs a certificate for `subject_key`, issued by `parent` (self-signed when
/// `None`) with `signer`, checking in the order Go's `x509.CreateCertificate` does.
fn create_certificate(
    t: &Template,
    subject_key: &PrivateKey,
    parent: Option<&ParsedCert>,
    signer: &PrivateKey,
) -> Result<String, FuncError> {
    signer.check_signer()?;
    let public = subject_key.public()?;
    let subject = name_der(&t.cn);
    let issuer = parent.map_or_else(|| subject.clone(), |p| p.subject.clone());
    let authority_key_id = parent
        .filter(|p| p.subject != subject)
        .and_then(|p| p.subject_key_id.clone())
        .filter(|id| !id.is_empty());
    if let Some(p) = parent {
        let signer_public = signer.public()?;
        let signer_oid = read_tlv(&signer_public.algorithm)
            .and_then(|((_, _, c), _)| read_tlv(c))
            .map(|((_, oid, _), _)| oid.to_vec());
        if signer_oid.as_ref() != Some(&p.public.0) || signer_public.bits != p.public.1 {
            return Err(FuncError::new(
                "error creating certificate: x509: provided PrivateKey doesn't match parent's PublicKey",
            ));
        }
    }
    if let Some(name) = t.dns.iter().find(|d| !d.is_ascii()) {
        return Err(FuncError::new(format!(
            "error creating certificate: x509: {} cannot be encoded as an IA5String",
            helmet_value::strconv::quote(name)
        )));
    }
    let now_nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128);
    let (not_before, not_after) = validity(now_nanos, t.days_valid);
    let serial = prime::random_bytes(16)?;
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
            tlv(0x04, &key_id(&public)),
        ));
    }
    if let Some(id) = authority_key_id {
        extensions.push(extension(
            OID_AUTHORITY_KEY_ID,
            false,
            seq(&[tlv(0x80, &id)]),
        ));
    }
    if !t.dns.is_empty() || !t.ips.is_empty() {
        let mut names: Vec<Vec<u8>> = t.dns.iter().map(|d| tlv(0x82, d.as_bytes())).collect();
        names.extend(t.ips.iter().map(|ip| tlv(0x87, ip)));
        extensions.push(extension(OID_SUBJECT_ALT_NAME, false, seq(&names)));
    }
    let signature_algorithm = signer.signature_algorithm();
    let tbs = seq(&[
        tlv(0xA0, &der::der_uint(&[2])),
        der::der_uint(&serial),
        signature_algorithm.clone(),
        issuer,
        seq(&[time_der(not_before), time_der(not_after)]),
        subject,
        seq(&[public.algorithm, bit_string(0, &public.bits)]),
        tlv(0xA3, &seq(&extensions)),
    ]);
    let signature = signer.sign(&tbs)?;
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

/// Sprig's `getBaseCertTemplate` from the arguments `cn, ips, alternateDNS, daysValid`.
fn leaf_template(a: &[Value]) -> Result<Template, FuncError> {
    Ok(Template {
        cn: arg_str(a, 0).to_string(),
        ips: parse_ips(&a[1])?,
        dns: parse_dns(&a[2])?,
        days_valid: arg_int(a, 3),
        is_ca: false,
    })
}

fn ca_template(cn: &str, days_valid: i64) -> Template {
    Template {
        cn: cn.to_string(),
        ips: Vec::new(),
        dns: Vec::new(),
        days_valid,
        is_ca: true,
    }
}

fn certificate(cert: String, key: &PrivateKey) -> Value {
    Value::Object(Arc::new(Certificate {
        cert,
        key: key.pem(),
    }))
}

/// The key PEM argument of a `...WithKey` function.
fn key_argument(text: &str) -> Result<PrivateKey, FuncError> {
    parse_private_key_pem(text).map_err(|e| FuncError::new(format!("parsing private key: {e}")))
}

fn fresh_rsa_key() -> Result<PrivateKey, FuncError> {
    Ok(PrivateKey::Rsa(rsa::RsaKey::generate(2048)?))
}

fn self_signed(t: &Template, key: &PrivateKey) -> Result<Value, FuncError> {
    let cert = create_certificate(t, key, None, key)?;
    Ok(certificate(cert, key))
}

/// The type of `genSignedCert`'s `ca` parameter: the engine checks it as Go's does.
const CERTIFICATE: ArgType = ArgType::Object("sprig.certificate");

/// The issuing certificate and key of `genSignedCert`'s `ca` argument.
fn signer_of(ca: &Value) -> Result<(ParsedCert, PrivateKey), FuncError> {
    let ca = match ca {
        Value::Object(o) if o.type_name() == "sprig.certificate" => o,
        other => {
            return Err(FuncError::new(format!(
                "wrong type for value; expected sprig.certificate; got {}",
                other.type_name()
            )))
        }
    };
    let text = |name: &str| {
        ca.field(name)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let (_, der) =
        pem_block(&text("Cert")).ok_or_else(|| FuncError::new("unable to decode certificate"))?;
    let parsed = parse_certificate(&der).map_err(|e| {
        FuncError::new(format!(
            "error parsing certificate: decodedSignerCert.Bytes: {e}"
        ))
    })?;
    let key = parse_private_key_pem(&text("Key"))
        .map_err(|e| FuncError::new(format!("error parsing private key: {e}")))?;
    Ok((parsed, key))
}

fn signed(a: &[Value], key: Option<PrivateKey>) -> Result<Value, FuncError> {
    let (parent, signer) = signer_of(&a[4])?;
    let t = leaf_template(a)?;
    let key = match key {
        Some(key) => key,
        None => fresh_rsa_key()?,
    };
    let cert = create_certificate(&t, &key, Some(&parent), &signer)?;
    Ok(certificate(cert, &key))
}

/// Sprig's `buildCustomCert`: a certificate object from base64 PEM texts, both checked.
fn build_custom_cert(b64_cert: &str, b64_key: &str) -> Result<Value, FuncError> {
    let cert = decode(b64_cert, B64, 6, 4)
        .map_err(|_| FuncError::new("unable to decode base64 certificate"))?;
    let key = decode(b64_key, B64, 6, 4)
        .map_err(|_| FuncError::new("unable to decode base64 private key"))?;
    // Go keeps arbitrary bytes in its strings; ours hold UTF-8 only.
    let not_utf8 = |what: &str| {
        FuncError::new(format!(
            "buildCustomCert: a {what} that is not UTF-8 text is not supported"
        ))
    };
    let cert = String::from_utf8(cert).map_err(|_| not_utf8("certificate"))?;
    let key = String::from_utf8(key).map_err(|_| not_utf8("private key"))?;
    let (_, der) =
        pem_block(&cert).ok_or_else(|| FuncError::new("unable to decode certificate"))?;
    parse_certificate(&der).map_err(|e| {
        FuncError::new(format!("error parsing certificate: decodedCert.Bytes: {e}"))
    })?;
    parse_private_key_pem(&key)
        .map_err(|e| FuncError::new(format!("error parsing private key: {e}")))?;
    Ok(Value::Object(Arc::new(Certificate { cert, key })))
}

/// Sprig's `genPrivateKey`: a PEM key of the named type, or a message (not an error) for an
/// unknown type.
fn gen_private_key(kind: &str) -> Result<Value, FuncError> {
    let key = match kind {
        "" | "rsa" => PrivateKey::Rsa(rsa::RsaKey::generate(4096)?),
        "dsa" => PrivateKey::Dsa(dsa::DsaKey::generate(2048, 256)?),
        "ecdsa" => PrivateKey::Ec(ec::EcKey::generate(&ec::curves()[1])?),
        "ed25519" => PrivateKey::Ed25519(ed25519::Ed25519Key::generate()?),
        _ => return Ok(Value::from(format!("Unknown type {kind}"))),
    };
    Ok(Value::from(key.pem()))
}

pub(crate) fn register(map: &mut FuncMap) {
    use ArgType::{Int, ListAny, String as S};
    def(map, "genPrivateKey", &[S], |_, a| {
        gen_private_key(arg_str(a, 0))
    });
    def(map, "buildCustomCert", &[S, S], |_, a| {
        build_custom_cert(arg_str(a, 0), arg_str(a, 1))
    });
    def(map, "genCA", &[S, Int], |_, a| {
        self_signed(
            &ca_template(arg_str(a, 0), arg_int(a, 1)),
            &fresh_rsa_key()?,
        )
    });
    def(map, "genCAWithKey", &[S, Int, S], |_, a| {
        let key = key_argument(arg_str(a, 2))?;
        self_signed(&ca_template(arg_str(a, 0), arg_int(a, 1)), &key)
    });
    def(
        map,
        "genSelfSignedCert",
        &[S, ListAny, ListAny, Int],
        |_, a| {
            let t = leaf_template(a)?;
            self_signed(&t, &fresh_rsa_key()?)
        },
    );
    def(
        map,
        "genSelfSignedCertWithKey",
        &[S, ListAny, ListAny, Int, S],
        |_, a| {
            let key = key_argument(arg_str(a, 4))?;
            self_signed(&leaf_template(a)?, &key)
        },
    );
    def(
        map,
        "genSignedCert",
        &[S, ListAny, ListAny, Int, CERTIFICATE],
        |_, a| signed(a, None),
    );
    def(
        map,
        "genSignedCertWithKey",
        &[S, ListAny, ListAny, Int, CERTIFICATE, S],
        |_, a| {
            let key = key_argument(arg_str(a, 5))?;
            signed(a, Some(key))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_names_use_printable_string_only_for_its_alphabet() {
        assert_eq!(name_der("my-ca.example")[11], 0x13);
        assert_eq!(name_der("*.example")[11], 0x0C);
        assert_eq!(name_der("a&b")[11], 0x0C);
        assert_eq!(name_der("a_b")[11], 0x0C);
        assert_eq!(name_der(""), vec![0x30, 0]);
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(time_der(0), tlv(0x17, b"700101000000Z"));
        assert_eq!(time_der(2_524_608_000), tlv(0x18, b"20500101000000Z"));
    }

    #[test]
    fn validity_wraps_like_go_durations() {
        let now = 1_700_000_000_500_000_000i128;
        assert_eq!(validity(now, 1), (1_700_000_000, 1_700_086_400));
        assert_eq!(validity(now, -1), (1_700_000_000, 1_699_913_600));
        // 24h * 106752 days overflows int64 nanoseconds and wraps negative.
        let wrapped = 86_400_000_000_000i64.wrapping_mul(106_752);
        assert!(wrapped < 0);
        assert_eq!(
            validity(now, 106_752).1,
            ((now + i128::from(wrapped)).div_euclid(1_000_000_000)) as i64
        );
    }

    #[test]
    fn certificates_read_back() {
        let key = PrivateKey::Ec(ec::EcKey::generate(&ec::curves()[1]).unwrap());
        let cert = create_certificate(&ca_template("my-ca", 365), &key, None, &key).unwrap();
        let (kind, der) = pem_block(&cert).unwrap();
        assert_eq!(kind, "CERTIFICATE");
        let parsed = parse_certificate(&der).unwrap();
        assert_eq!(parsed.subject, name_der("my-ca"));
        assert_eq!(parsed.public.1, key.public().unwrap().bits);
        assert_eq!(parsed.subject_key_id, Some(key_id(&key.public().unwrap())));
        assert_eq!(
            parse_certificate(&der[..der.len() - 1]).err().as_deref(),
            Some("x509: malformed certificate")
        );
    }

    /// The parts of a DER certificate a verifier needs: tbs, subject, issuer, validity
    /// seconds and signature.
    struct Parts {
        tbs: Vec<u8>,
        issuer: Vec<u8>,
        not_before: String,
        not_after: String,
        signature: Vec<u8>,
    }

    fn parts(cert_pem: &str) -> Parts {
        let (_, der) = pem_block(cert_pem).unwrap();
        let outer = der::sequence(&der).unwrap();
        let tbs = children(outer[0].2).unwrap();
        let validity = children(tbs[4].2).unwrap();
        let text = |e: &Element| String::from_utf8(e.2.to_vec()).unwrap();
        Parts {
            tbs: outer[0].1.to_vec(),
            issuer: tbs[3].1.to_vec(),
            not_before: text(&validity[0]),
            not_after: text(&validity[1]),
            signature: outer[2].2[1..].to_vec(),
        }
    }

    /// Whether the certificate's signature verifies with `issuer`'s public key.
    fn signature_verifies(cert_pem: &str, issuer: &PrivateKey) -> bool {
        let p = parts(cert_pem);
        let public = issuer.public().unwrap();
        match issuer {
            PrivateKey::Rsa(k) => rsa::verify(&k.n, &k.e, &p.tbs, &p.signature),
            PrivateKey::Ec(k) => {
                let rs = der::sequence(&p.signature).unwrap();
                let (r, s) = (der::uint_of(&rs[0]).unwrap(), der::uint_of(&rs[1]).unwrap());
                ec::verify(k.curve, &public.bits, &p.tbs, &r, &s)
            }
            PrivateKey::Ed25519(_) => {
                ed25519::verify(&public.bits.try_into().unwrap(), &p.tbs, &p.signature)
            }
            _ => false,
        }
    }

    fn days_between(not_before: &str, not_after: &str) -> i64 {
        // UTCTime YYMMDDhhmmssZ; both in this century.
        let days = |t: &str| {
            let n = |r: std::ops::Range<usize>| t[r].parse::<u32>().unwrap();
            helmet_value::calendar::days_from_civil(2000 + i64::from(n(0..2)), n(2..4), n(4..6))
        };
        assert_eq!(not_before[6..], not_after[6..], "same time of day");
        days(not_after) - days(not_before)
    }

    fn text(v: &Value, field: &str) -> String {
        match v {
            Value::Object(o) => o.field(field).unwrap().as_str().unwrap().to_string(),
            _ => panic!("not a certificate"),
        }
    }

    #[test]
    fn certificates_verify_with_every_key_kind() {
        let ca_keys = [
            PrivateKey::Rsa(rsa::RsaKey::generate(1024).unwrap()),
            PrivateKey::Ec(ec::EcKey::generate(&ec::curves()[1]).unwrap()),
            PrivateKey::Ec(ec::EcKey::generate(&ec::curves()[2]).unwrap()),
            PrivateKey::Ed25519(ed25519::Ed25519Key::generate().unwrap()),
        ];
        let leaf_key = PrivateKey::Ed25519(ed25519::Ed25519Key::generate().unwrap());
        for ca_key in &ca_keys {
            let ca = self_signed(&ca_template("the-ca", 30), ca_key).unwrap();
            let ca_cert = text(&ca, "Cert");
            assert!(signature_verifies(&ca_cert, ca_key));
            let ca_parts = parts(&ca_cert);
            assert_eq!(days_between(&ca_parts.not_before, &ca_parts.not_after), 30);
            let reread = parse_private_key_pem(&text(&ca, "Key")).unwrap();
            assert_eq!(reread.public().unwrap().bits, ca_key.public().unwrap().bits);

            let args = [
                Value::from("leaf"),
                Value::Nil,
                Value::Nil,
                Value::Int(7),
                ca.clone(),
            ];
            let leaf = signed(
                &args,
                Some(PrivateKey::Ed25519(ed25519::Ed25519Key::from_seed([7; 32]))),
            )
            .unwrap();
            let leaf_parts = parts(&text(&leaf, "Cert"));
            assert_eq!(leaf_parts.issuer, name_der("the-ca"));
            assert_eq!(
                days_between(&leaf_parts.not_before, &leaf_parts.not_after),
                7
            );
            assert!(signature_verifies(&text(&leaf, "Cert"), ca_key));
            assert!(!signature_verifies(&text(&leaf, "Cert"), &leaf_key));
            let parsed = parse_certificate(&pem_block(&text(&leaf, "Cert")).unwrap().1).unwrap();
            assert_eq!(parsed.subject, name_der("leaf"));
        }
    }

    #[test]
    fn signing_with_a_key_that_is_not_the_cas_fails_as_go() {
        let ca_key = PrivateKey::Ed25519(ed25519::Ed25519Key::generate().unwrap());
        let other = PrivateKey::Ed25519(ed25519::Ed25519Key::generate().unwrap());
        let ca = self_signed(&ca_template("ca", 1), &ca_key).unwrap();
        let mismatched = Value::Object(Arc::new(Certificate {
            cert: text(&ca, "Cert"),
            key: other.pem(),
        }));
        let args = [
            Value::from("x"),
            Value::Nil,
            Value::Nil,
            Value::Int(1),
            mismatched,
        ];
        let err = signed(&args, Some(other)).err().unwrap();
        assert_eq!(
            err.to_string(),
            "error creating certificate: x509: provided PrivateKey doesn't match parent's PublicKey"
        );
    }
}
