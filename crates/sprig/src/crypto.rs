//! Sprig's cryptographic functions. None is implemented yet: each fails with an error naming
//! itself, so a chart that needs one stops instead of rendering wrong output.

use helmet_value::{ArgType, FuncError, FuncMap};

use crate::def_var;

/// Sprig's key, certificate, password and cipher functions.
const UNSUPPORTED: &[&str] = &[
    "bcrypt",
    "htpasswd",
    "derivePassword",
    "genPrivateKey",
    "buildCustomCert",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "encryptAES",
    "decryptAES",
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
