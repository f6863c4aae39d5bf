//! Sprig's `urlParse` and `urlJoin`, following Go's `net/url` for the common URL shapes.

use helmet_value::{ArgType, FuncError, FuncMap, Map, Value};

use crate::{arg_str, def};

/// The parts of a URL as Go's `url.URL` holds them.
#[derive(Default)]
struct Url {
    scheme: String,
    opaque: String,
    userinfo: String,
    host: String,
    path: String,
    raw_query: String,
    fragment: String,
}

fn unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3).filter(|h| h.len() == 2);
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(v) => {
                    out.push(v);
                    i += 3;
                    continue;
                }
                None => {
                    let bad: String = s[i..].chars().take(3).collect();
                    return Err(format!("invalid URL escape {}", go_quote(&bad)));
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn go_quote(s: &str) -> String {
    helmet_value::strconv::quote(s)
}

/// Go's `url.Parse` for the shapes charts use: `scheme://user@host/path?query#fragment`,
/// `scheme:opaque`, and relative references.
fn parse(raw: &str) -> Result<Url, String> {
    let mut u = Url::default();
    let (rest, frag) = match raw.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (raw, None),
    };
    if let Some(f) = frag {
        u.fragment = unescape(f)?;
    }
    if rest.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut rest = rest.to_string();
    // Scheme: letters first, then letters, digits, + - . up to ':'.
    if let Some(i) = rest.find(':') {
        let cand = &rest[..i];
        let valid = cand.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && cand
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if i == 0 {
            return Err("missing protocol scheme".into());
        }
        if valid {
            u.scheme = cand.to_ascii_lowercase();
            rest = rest[i + 1..].to_string();
        }
    }
    if let Some((r, q)) = rest.split_once('?') {
        u.raw_query = q.to_string();
        rest = r.to_string();
    }
    if !rest.starts_with('/') && !u.scheme.is_empty() {
        u.opaque = rest;
        return Ok(u);
    }
    if let Some(after) = rest.strip_prefix("//") {
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        let host = match authority.rfind('@') {
            Some(i) => {
                u.userinfo = authority[..i].to_string();
                &authority[i + 1..]
            }
            None => authority,
        };
        if let Some(bad) = host.chars().find(|c| {
            c.is_ascii() && !c.is_ascii_alphanumeric() && !"-_.~!$&'()*+,;=:[]<>\"%".contains(*c)
        }) {
            return Err(format!(
                "invalid character {} in host name",
                go_quote(&bad.to_string())
            ));
        }
        u.host = unescape(host)?;
        rest = path.to_string();
    }
    u.path = unescape(&rest)?;
    Ok(u)
}

fn hostname(host: &str) -> String {
    if let Some(r) = host.strip_prefix('[') {
        return r.split(']').next().unwrap_or("").to_string();
    }
    match host.rfind(':') {
        Some(i) => host[..i].to_string(),
        None => host.to_string(),
    }
}

/// Go's path escaping for `URL.String`.
fn escape_path(p: &str) -> String {
    let mut out = String::new();
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@!*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn escape_fragment(p: &str) -> String {
    let mut out = String::new();
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@!*'()?".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Go's `URL.String`.
fn to_string(u: &Url) -> String {
    let mut out = String::new();
    if !u.scheme.is_empty() {
        out.push_str(&u.scheme);
        out.push(':');
    }
    if !u.opaque.is_empty() {
        out.push_str(&u.opaque);
    } else {
        if !u.scheme.is_empty() || !u.host.is_empty() || !u.userinfo.is_empty() {
            if !u.host.is_empty() || !u.path.is_empty() || !u.userinfo.is_empty() {
                out.push_str("//");
            }
            if !u.userinfo.is_empty() {
                out.push_str(&u.userinfo);
                out.push('@');
            }
            out.push_str(&u.host);
        }
        let path = escape_path(&u.path);
        if !path.is_empty() && !path.starts_with('/') && !u.host.is_empty() {
            out.push('/');
        }
        // A relative path whose first segment has a colon would read as a scheme.
        if out.is_empty() && path.split('/').next().is_some_and(|seg| seg.contains(':')) {
            out.push_str("./");
        }
        out.push_str(&path);
    }
    if !u.raw_query.is_empty() {
        out.push('?');
        out.push_str(&u.raw_query);
    }
    if !u.fragment.is_empty() {
        out.push('#');
        out.push_str(&escape_fragment(&u.fragment));
    }
    out
}

pub(crate) fn register(map: &mut FuncMap) {
    def(map, "urlParse", &[ArgType::String], |_, a| {
        let raw = arg_str(a, 0);
        let u = parse(raw).map_err(|e| {
            FuncError::new(format!("unable to parse url: parse {}: {e}", go_quote(raw)))
        })?;
        let mut m = Map::new();
        m.insert("scheme".into(), Value::from(u.scheme.clone()));
        m.insert("host".into(), Value::from(u.host.clone()));
        m.insert("hostname".into(), Value::from(hostname(&u.host)));
        m.insert("path".into(), Value::from(u.path.clone()));
        m.insert("query".into(), Value::from(u.raw_query.clone()));
        m.insert("opaque".into(), Value::from(u.opaque.clone()));
        m.insert("fragment".into(), Value::from(u.fragment.clone()));
        m.insert("userinfo".into(), Value::from(u.userinfo.clone()));
        Ok(Value::map(m))
    });
    def(map, "urlJoin", &[ArgType::MapAny], |_, a| {
        let m = a[0].as_map().unwrap_or_default();
        let field = |k: &str| -> Result<String, FuncError> {
            match m.get(k) {
                None => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.to_string()),
                Some(Value::ByteString(_)) => Err(crate::not_utf8()),
                Some(v) => Err(FuncError::new(format!(
                    "unable to parse {k} key, must be of type string, but {} found",
                    v.type_name()
                ))),
            }
        };
        let u = Url {
            scheme: field("scheme")?,
            host: field("host")?,
            path: field("path")?,
            raw_query: field("query")?,
            opaque: field("opaque")?,
            fragment: field("fragment")?,
            userinfo: field("userinfo")?,
        };
        Ok(Value::from(to_string(&u)))
    });
}
