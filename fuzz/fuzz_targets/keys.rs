//! `keys`: the four loaders on arbitrary text (PEM, bare base64 DER, chains), on the input's bytes
//! as bare base64 DER, and as the body of a labelled PEM block, so the DER parsers see raw bytes.
//! Whatever loads must encode and load back to the same key.
#![no_main]

use aggpay_fuzz::{
    certificate_public_key, load_certificate, load_certificate_chain, load_private_key, load_public_key,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;

const LABELS: &[&str] =
    &["CERTIFICATE", "PUBLIC KEY", "RSA PUBLIC KEY", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

fn load_all(text: &str) {
    if let Ok(key) = load_private_key(text) {
        let _ = key.bits();
        let der = key.to_pkcs8_der().expect("a loaded private key encodes as PKCS#8");
        let again = load_private_key(&STANDARD.encode(der.as_slice())).expect("its PKCS#8 loads back");
        assert_eq!(again.public_key(), key.public_key(), "PKCS#8 round trip changed the key");
    }
    if let Ok(key) = load_public_key(text) {
        let der = key.to_spki_der().expect("a loaded public key encodes as SPKI");
        let again = load_public_key(&STANDARD.encode(&der)).expect("its SPKI loads back");
        assert_eq!(again, key, "SPKI round trip changed the key");
    }
    if let Ok(cert) = load_certificate(text) {
        let _ = (cert.serial_decimal(), cert.serial_hex(), cert.issuer(), cert.subject());
        let _ = (cert.not_before(), cert.not_after(), cert.signature_algorithm(), cert.public_key_algorithm());
        let _ = certificate_public_key(&cert);
        let again = load_certificate(&STANDARD.encode(cert.der())).expect("its DER loads back");
        assert_eq!(again, cert, "DER round trip changed the certificate");
    }
    if let Ok(chain) = load_certificate_chain(text) {
        for cert in &chain {
            let _ = (cert.serial_decimal(), cert.serial_hex(), cert.spki_der().len());
            let _ = certificate_public_key(cert);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    load_all(&String::from_utf8_lossy(data));
    load_all(&STANDARD.encode(data));
    if let Some((&selector, der)) = data.split_first() {
        let label = LABELS[usize::from(selector) % LABELS.len()];
        load_all(&format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", STANDARD.encode(der)));
    }
});
