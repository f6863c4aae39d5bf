//! The three checks of asaskevich/govalidator that Helm's `Chart.yaml` rules use, written
//! from their documented rules: `IsEmail` (an HTML5-style address with a dotted domain),
//! `IsURL` (its URL pattern, after Go's `url.Parse`) and `IsRequestURL` (Go's
//! `url.ParseRequestURI` with a scheme).

/// Non-ASCII letters count as letters, as in govalidator's Unicode ranges.
fn letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (!c.is_ascii() && c.is_alphanumeric())
}

fn alnum(c: char) -> bool {
    letter(c) || c.is_ascii_digit()
}

/// A domain label of an e-mail address: one character, or first and last alphanumeric with
/// `-._~` allowed between.
fn email_label(s: &str, last: bool) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let edge = |c: char| if last { letter(c) } else { alnum(c) };
    match chars.len() {
        0 => false,
        1 => edge(chars[0]),
        n => {
            edge(chars[0])
                && edge(chars[n - 1])
                && chars[1..n - 1]
                    .iter()
                    .all(|&c| alnum(c) || matches!(c, '-' | '.' | '_' | '~'))
        }
    }
}

/// govalidator's `IsEmail`.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        local[1..local.len() - 1]
            .chars()
            .all(|c| c != '"' && c != '\\' && !c.is_control())
    } else {
        !local.is_empty()
            && local.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| alnum(c) || "!#$%&'*+-/=?^_`{|}~".contains(c))
            })
    };
    if !local_ok {
        return false;
    }
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    // At least one label, a dot, and a final label that starts and ends with a letter.
    let Some((head, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    // Labels may contain dots themselves, so any split of `head` into dotted labels is
    // fine as long as its ends are alphanumeric.
    email_label(head, false) && email_label(tld, true)
}

const URL_SCHEMES: &[&str] = &["ftp", "tcp", "udp", "ws", "wss", "http", "https"];

/// govalidator's `IsURL`.
pub fn is_url(s: &str) -> bool {
    if s.is_empty() || s.chars().count() >= 2083 || s.len() <= 3 || s.starts_with('.') {
        return false;
    }
    let parse_text = if s.contains(':') && !s.contains("://") {
        format!("http://{s}")
    } else {
        s.to_string()
    };
    let Some(parsed) = parse_url(&parse_text) else {
        return false;
    };
    if parsed.host.starts_with('.') {
        return false;
    }
    if parsed.host.is_empty() && !parsed.path.is_empty() && !parsed.path.contains('.') {
        return false;
    }
    url_pattern(s)
}

/// The shape of govalidator's URL pattern: optional scheme, optional user info, a host
/// name or address, optional port, then a path, query or fragment without spaces.
fn url_pattern(s: &str) -> bool {
    let mut rest = s;
    if let Some((scheme, after)) = s.split_once("://") {
        if !URL_SCHEMES.contains(&scheme) {
            return false;
        }
        rest = after;
    }
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    let host_port = match authority.rsplit_once('@') {
        Some((user, hp)) => {
            if user.is_empty() || user.chars().any(char::is_whitespace) {
                return false;
            }
            hp
        }
        None => authority,
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) if !h.starts_with('[') || h.ends_with(']') => (h, Some(p)),
        _ => (host_port, None),
    };
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    let host_ok = if host.starts_with('[') && host.ends_with(']') {
        host[1..host.len() - 1]
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    } else {
        !host.is_empty()
            && host.chars().next().is_some_and(alnum)
            && host.chars().last().is_some_and(alnum)
            && host
                .chars()
                .all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
            && !host.contains("..")
    };
    host_ok && !tail.chars().any(char::is_whitespace)
}

/// The parts of a URL Go's `url.Parse` would give, or `None` where it fails.
struct ParsedUrl {
    scheme: String,
    host: String,
    path: String,
}

fn scheme_of(s: &str) -> Result<(&str, &str), ()> {
    for (i, c) in s.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' => {
                if i == 0 {
                    return Err(());
                }
                return Ok((&s[..i], &s[i + 1..]));
            }
            _ => return Ok(("", s)),
        }
    }
    Ok(("", s))
}

fn valid_escapes(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() || !b[i + 1].is_ascii_hexdigit() || !b[i + 2].is_ascii_hexdigit() {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

fn parse_url(s: &str) -> Option<ParsedUrl> {
    if s.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return None;
    }
    let s = s.split_once('#').map_or(s, |(a, _)| a);
    let (scheme, rest) = scheme_of(s).ok()?;
    let rest = rest.split_once('?').map_or(rest, |(a, _)| a);
    let (host, path) = if let Some(after) = rest.strip_prefix("//") {
        let end = after.find('/').unwrap_or(after.len());
        let authority = &after[..end];
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if host.chars().any(|c| c == ' ' || "<>\"`{}|\\^".contains(c)) {
            return None;
        }
        if let Some((_, port)) = host.rsplit_once(':') {
            if !host.ends_with(']') && !port.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
        }
        (host.to_string(), after[end..].to_string())
    } else {
        (String::new(), rest.to_string())
    };
    if !valid_escapes(&path) {
        return None;
    }
    Some(ParsedUrl {
        scheme: scheme.to_string(),
        host,
        path,
    })
}

/// govalidator's `IsRequestURL`: an absolute URI with a scheme.
pub fn is_request_url(s: &str) -> bool {
    if s.is_empty() {
        return false;
    }
    match parse_url(s) {
        Some(u) => !u.scheme.is_empty(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_email("jane@example.com"));
        assert!(is_email("a.b+c@sub.example.org"));
        assert!(!is_email("not-an-email"));
        assert!(!is_email("jane@localhost"));
        assert!(!is_email("jane@@example.com"));
    }

    #[test]
    fn urls() {
        assert!(is_url("https://example.com/x"));
        assert!(is_url("example.com"));
        assert!(is_url("localhost:8080"));
        assert!(!is_url("not a url"));
        assert!(!is_url("foo://example.com"));
    }

    #[test]
    fn request_urls() {
        assert!(is_request_url("https://example.com/icon.png"));
        assert!(is_request_url("mailto:x"));
        assert!(!is_request_url("not a url"));
        assert!(!is_request_url("ftp//bad"));
        assert!(!is_request_url("/only/a/path"));
        assert!(!is_request_url("http://a b/"));
    }
}
