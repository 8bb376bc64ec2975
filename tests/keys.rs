//! Key loader against the fixtures in tests/fixtures and against hostile input. The byte-exact cross-checks
//! with node:crypto live in js-tests/; here the loader is exercised natively.

use std::path::PathBuf;

use aggpay::ErrorCode;
use aggpay::crypto::rsa::Hash;
const L: aggpay::Limits = aggpay::limits::DEFAULTS;
use aggpay::keys::{load_certificate, load_certificate_chain, load_private_key, load_public_key};

fn fixture(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn alipay_sdk_private_keys_in_every_format_sign_identically() {
    let formats = [
        "alipay/sdk-nodejs/app-private-key.pem",                  // PKCS#1 PEM
        "alipay/sdk-nodejs/app-private-key-no-wrapper.pem",       // PKCS#1 bare base64
        "alipay/sdk-nodejs/app-private-key-pkcs8.pem",            // PKCS#8 PEM
        "alipay/sdk-nodejs/app-private-key-pkcs8-no-wrapper.pem", // PKCS#8 bare base64
    ];
    let public = load_public_key(&fixture("alipay/sdk-nodejs/app-public-key.pem"), "app public key", &L).unwrap();
    let public_bare =
        load_public_key(&fixture("alipay/sdk-nodejs/app-public-key-no-wrapper.pem"), "app public key", &L).unwrap();
    assert_eq!(public, public_bare);
    // What host engines import: the fixtures' own PKCS#8 and SPKI DER, byte for byte, whatever format was loaded.
    let der_of = |f: &str| {
        use base64::Engine;
        let text = fixture(f);
        let body: String =
            text.lines().filter(|l| !l.starts_with("-----")).collect::<String>().split_whitespace().collect();
        base64::engine::general_purpose::STANDARD.decode(body).unwrap()
    };
    let pkcs8 = der_of("alipay/sdk-nodejs/app-private-key-pkcs8.pem");
    assert_eq!(public.to_spki_der().unwrap(), der_of("alipay/sdk-nodejs/app-public-key.pem"));
    let mut signatures = Vec::new();
    for f in formats {
        let key = load_private_key(&fixture(f), "app private key", &L).unwrap();
        assert_eq!(key.to_pkcs8_der().unwrap().as_slice(), pkcs8.as_slice(), "{f}: PKCS#8 DER");
        assert_eq!(key.public_key().to_spki_der().unwrap(), public.to_spki_der().unwrap(), "{f}: SPKI DER");
        assert_eq!(key.bits(), 2048, "{f}");
        assert_eq!(key.public_key(), public, "{f}");
        let sig = key.sign(Hash::Sha256, "a=1&b=中文".as_bytes()).unwrap();
        assert!(public.verify(Hash::Sha256, "a=1&b=中文".as_bytes(), &sig));
        assert!(!public.verify(Hash::Sha256, "a=1&b=中文!".as_bytes(), &sig));
        signatures.push(sig);
    }
    assert!(signatures.windows(2).all(|w| w[0] == w[1]), "PKCS#1 v1.5 is deterministic");
}

#[test]
fn certificates_chains_and_their_facts() {
    let app =
        load_certificate(&fixture("alipay/sdk-nodejs/appCertPublicKey_2021001161683774.crt"), "app cert").unwrap();
    assert_eq!(
        app.issuer(),
        "CN=Ant Financial Certification Authority Class 1 R1,OU=Certification Authority,O=Ant Financial,C=CN"
    );
    assert_eq!(app.serial_decimal(), "42701552708448241360226107228231049510");
    assert_eq!(app.serial_hex(), format!("{:X}", 42701552708448241360226107228231049510u128));
    assert_eq!(app.signature_algorithm(), "1.2.840.113549.1.1.11");
    assert_eq!(app.public_key_algorithm(), "1.2.840.113549.1.1.1");
    assert!(app.not_before() < app.not_after());
    app.public_key("app cert", &L).unwrap();

    let roots = load_certificate_chain(&fixture("alipay/sdk-nodejs/alipayRootCert.crt"), "root certs").unwrap();
    let algs: Vec<&str> = roots.iter().map(|c| c.signature_algorithm()).collect();
    assert_eq!(algs, ["1.2.156.10197.1.501", "1.2.840.113549.1.1.11", "1.2.840.10045.4.3.3", "1.2.840.113549.1.1.5"]);
    // SM2 and EC roots parse, but have no RSA key.
    assert_eq!(roots[0].public_key("root", &L).unwrap_err().code(), ErrorCode::CertInvalid);
    assert_eq!(roots[2].public_key("root", &L).unwrap_err().code(), ErrorCode::CertInvalid);
    // One certificate expected, a chain given.
    let err = load_certificate(&fixture("alipay/sdk-nodejs/alipayRootCert.crt"), "alipay cert").unwrap_err();
    assert_eq!(err.code(), ErrorCode::CertInvalid);
    assert!(err.message().starts_with("alipay cert:"));

    // A chain given as a public key: the first certificate's key.
    let chain = load_certificate_chain(&fixture("alipay/gopay-cert/alipayPublicCert.crt"), "chain").unwrap();
    assert_eq!(chain.len(), 2);
    let first_key = chain[0].public_key("leaf", &L).unwrap();
    assert_eq!(
        load_public_key(&fixture("alipay/gopay-cert/alipayPublicCert.crt"), "alipay public key", &L).unwrap(),
        first_key
    );
}

#[test]
fn every_fixture_key_and_certificate_loads() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut stack = vec![root];
    let mut loaded = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !(name.ends_with(".pem") || name.ends_with(".crt")) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            if name.contains("aesEncryptText") {
                // AES-encrypted certificate text from the Alipay SDK tests, not a certificate.
                assert!(load_certificate_chain(&text, "encrypted text").is_err(), "{name}");
                continue;
            }
            if text.contains("CERTIFICATE") {
                assert!(!load_certificate_chain(&text, "c").unwrap().is_empty(), "{name}");
            } else if name.contains("private") {
                load_private_key(&text, "k", &L).unwrap_or_else(|e| panic!("{name}: {e}"));
            } else {
                load_public_key(&text, "k", &L).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(load_private_key(&text, "k", &L).is_err(), "{name}");
            }
            loaded += 1;
        }
    }
    assert!(loaded >= 25, "only {loaded} fixtures found");
}

#[test]
fn wrong_kinds_name_the_role_and_never_echo_the_key() {
    let private = fixture("alipay/sdk-nodejs/app-private-key-pkcs8.pem");
    let public = fixture("alipay/sdk-nodejs/alipay-public-key.pem");
    let cert = fixture("alipay/sdk-nodejs/alipayCertPublicKey_RSA2.crt");

    let e = load_private_key(&public, "app private key", &L).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeyInvalid);
    assert!(e.message().starts_with("app private key:"), "{e}");
    let e = load_public_key(&private, "alipay public key", &L).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeyInvalid);
    assert!(e.message().contains("alipay public key") && e.message().contains("private key"), "{e}");
    assert_eq!(load_private_key(&cert, "app private key", &L).unwrap_err().code(), ErrorCode::KeyInvalid);

    let bare_private: String = private.lines().filter(|l| !l.starts_with("-----")).collect();
    let e = load_public_key(&bare_private, "alipay public key", &L).unwrap_err();
    assert!(e.message().contains("private key"), "{e}");

    let truncated = &private[..private.len() / 2];
    let e = load_private_key(truncated, "app private key", &L).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeyInvalid);
    for bad in ["", "   ", "garbage!", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"] {
        assert_eq!(load_private_key(bad, "k", &L).unwrap_err().code(), ErrorCode::KeyInvalid, "{bad:?}");
    }
    for e in [
        load_private_key(truncated, "k", &L).unwrap_err(),
        load_public_key(&private, "k", &L).unwrap_err(),
        load_private_key(&bare_private[..900], "k", &L).unwrap_err(),
    ] {
        let shown = format!("{e} {e:?}");
        for window in bare_private.as_bytes().windows(16).step_by(7) {
            assert!(!shown.contains(std::str::from_utf8(window).unwrap()), "key material in {shown}");
        }
    }
    let k = load_private_key(&private, "k", &L).unwrap();
    assert_eq!(format!("{k:?}"), "PrivateKey(RSA 2048 bits)");
}

#[test]
fn literal_backslash_n_and_odd_whitespace_are_accepted() {
    let pem = fixture("alipay/sdk-nodejs/app-private-key.pem");
    let escaped = pem.trim().replace('\n', "\\n");
    let crlf = pem.replace('\n', "\r\n");
    let spaced: String = pem.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().join(" \t ");
    let reference = load_private_key(&pem, "k", &L).unwrap().public_key();
    for text in [escaped, crlf, spaced] {
        assert_eq!(load_private_key(&text, "k", &L).unwrap().public_key(), reference);
    }
}

/// Deterministic pseudo-random garbage (xorshift) must never panic any loader.
#[test]
fn hostile_input_never_panics() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let real = fixture("alipay/sdk-nodejs/app-private-key-pkcs8.pem");
    let bare: String = real.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(&bare).unwrap()
    };
    for i in 0..400 {
        // Random mutations of a real DER, re-encoded as base64 and as PEM.
        let mut d = der.clone();
        for _ in 0..(1 + i % 5) {
            let at = (next() as usize) % d.len();
            d[at] = next() as u8;
        }
        d.truncate(d.len() - (next() as usize % 64));
        let b64 = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(&d)
        };
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n");
        for text in [&b64, &pem] {
            let _ = load_private_key(text, "k", &L);
            let _ = load_public_key(text, "k", &L);
            let _ = load_certificate_chain(text, "c");
        }
        let noise: String = (0..(next() % 200)).map(|_| char::from(32 + (next() % 95) as u8)).collect();
        let _ = load_private_key(&noise, "k", &L);
        let _ = load_certificate_chain(&format!("-----BEGIN CERTIFICATE-----{noise}"), "c");
    }
}

fn generated(name: &str) -> String {
    {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/size-policy").join(name);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }
}

/// One size policy for both roles: 1024–4096 bits by default, `ERR_KEY_SIZE` outside, read from the
/// ASN.1 structure before any big-integer work.
#[test]
fn one_key_size_policy_for_both_roles() {
    let small_private = generated("rsa-512-private.pem");
    let small_public = generated("rsa-512-public.pem");
    let big_private = generated("rsa-16384-private.pem");
    assert_eq!(load_private_key(&small_private, "k", &L).unwrap_err().code(), ErrorCode::KeySize);
    assert_eq!(load_public_key(&small_public, "k", &L).unwrap_err().code(), ErrorCode::KeySize);
    let started = std::time::Instant::now();
    let e = load_private_key(&big_private, "app key", &L).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeySize);
    assert!(e.message().starts_with("app key: a 16384-bit RSA key"), "{e}");
    // Not a timing assertion on the result: a printed figure, for the record.
    eprintln!("16384-bit key refused in {:?}", started.elapsed());
    let bare: String = big_private.lines().filter(|l| !l.starts_with("-----")).collect();
    assert_eq!(load_private_key(&bare, "k", &L).unwrap_err().code(), ErrorCode::KeySize);

    let strict = aggpay::Limits { min_key_bits: 4096, ..L };
    let app = fixture("alipay/sdk-nodejs/app-private-key.pem");
    assert_eq!(load_private_key(&app, "k", &strict).unwrap_err().code(), ErrorCode::KeySize);
    assert_eq!(load_private_key(&app, "k", &L).unwrap().bits(), 2048);
    let public = fixture("alipay/sdk-nodejs/alipay-public-key.pem");
    assert_eq!(load_public_key(&public, "k", &strict).unwrap_err().code(), ErrorCode::KeySize);
    let cert = &load_certificate_chain(&fixture("alipay/gopay-cert/alipayPublicCert.crt"), "c").unwrap()[0];
    assert_eq!(cert.public_key("c", &strict).unwrap_err().code(), ErrorCode::KeySize);
}

/// A BEGIN line without its dashes used to make the "label" run on into the key, and the message
/// quoted it. No framing damage puts any 16-character window of the key into a message.
#[test]
fn damaged_framing_never_quotes_the_key() {
    let pem = fixture("alipay/sdk-nodejs/app-private-key-pkcs8.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let cases = [
        pem.replace("-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY"),
        pem.replace("-----BEGIN PRIVATE KEY-----\n", "-----BEGIN PRIVATE KEY"),
        pem.replace("-----END PRIVATE KEY-----", "-----END PRIVATE KEY"),
        pem.replace("-----END PRIVATE KEY-----", "-----END OTHER-----"),
        format!("-----BEGIN {}-----\n{body}\n-----END X-----", &body[..60].to_ascii_uppercase()),
        format!("-----BEGIN {body}-----"),
        format!("{body}\n-----BEGIN "),
    ];
    for text in &cases {
        for e in [
            load_private_key(text, "k", &L).unwrap_err(),
            load_public_key(text, "k", &L).unwrap_err(),
            load_certificate_chain(text, "k").unwrap_err(),
        ] {
            let shown = format!("{e} {e:?}");
            for window in body.as_bytes().windows(16) {
                assert!(!shown.contains(std::str::from_utf8(window).unwrap()), "key text in {shown}");
            }
            for window in body.to_ascii_uppercase().as_bytes().windows(16) {
                assert!(!shown.contains(std::str::from_utf8(window).unwrap()), "key text in {shown}");
            }
        }
    }
}
