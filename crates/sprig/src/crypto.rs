//! Sprig's key and certificate functions. None is implemented yet: each fails with an error
//! naming itself, so a chart that needs one stops instead of rendering wrong output. (Passwords
//! and AES live in `passwords.rs` and `ciphers.rs`.)

use helmet_value::{ArgType, FuncError, FuncMap};

use crate::def_var;

/// Sprig's key and certificate functions.
const UNSUPPORTED: &[&str] = &[
    "genPrivateKey",
    "buildCustomCert",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
];

pub(crate) fn register(map: &mut FuncMap) {
    for &name in UNSUPPORTED {
        def_var(map, name, &[], ArgType::Any, move |_, _| {
            Err(FuncError::new(format!(
                "function {} is not supported yet",
                helmet_value::strconv::quote(name)
            )))
        });
    }
}
