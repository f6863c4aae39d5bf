//! The GET that Helm's schema loader makes for `http` and `https` URLs, with Go's `net/http`
//! client's behaviour where a user sees it: 15 seconds in all, redirects followed (10 at
//! most), proxies chosen from the environment as Go chooses them, the system's certificate
//! authorities, and errors in Go's words for the failures met offline and on a bad URL
//! (`dial tcp: lookup HOST on SERVER:53: no such host`, `connect: connection refused`,
//! `returned status 404 (Not Found)`).

use std::net::ToSocketAddrs;
use std::time::Duration;

/// Whatever a server sends, a schema this big is not read (Go reads any size; no schema comes
/// near this).
const MAX_BODY: u64 = 256 << 20;

/// The body of a 200 response to `GET url`, or the loader's error text.
pub(crate) fn get(url: &str, user_agent: &str) -> Result<Vec<u8>, String> {
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e| format!("failed to create HTTP request for {url}: parse {url:?}: {e}"))?;
    let https = uri.scheme_str() == Some("https");
    let host = uri.host().unwrap_or_default();
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let proxy = proxy_for(&host, port, https);
    let failed = |detail: String| format!("HTTP request failed for {url}: Get {url:?}: {detail}");
    // Go dials the addresses it resolved itself; resolving first gives its texts for a name
    // that does not resolve and for the address that refused.
    let first_address = match proxy {
        Some(_) => None,
        None => match (host.as_str(), port).to_socket_addrs() {
            Ok(mut addresses) => addresses.next(),
            Err(e) => return Err(failed(lookup_error(&host, &e))),
        },
    };
    let agent = agent_for(proxy.as_deref(), user_agent).map_err(failed)?;
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| failed(transport_error(&e, first_address)))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(format!(
            "HTTP request to {url} returned status {status} ({})",
            status_text(status)
        ));
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|e| e.to_string())
}

/// The client for requests through `proxy` (or none). Clients are kept for the process, as Go's
/// default transport is: connections are reused and the system's certificate authorities are
/// read once.
fn agent_for(proxy: Option<&str>, user_agent: &str) -> Result<ureq::Agent, String> {
    static AGENTS: std::sync::Mutex<Vec<(Option<String>, ureq::Agent)>> =
        std::sync::Mutex::new(Vec::new());
    let mut agents = AGENTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, agent)) = agents.iter().find(|(p, _)| p.as_deref() == proxy) {
        return Ok(agent.clone());
    }
    let proxy_config = match proxy {
        Some(proxy) => Some(
            ureq::Proxy::new(proxy)
                .map_err(|e| format!("proxyconnect tcp: invalid proxy {proxy:?}: {e}"))?,
        ),
        None => None,
    };
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(15)))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(user_agent)
        .proxy(proxy_config)
        .tls_config(tls)
        .build()
        .into();
    agents.push((proxy.map(str::to_string), agent.clone()));
    Ok(agent)
}

/// Go's text for a name its resolver could not resolve. Go's own resolver asks the first
/// server of `/etc/resolv.conf` and names it; the C library's text says which failure it was.
fn lookup_error(host: &str, error: &std::io::Error) -> String {
    let server = name_server();
    let text = error.to_string();
    let not_found = [
        "Name or service not known",
        "No address associated with hostname",
    ]
    .iter()
    .any(|t| text.contains(t));
    if not_found {
        format!("dial tcp: lookup {host} on {server}: no such host")
    } else {
        format!("dial tcp: lookup {host} on {server}: {text}")
    }
}

/// The first name server of `/etc/resolv.conf` as Go names it (`10.0.0.2:53`, `[::1]:53`),
/// or Go's default when there is none.
fn name_server() -> String {
    let conf = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    let server = conf.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next() == Some("nameserver"))
            .then(|| words.next())
            .flatten()
            .and_then(|a| a.parse::<std::net::IpAddr>().ok())
    });
    match server {
        Some(address) => std::net::SocketAddr::new(address, 53).to_string(),
        None => "127.0.0.1:53".to_string(),
    }
}

/// Go's text for a request that got no response.
fn transport_error(error: &ureq::Error, address: Option<std::net::SocketAddr>) -> String {
    let dial = |e: &std::io::Error| match address {
        Some(a) => format!(
            "dial tcp {a}: connect: {}",
            helmet_value::oserror::errno_text(e)
        ),
        None => format!("dial tcp: {}", helmet_value::oserror::errno_text(e)),
    };
    match error {
        ureq::Error::Io(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::NetworkUnreachable
                    | std::io::ErrorKind::HostUnreachable
            ) =>
        {
            dial(e)
        }
        // The TLS layer's failures come up through the socket's reads and writes.
        ureq::Error::Io(e) => match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
            Some(tls) => tls_error(tls),
            None => helmet_value::oserror::errno_text(e),
        },
        ureq::Error::Timeout(_) => {
            "context deadline exceeded (Client.Timeout exceeded while awaiting headers)".into()
        }
        ureq::Error::TooManyRedirects => "stopped after 10 redirects".into(),
        ureq::Error::Rustls(e) => tls_error(e),
        other => other.to_string(),
    }
}

/// Go's text for a TLS failure: a server certificate no known authority signed is worded as
/// Go words it; Go words the other failures with the certificate's details, which helmet
/// does not repeat (the prefix is Go's, the reason rustls's).
fn tls_error(error: &rustls::Error) -> String {
    match error {
        rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
                .to_string()
        }
        rustls::Error::InvalidCertificate(other) => {
            format!("tls: failed to verify certificate: {other:?}")
        }
        other => format!("tls: {other}"),
    }
}

/// The proxy Go's `http.ProxyFromEnvironment` picks for a request to `host:port`: `HTTPS_PROXY`
/// for https and `HTTP_PROXY` for http (upper case first), none for `localhost`, a loopback
/// address or a host `NO_PROXY` names.
fn proxy_for(host: &str, port: u16, https: bool) -> Option<String> {
    let env = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| std::env::var(name.to_ascii_lowercase()).ok())
            .filter(|v| !v.is_empty())
    };
    let proxy = env(if https { "HTTPS_PROXY" } else { "HTTP_PROXY" })?;
    let host = host.to_ascii_lowercase();
    if host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
    {
        return None;
    }
    if env("NO_PROXY").is_some_and(|list| no_proxy_matches(&list, &host, port)) {
        return None;
    }
    // Go reads a proxy without a scheme as an http one.
    Some(if proxy.contains("://") {
        proxy
    } else {
        format!("http://{proxy}")
    })
}

/// Whether a `NO_PROXY` list names `host`: `*`, the host itself or a parent domain (`.x.com`
/// or `x.com` both match `a.x.com`), an IP address, or a network in CIDR form; an entry
/// with a port matches that port only.
fn no_proxy_matches(list: &str, host: &str, port: u16) -> bool {
    let ip = host.parse::<std::net::IpAddr>().ok();
    list.split(',')
        .map(|entry| entry.trim().to_ascii_lowercase())
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            if let (Some(ip), Some((net, bits))) = (ip, entry.split_once('/')) {
                return in_network(ip, net, bits);
            }
            let (name, entry_port) = match entry.rsplit_once(':') {
                Some((n, p)) if !n.contains(':') => (n.to_string(), p.parse::<u16>().ok()),
                _ => (entry.clone(), None),
            };
            if entry_port.is_some_and(|p| p != port) {
                return false;
            }
            if let (Some(ip), Ok(other)) = (ip, name.parse::<std::net::IpAddr>()) {
                return ip == other;
            }
            let name = name.trim_start_matches("*.").trim_start_matches('.');
            host == name || host.ends_with(&format!(".{name}"))
        })
}

fn in_network(ip: std::net::IpAddr, network: &str, bits: &str) -> bool {
    let (Ok(network), Ok(bits)) = (network.parse::<std::net::IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (ip, network) {
        (std::net::IpAddr::V4(a), std::net::IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (std::net::IpAddr::V6(a), std::net::IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Go's `http.StatusText`: the empty string for a code it does not name.
fn status_text(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_lists_as_go_reads_them() {
        assert!(no_proxy_matches("*", "a.example.com", 443));
        assert!(no_proxy_matches("example.com", "a.example.com", 443));
        assert!(no_proxy_matches(" .example.com ", "a.example.com", 443));
        assert!(no_proxy_matches("example.com", "example.com", 443));
        assert!(!no_proxy_matches("example.com", "badexample.com", 443));
        assert!(no_proxy_matches("example.com:443", "example.com", 443));
        assert!(!no_proxy_matches("example.com:80", "example.com", 443));
        assert!(no_proxy_matches("10.0.0.0/8", "10.1.2.3", 80));
        assert!(!no_proxy_matches("10.0.0.0/8", "11.1.2.3", 80));
        assert!(no_proxy_matches("10.1.2.3", "10.1.2.3", 80));
    }

    #[test]
    fn lookups_that_fail_as_go_words_them() {
        let unknown = std::io::Error::other(
            "failed to lookup address information: Name or service not known",
        );
        let text = lookup_error("nowhere.invalid", &unknown);
        let server = text
            .strip_prefix("dial tcp: lookup nowhere.invalid on ")
            .and_then(|t| t.strip_suffix(": no such host"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(server.parse::<std::net::SocketAddr>().is_ok(), "{text}");
        assert!(server.ends_with(":53"), "{text}");
    }

    #[test]
    fn status_texts_are_gos() {
        assert_eq!(status_text(404), "Not Found");
        assert_eq!(status_text(413), "Request Entity Too Large");
        assert_eq!(status_text(299), "");
    }
}
