//! `Certificate::issuer()`, `subject()`, `serial_decimal()` and `alipay::cert::cert_sn` against Java itself.
//!
//! Alipay's certificate SN is `md5(X500Principal.getName() of the issuer + decimal serial)` as Java computes
//! it, so those strings must be Java's byte for byte. This test encodes several hundred certificates with
//! hostile names and serials (der's encoders; the signatures are not valid, and neither Java nor aggpay
//! checks them), writes them to a temporary directory, runs `java tests/java/X500Names.java` once over all
//! of them, and compares. The expected values come only from Java. Without `java` on PATH the test fails
//! (`scripts/setup.sh` has `ensure_java`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use aggpay::ErrorCode;
use aggpay::alipay::cert::cert_sn;
use aggpay::keys::{Certificate, load_certificate, load_certificate_chain};
use base64::Engine;
use der::asn1::{Any, BitString, Int, Null, ObjectIdentifier, UintRef, UtcTime};
use der::{Encode, Sequence, Tag, TagNumber};

// --- certificate structures (RFC 5280), encoded with der --------------------------------------------------

#[derive(Sequence)]
struct AlgorithmIdentifier {
    algorithm: ObjectIdentifier,
    parameters: Null,
}

#[derive(Sequence)]
struct Validity {
    not_before: UtcTime,
    not_after: UtcTime,
}

#[derive(Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

#[derive(Sequence)]
struct SubjectPublicKeyInfo {
    algorithm: AlgorithmIdentifier,
    subject_public_key: BitString,
}

#[derive(Sequence)]
struct AttributeTypeAndValue {
    oid: ObjectIdentifier,
    value: Any,
}

#[derive(Sequence)]
struct TbsCertificate {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial_number: Int,
    signature: AlgorithmIdentifier,
    /// `Name`: a SEQUENCE OF RDNs, each a SET built by [`rdn_set`] in the order given (not sorted).
    issuer: Vec<Any>,
    validity: Validity,
    subject: Vec<Any>,
    subject_public_key_info: SubjectPublicKeyInfo,
}

#[derive(Sequence)]
struct X509Certificate {
    tbs_certificate: TbsCertificate,
    signature_algorithm: AlgorithmIdentifier,
    signature: BitString,
}

const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

fn oid(dotted: &str) -> ObjectIdentifier {
    ObjectIdentifier::new(dotted).unwrap_or_else(|e| panic!("{dotted}: {e}"))
}

fn sha256_with_rsa() -> AlgorithmIdentifier {
    AlgorithmIdentifier { algorithm: oid(SHA256_WITH_RSA), parameters: Null }
}

/// An attribute: its type and its value.
type Ava = (ObjectIdentifier, Any);
/// An RDN: one attribute, or several (multi-valued), in the order they are to be encoded.
type Rdn = Vec<Ava>;

/// An RDN's SET OF, its attributes in the given order (a DER encoder would sort them; Java keeps the order).
fn rdn_set(rdn: &Rdn) -> Any {
    let mut content = Vec::new();
    for (oid, value) in rdn {
        let ava = AttributeTypeAndValue { oid: *oid, value: value.clone() };
        content.extend(ava.to_der().expect("attribute encodes"));
    }
    Any::new(Tag::Set, content).expect("SET encodes")
}

/// An RSA SubjectPublicKeyInfo Java accepts: a fixed 1024-bit odd modulus (not a real key; nothing uses it).
fn public_key_info() -> SubjectPublicKeyInfo {
    let mut modulus = vec![0xc3u8];
    modulus.extend((1..127u32).map(|i| (i.wrapping_mul(97) ^ 0x5a) as u8));
    modulus.push(0x01);
    let key = RsaPublicKey {
        modulus: UintRef::new(&modulus).expect("modulus"),
        public_exponent: UintRef::new(&[0x01, 0x00, 0x01]).expect("exponent"),
    };
    SubjectPublicKeyInfo {
        algorithm: AlgorithmIdentifier { algorithm: oid(RSA_ENCRYPTION), parameters: Null },
        subject_public_key: BitString::from_bytes(&key.to_der().expect("key encodes")).expect("bit string"),
    }
}

fn certificate_der(case: &Case) -> Vec<u8> {
    let tbs = TbsCertificate {
        version: 2,
        serial_number: Int::new(&case.serial).expect("serial"),
        signature: sha256_with_rsa(),
        issuer: case.issuer.iter().map(rdn_set).collect(),
        validity: Validity {
            not_before: UtcTime::from_unix_duration(Duration::from_secs(1_600_000_000)).expect("time"),
            not_after: UtcTime::from_unix_duration(Duration::from_secs(2_400_000_000)).expect("time"),
        },
        subject: case.subject.iter().map(rdn_set).collect(),
        subject_public_key_info: public_key_info(),
    };
    let cert = X509Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sha256_with_rsa(),
        signature: BitString::from_bytes(&[0x5a; 128]).expect("signature"),
    };
    let mut der = cert.to_der().expect("certificate encodes");
    for (placeholder, identifier) in &case.retag {
        retag(&mut der, placeholder, *identifier);
    }
    der
}

/// der has no UniversalString, GraphicString nor constructed-string tags, so such a value is encoded under a
/// PRIVATE tag with a unique content, and that identifier octet is then set to the universal one.
fn retag(der: &mut [u8], placeholder: &[u8], identifier: u8) {
    let starts: Vec<usize> =
        der.windows(placeholder.len()).enumerate().filter(|(_, w)| *w == placeholder).map(|(i, _)| i).collect();
    assert!(!starts.is_empty(), "placeholder not found");
    for start in starts {
        der[start] = identifier;
    }
}

// --- the cases --------------------------------------------------------------------------------------------

const CN: &str = "2.5.4.3";
const C: &str = "2.5.4.6";
const L: &str = "2.5.4.7";
const ST: &str = "2.5.4.8";
const STREET: &str = "2.5.4.9";
const O: &str = "2.5.4.10";
const OU: &str = "2.5.4.11";
const DC: &str = "0.9.2342.19200300.100.1.25";
const UID: &str = "0.9.2342.19200300.100.1.1";
const EMAIL: &str = "1.2.840.113549.1.9.1";
const SERIAL_NUMBER: &str = "2.5.4.5";
const KEYWORDS: [&str; 9] = [CN, C, L, ST, STREET, O, OU, DC, UID];

/// A readable name for an attribute type in the case labels.
fn short(oid_text: &str) -> &str {
    let names = [CN, C, L, ST, STREET, O, OU, DC, UID, EMAIL, SERIAL_NUMBER];
    let labels = ["CN", "C", "L", "ST", "STREET", "O", "OU", "DC", "UID", "emailAddress", "serialNumber"];
    names.iter().position(|n| *n == oid_text).map_or(oid_text, |i| labels[i])
}

struct Case {
    label: String,
    issuer: Vec<Rdn>,
    subject: Vec<Rdn>,
    serial: Vec<u8>,
    /// `(encoding of a PRIVATE-tagged placeholder value, universal identifier octet to put in its place)`.
    retag: Vec<(Vec<u8>, u8)>,
    /// der cannot decode the certificate (a universal tag it does not know): aggpay must refuse it.
    aggpay_refuses: bool,
}

impl Case {
    /// A certificate whose issuer is `name` and whose subject is `name` with one more RDN.
    fn name(label: impl Into<String>, name: Vec<Rdn>) -> Case {
        let mut subject = name.clone();
        subject.push(vec![(oid(CN), utf8("subject"))]);
        Case {
            label: label.into(),
            issuer: name,
            subject,
            serial: vec![0x01],
            retag: Vec::new(),
            aggpay_refuses: false,
        }
    }
    /// `C=CN, O=aggpay, <attribute>`: one attribute under test in an otherwise ordinary name.
    fn attribute(label: impl Into<String>, oid_text: &str, value: Any) -> Case {
        Case::name(
            label,
            vec![
                vec![(oid(C), tagged(Tag::PrintableString, b"CN"))],
                vec![(oid(O), utf8("aggpay"))],
                vec![(oid(oid_text), value)],
            ],
        )
    }
}

fn tagged(tag: Tag, content: &[u8]) -> Any {
    Any::new(tag, content).expect("value encodes")
}

fn utf8(text: &str) -> Any {
    tagged(Tag::Utf8String, text.as_bytes())
}

fn bmp(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

fn private(number: u32, constructed: bool, content: &[u8]) -> Any {
    tagged(Tag::Private { constructed, number: TagNumber(number) }, content)
}

/// A deterministic xorshift generator, for the fuzzed values.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Values that need escaping, or look as if they might.
const HOSTILE_TEXT: &[&str] = &[
    "a=b",
    "=a",
    "a=",
    "=",
    "==",
    "#a",
    "a#b",
    "a#",
    "#",
    "##",
    "#=#",
    ",",
    "+",
    "\"",
    "\\",
    "<",
    ">",
    ";",
    "a,b",
    "a+b",
    "a\"b",
    "a\\b",
    "a<b>c",
    "a;b",
    ",+\"\\<>;=#",
    "\\,",
    "\\\\",
    "\\ ",
    "\\#",
    " a",
    "  a",
    "   a",
    "a ",
    "a  ",
    "a   ",
    " a ",
    "  a  ",
    "   a   ",
    " ",
    "  ",
    "   ",
    "a b",
    "a  b",
    " #a",
    "# ",
    " # ",
    " , ",
    " =",
    "\ra",
    "a\r",
    "a\rb",
    "\r",
    "\r\r",
    " \r",
    "\r ",
    " \r a \r ",
    "\r\n",
    "a\r\n",
    "\n",
    " \n ",
    "\na\n",
    "a\0b",
    "\0",
    "\0a",
    "a\0",
    " \0 ",
    "\0 ",
    " \0",
    "\0\0",
    "\u{1}\u{2}\u{7}\u{8}",
    "\t",
    " \t ",
    "\ta\t",
    "\u{b}\u{c}",
    "\u{1b}[0m",
    "\u{7f}",
    "\u{80}\u{85}\u{9f}",
    "\u{a0}a\u{a0}",
    "\u{2028}\u{2029}",
    "\u{3000}中\u{3000}",
    "\u{feff}a",
    "\u{fffd}",
    "\u{ffff}",
    "😀",
    " 😀 ",
    "😀,😀",
    "𝄞=𝄞",
    "支付宝(中国)网络技术有限公司",
    "Ünïcödé",
    "e\u{301}",
    "",
    "Ant Financial Certification Authority Class 2 R1",
    "O=x,CN=y",
    "CN=a+OU=b",
    "'()-./:?",
    "a'b",
    "(x)",
    "a:b/c?d",
    "%41",
    "&amp;",
    "\\00",
    "\\0d",
    "\u{10ffff}",
];

fn hostile_text_cases(cases: &mut Vec<Case>) {
    for (i, text) in HOSTILE_TEXT.iter().enumerate() {
        let keyword = KEYWORDS[i % KEYWORDS.len()];
        cases.push(Case::attribute(format!("CN utf8 {text:?}"), CN, utf8(text)));
        cases.push(Case::attribute(
            format!("{} printable {text:?}", short(keyword)),
            keyword,
            tagged(Tag::PrintableString, text.as_bytes()),
        ));
    }
    // The same values in one name, every keyword, and in a multi-valued RDN.
    let many: Vec<Rdn> = HOSTILE_TEXT
        .iter()
        .enumerate()
        .map(|(i, text)| vec![(oid(KEYWORDS[i % KEYWORDS.len()]), utf8(text))])
        .collect();
    cases.push(Case::name("all hostile values in one name", many.clone()));
    let multi: Rdn = many.iter().take(24).flatten().cloned().collect();
    cases.push(Case::name("24 hostile values in one multi-valued RDN", vec![multi]));
}

fn string_type_cases(cases: &mut Vec<Case>) {
    let texts = ["Café", "支付宝", "Ünïcödé 😀", "a,b", " a ", "#x=y", "", "\r", "𝄞"];
    for text in texts {
        // Java reads the raw content bytes of every one of these tags as UTF-8.
        cases.push(Case::attribute(format!("BMPString {text:?}"), CN, tagged(Tag::BmpString, &bmp(text))));
        cases.push(Case::attribute(format!("BMPString {text:?} as O"), O, tagged(Tag::BmpString, &bmp(text))));
        let latin1: Vec<u8> = text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
        cases.push(Case::attribute(format!("T61String latin-1 {text:?}"), CN, tagged(Tag::TeletexString, &latin1)));
        cases.push(Case::attribute(
            format!("T61String utf-8 {text:?}"),
            OU,
            tagged(Tag::TeletexString, text.as_bytes()),
        ));
        cases.push(Case::attribute(format!("GeneralString {text:?}"), L, tagged(Tag::GeneralString, text.as_bytes())));
        cases.push(Case::attribute(format!("IA5String {text:?}"), DC, tagged(Tag::Ia5String, text.as_bytes())));
        cases.push(Case::attribute(format!("IA5String latin-1 {text:?}"), UID, tagged(Tag::Ia5String, &latin1)));
        // Not strings to Java: keyword and hex.
        cases.push(Case::attribute(format!("VisibleString {text:?}"), CN, tagged(Tag::VisibleString, text.as_bytes())));
        cases.push(Case::attribute(format!("NumericString {text:?}"), ST, tagged(Tag::NumericString, text.as_bytes())));
        cases.push(Case::attribute(
            format!("VideotexString {text:?}"),
            STREET,
            tagged(Tag::VideotexString, text.as_bytes()),
        ));
    }
    let odd_bmp = [&[0x00u8, 0x41, 0x42][..], &[0x4e], &[0xd8, 0x3d], &[0xd8, 0x3d, 0xde], &[0xff, 0xfe, 0x00]];
    for bytes in odd_bmp {
        cases.push(Case::attribute(format!("BMPString bytes {bytes:02x?}"), CN, tagged(Tag::BmpString, bytes)));
    }
    let t61 = [&[0xe9u8][..], b"Caf\xe9", &[0xa4, 0xe9, 0x20], &[0xc2, 0x65], &[0x1b, 0x28, 0x42], &[0xff, 0x00, 0x80]];
    for bytes in t61 {
        cases.push(Case::attribute(format!("T61String bytes {bytes:02x?}"), CN, tagged(Tag::TeletexString, bytes)));
        cases.push(Case::attribute(format!("GeneralString bytes {bytes:02x?}"), O, tagged(Tag::GeneralString, bytes)));
        cases.push(Case::attribute(format!("IA5String bytes {bytes:02x?}"), OU, tagged(Tag::Ia5String, bytes)));
        cases.push(Case::attribute(
            format!("PrintableString bytes {bytes:02x?}"),
            C,
            tagged(Tag::PrintableString, bytes),
        ));
    }
}

/// Keyword attributes whose values Java does not read as text: `KEYWORD=#hex`.
fn non_string_cases(cases: &mut Vec<Case>) {
    let values: Vec<(&str, Any)> = vec![
        ("INTEGER", tagged(Tag::Integer, &[0x01])),
        ("negative INTEGER", tagged(Tag::Integer, &[0xff, 0x00])),
        ("BOOLEAN", tagged(Tag::Boolean, &[0xff])),
        ("NULL", tagged(Tag::Null, &[])),
        ("OID", tagged(Tag::ObjectIdentifier, &oid(CN).to_der().expect("oid")[2..])),
        ("OCTET STRING", tagged(Tag::OctetString, b"octets,+")),
        ("empty OCTET STRING", tagged(Tag::OctetString, b"")),
        ("BIT STRING", tagged(Tag::BitString, &[0x00, 0xa5])),
        ("ENUMERATED", tagged(Tag::Enumerated, &[0x02])),
        ("UTCTime", tagged(Tag::UtcTime, b"250101000000Z")),
        ("GeneralizedTime", tagged(Tag::GeneralizedTime, b"20250101000000Z")),
        ("SEQUENCE", tagged(Tag::Sequence, &utf8("inner").to_der().expect("inner"))),
        ("SET", tagged(Tag::Set, &utf8("inner").to_der().expect("inner"))),
        ("[0] context", tagged(Tag::ContextSpecific { constructed: false, number: TagNumber(0) }, b"ctx")),
        ("[1] constructed context", tagged(Tag::ContextSpecific { constructed: true, number: TagNumber(1) }, &[])),
        ("[APPLICATION 3]", tagged(Tag::Application { constructed: false, number: TagNumber(3) }, b"app")),
        ("[PRIVATE 30]", private(30, false, b"priv")),
        ("NumericString", tagged(Tag::NumericString, b"0123 456")),
        ("VisibleString", tagged(Tag::VisibleString, b"visible")),
    ];
    for (i, (what, value)) in values.into_iter().enumerate() {
        for keyword in [KEYWORDS[i % KEYWORDS.len()], CN] {
            cases.push(Case::attribute(format!("{} with {what}", short(keyword)), keyword, value.clone()));
        }
    }
}

/// Attributes without an RFC 2253 keyword: `<dotted OID>=#hex`, strings or not.
fn oid_form_cases(cases: &mut Vec<Case>) {
    let oids = [
        EMAIL,
        SERIAL_NUMBER,
        "2.5.4.4",                   // surname
        "2.5.4.12",                  // title (Java's T, not an RFC 2253 keyword)
        "2.5.4.42",                  // givenName
        "2.5.4.46",                  // dnQualifier
        "2.5.4.17",                  // postalCode
        "2.5.4.97",                  // organizationIdentifier
        "1.3.6.1.4.1.311.60.2.1.3",  // jurisdictionOfIncorporationCountryName (EV)
        "0.9.2342.19200300.100.1.3", // mail
        "1.2.840.113549.1.9.2",      // unstructuredName
        "2.23.140.1.2.2",
        "1.2.3.4.5.6.7.8.9.10.11.4294967295",
        "0.0",
    ];
    for (i, dotted) in oids.iter().enumerate() {
        let values = [
            tagged(Tag::Ia5String, b"pay@example.com"),
            utf8(HOSTILE_TEXT[i * 3 % HOSTILE_TEXT.len()]),
            tagged(Tag::PrintableString, b"1234"),
            tagged(Tag::Integer, &[0x05]),
            tagged(Tag::BmpString, &bmp("x")),
        ];
        for value in values {
            cases.push(Case::attribute(format!("OID {dotted}"), dotted, value));
        }
    }
}

fn multi_valued_cases(cases: &mut Vec<Case>) {
    let cn = (oid(CN), utf8("left"));
    let ou = (oid(OU), utf8("right"));
    let email = (oid(EMAIL), tagged(Tag::Ia5String, b"a@b.c"));
    let plus = (oid(O), utf8("a+b=c"));
    let serial = (oid(SERIAL_NUMBER), tagged(Tag::PrintableString, b"42"));
    let rdns: Vec<(&str, Rdn)> = vec![
        ("sorted CN+OU", vec![cn.clone(), ou.clone()]),
        ("unsorted OU+CN", vec![ou.clone(), cn.clone()]),
        ("unsorted email+CN+OU", vec![email.clone(), cn.clone(), ou.clone()]),
        ("CN+email+OU+serialNumber", vec![cn.clone(), email.clone(), ou.clone(), serial.clone()]),
        ("unsorted O(a+b=c)+CN", vec![plus.clone(), cn.clone()]),
        ("duplicates CN+CN", vec![cn.clone(), cn.clone()]),
        ("differing CNs, unsorted", vec![(oid(CN), utf8("zz")), (oid(CN), utf8("aa")), (oid(CN), utf8("m"))]),
        ("keyword with hex + text", vec![(oid(CN), tagged(Tag::Integer, &[7])), ou.clone()]),
    ];
    for (what, rdn) in rdns {
        cases.push(Case::name(
            format!("multi-valued {what}"),
            vec![vec![(oid(C), tagged(Tag::PrintableString, b"CN"))], rdn.clone(), vec![(oid(O), utf8("last"))]],
        ));
        cases.push(Case::name(format!("only multi-valued {what}"), vec![rdn]));
    }
}

fn empty_and_shape_cases(cases: &mut Vec<Case>) {
    for (what, value) in [
        ("empty UTF8String", utf8("")),
        ("empty PrintableString", tagged(Tag::PrintableString, b"")),
        ("empty BMPString", tagged(Tag::BmpString, b"")),
        ("empty IA5String", tagged(Tag::Ia5String, b"")),
        ("empty T61String", tagged(Tag::TeletexString, b"")),
    ] {
        cases.push(Case::attribute(what, CN, value));
    }
    let mut empty_subject = Case::attribute("empty subject", CN, utf8("issuer"));
    empty_subject.subject = Vec::new();
    cases.push(empty_subject);
    cases.push(Case::name(
        "an empty RDN (SET of nothing)",
        vec![vec![(oid(CN), utf8("a"))], vec![], vec![(oid(O), utf8("b"))]],
    ));
    cases.push(Case::name("one RDN", vec![vec![(oid(CN), utf8("solo"))]]));
    let long: Vec<Rdn> = (0..40).map(|i| vec![(oid(KEYWORDS[i % 9]), utf8(&format!("rdn {i}")))]).collect();
    cases.push(Case::name("40 RDNs", long));
    let mut different = Case::attribute("issuer and subject differ", CN, utf8("Issuer CA"));
    different.subject = vec![vec![(oid(O), utf8(" leaf, ltd "))], vec![(oid(CN), tagged(Tag::BmpString, &bmp("叶")))]];
    cases.push(different);
    // The shape of Alipay's own certificates.
    cases.push(Case::name(
        "Alipay-style issuer",
        vec![
            vec![(oid(C), tagged(Tag::PrintableString, b"CN"))],
            vec![(oid(O), utf8("Ant Financial"))],
            vec![(oid(OU), utf8("Certification Authority"))],
            vec![(oid(CN), utf8("Ant Financial Certification Authority Class 1 R1"))],
        ],
    ));
}

fn serial_cases(cases: &mut Vec<Case>) {
    let mut rng = Rng(0x005e_ed0f_5e71_a1a1);
    let mut random = |n: usize| -> Vec<u8> { (0..n).map(|_| rng.next() as u8).collect() };
    let mut twenty = random(20);
    twenty[0] = 0x5f;
    let mut twenty_high = random(19);
    twenty_high.insert(0, 0x00);
    twenty_high[1] |= 0x80;
    let mut twenty_one = random(20);
    twenty_one[0] |= 0x80;
    twenty_one.insert(0, 0x00);
    let mut sixteen = random(15);
    sixteen.insert(0, 0x00);
    sixteen[1] = 0xff;
    let mut negative_twenty = random(20);
    negative_twenty[0] = 0x80;
    let serials: Vec<(&str, Vec<u8>)> = vec![
        ("zero", vec![0x00]),
        ("one", vec![0x01]),
        ("127", vec![0x7f]),
        ("128 (leading 00)", vec![0x00, 0x80]),
        ("00 80 01", vec![0x00, 0x80, 0x01]),
        ("256", vec![0x01, 0x00]),
        ("u64 max", vec![0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        ("20 bytes", twenty),
        ("20 bytes with leading 00", twenty_high),
        ("21 bytes (20 with high bit, and 00)", twenty_one),
        ("16 bytes with leading 00", sixteen),
        ("-1", vec![0xff]),
        ("-128", vec![0x80]),
        ("-255", vec![0xff, 0x01]),
        ("-256", vec![0xff, 0x00]),
        ("negative 20 bytes", negative_twenty),
        ("most negative 20 bytes", {
            let mut v = vec![0x80];
            v.extend([0x00; 19]);
            v
        }),
    ];
    for (what, serial) in serials {
        let mut case = Case::name(format!("serial {what}"), vec![vec![(oid(CN), utf8("serial"))]]);
        case.serial = serial;
        cases.push(case);
    }
}

/// Malformed and well-formed UTF-8 inside UTF8String (and the other tags Java decodes as UTF-8): Java's
/// decoder replaces malformed input with U+FFFD under its own rules.
fn utf8_bytes_cases(cases: &mut Vec<Case>) {
    let mut sequences: Vec<Vec<u8>> = (0x80..=0xffu8).map(|b| vec![b]).collect();
    let leads = [0xc0u8, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7];
    let leads = leads.iter().chain(&[0xf8, 0xfb, 0xfc, 0xfe, 0xff]);
    let seconds = [0x00u8, 0x20, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xaf, 0xbf, 0xc0, 0xc2, 0xe0, 0xf0, 0xff];
    for &lead in leads {
        for second in seconds {
            sequences.push(vec![lead, second]);
        }
    }
    for lead in [0xe0u8, 0xe1, 0xed, 0xef, 0xf0, 0xf1, 0xf4, 0xf5] {
        for second in [0x80u8, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0x41] {
            for third in [0x80u8, 0xbf, 0x41, 0xc2] {
                sequences.push(vec![lead, second, third]);
            }
        }
    }
    for lead in [0xf0u8, 0xf1, 0xf4, 0xf5, 0xf7] {
        for second in [0x80u8, 0x8f, 0x90, 0xbf] {
            for third in [0x80u8, 0xbf, 0x41] {
                for fourth in [0x80u8, 0xbf, 0x41] {
                    sequences.push(vec![lead, second, third, fourth]);
                }
            }
        }
    }
    for valid in ["é", "中", "\u{ffff}", "\u{fffe}", "\u{10ffff}", "😀", "\u{7ff}", "\u{800}", "\u{d7ff}", "\u{e000}"]
    {
        sequences.push(valid.as_bytes().to_vec());
    }
    sequences.extend([vec![0xed, 0xa0, 0x80], vec![0xed, 0xbf, 0xbf], vec![0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]]);
    sequences.extend([
        vec![0xc0, 0x80],
        vec![0xe0, 0x80, 0x80],
        vec![0xf0, 0x80, 0x80, 0x80],
        vec![0xf8, 0x88, 0x80, 0x80, 0x80],
    ]);
    // Each alone (truncation at the end of the value), between letters, and before a stray continuation.
    let mut values: Vec<Vec<u8>> = Vec::new();
    for s in &sequences {
        values.push(s.clone());
        values.push([b"a".as_slice(), s, b"z"].concat());
        values.push([s.as_slice(), &[0x80]].concat());
    }
    // Fuzz: short strings of bytes that matter to the decoder and to the escaping.
    let alphabet = [
        0x00u8, b' ', b'\r', b'#', b'=', b',', b'\\', b'a', 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf,
        0xe0, 0xe4, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
    ];
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for _ in 0..600 {
        let len = rng.below(10);
        values.push((0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect());
    }
    let tags =
        [Tag::Utf8String, Tag::PrintableString, Tag::TeletexString, Tag::BmpString, Tag::Ia5String, Tag::GeneralString];
    for (n, chunk) in values.chunks(40).enumerate() {
        let tag = tags[n % tags.len()];
        let name: Vec<Rdn> =
            chunk.iter().enumerate().map(|(i, v)| vec![(oid(KEYWORDS[i % KEYWORDS.len()]), tagged(tag, v))]).collect();
        cases.push(Case::name(format!("UTF-8 bytes, chunk {n} as {tag}"), name));
    }
}

/// Universal tags der does not know (UniversalString, GraphicString, constructed strings). Java prints them
/// as `CN=#hex`; aggpay cannot decode such a certificate with der and must refuse it, never guess.
fn unknown_tag_cases(cases: &mut Vec<Case>) {
    let universal: Vec<u8> = "Üñî😀 universal".chars().flat_map(|c| u32::from(c).to_be_bytes()).collect();
    let inner = utf8("constructed").to_der().expect("inner");
    let unknown: Vec<(&str, u32, bool, Vec<u8>, u8)> = vec![
        ("UniversalString", 28, false, universal, 0x1c),
        ("GraphicString", 25, false, b"graphic".to_vec(), 0x19),
        ("constructed UTF8String", 12, true, inner, 0x2c),
    ];
    for (what, number, constructed, content, identifier) in unknown {
        let value = private(number, constructed, &content);
        let placeholder = value.to_der().expect("placeholder");
        for keyword in [CN, EMAIL] {
            let mut case = Case::attribute(format!("{what} under {}", short(keyword)), keyword, value.clone());
            case.retag.push((placeholder.clone(), identifier));
            case.aggpay_refuses = true;
            cases.push(case);
        }
    }
}

fn all_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    hostile_text_cases(&mut cases);
    string_type_cases(&mut cases);
    non_string_cases(&mut cases);
    oid_form_cases(&mut cases);
    multi_valued_cases(&mut cases);
    empty_and_shape_cases(&mut cases);
    serial_cases(&mut cases);
    utf8_bytes_cases(&mut cases);
    unknown_tag_cases(&mut cases);
    cases
}

// --- the comparison ---------------------------------------------------------------------------------------

struct JavaView {
    issuer: String,
    subject: String,
    serial: String,
    cert_sn: String,
}

fn from_hex_utf8(hex: &str) -> String {
    let bytes: Vec<u8> =
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("Java printed hex")).collect();
    String::from_utf8(bytes).expect("Java printed the hex of UTF-8")
}

/// Runs Java once over every file; its view of each, in order (`Err` with Java's exception if it refused one).
fn java_views(files: &[PathBuf]) -> Vec<Result<JavaView, String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // scripts/test.sh points AGGPAY_JAVA at a JDK 17 (ensure_java); otherwise `java` on PATH.
    let java = std::env::var("AGGPAY_JAVA").unwrap_or_else(|_| "java".to_owned());
    let output =
        Command::new(&java).current_dir(root).arg("tests/java/X500Names.java").args(files).output().unwrap_or_else(
            |e| {
                panic!(
                    "this test needs Java 17 as its reference and could not run {java:?} ({e}). Install a JDK 17 \
                 (scripts/setup.sh: ensure_java, or apt-get install openjdk-17-jdk-headless) and set AGGPAY_JAVA \
                 to its java, or put it on PATH."
                )
            },
        );
    assert!(
        output.status.success(),
        "java tests/java/X500Names.java failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("Java printed UTF-8");
    let mut lines: Vec<&str> = stdout.lines().collect();
    let version = if lines.is_empty() { "" } else { lines.remove(0) };
    // Later JDKs decode each string type with its own charset (and refuse some BMPStrings): another
    // reference. aggpay follows OpenJDK 17, which reads every string type's bytes as UTF-8.
    assert!(
        version.starts_with("JAVA\t17\t"),
        "this test's reference is OpenJDK 17, and {java:?} is {version:?}; set AGGPAY_JAVA to a JDK 17's java"
    );
    assert_eq!(lines.len(), files.len(), "one line per certificate from Java");
    lines
        .iter()
        .zip(files)
        .map(|(line, file)| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.get(1).copied(), Some(file.to_str().expect("UTF-8 path")), "Java's line order");
            match fields.as_slice() {
                ["OK", _, issuer, subject, serial, sn] => Ok(JavaView {
                    issuer: from_hex_utf8(issuer),
                    subject: from_hex_utf8(subject),
                    serial: (*serial).to_owned(),
                    cert_sn: (*sn).to_owned(),
                }),
                ["ERR", _, message] => Err((*message).to_owned()),
                _ => panic!("unexpected line from Java: {line:?}"),
            }
        })
        .collect()
}

/// The real certificates among the fixtures (Alipay's own, as their SDKs ship them), one DER each.
fn fixture_certificates() -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "crt") {
                let text = std::fs::read_to_string(&path).expect("fixture");
                if !text.contains("-----BEGIN CERTIFICATE-----") {
                    continue; // the encrypted test_*_aesEncryptText.crt
                }
                let chain = load_certificate_chain(&text, "fixture").expect("fixture certificates load");
                for (i, cert) in chain.iter().enumerate() {
                    found.push((format!("fixture {} #{i}", path.display()), cert.der().to_vec()));
                }
            }
        }
    }
    found.sort();
    found
}

fn first_difference(a: &str, b: &str) -> String {
    let at = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let tail = |s: &str| s.chars().skip(at.saturating_sub(8)).take(24).collect::<String>();
    format!("first difference at char {at}: aggpay …{:?}… java …{:?}…", tail(a), tail(b))
}

#[test]
fn names_serials_and_alipay_sns_are_javas_byte_for_byte() {
    let dir = std::env::temp_dir().join(format!("aggpay-x500-java-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");

    let cases = all_cases();
    let mut items: Vec<(String, Vec<u8>, bool)> =
        cases.iter().map(|c| (c.label.clone(), certificate_der(c), c.aggpay_refuses)).collect();
    let generated = items.len();
    items.extend(fixture_certificates().into_iter().map(|(label, der)| (label, der, false)));
    let is_fixture = |label: &str| label.starts_with("fixture ");
    let files: Vec<PathBuf> = (0..items.len()).map(|i| dir.join(format!("{i:04}.der"))).collect();
    for ((_, der, _), file) in items.iter().zip(&files) {
        std::fs::write(file, der).expect("write certificate");
    }

    let java = java_views(&files);

    let mut failures = String::new();
    let mut compared = 0;
    for (((label, der, refuses), file), java) in items.iter().zip(&files).zip(java) {
        let java = match java {
            Ok(view) => view,
            Err(message) if is_fixture(label) => {
                // Java has no SM2 curve: the SM2-signed Alipay roots are not certificates to it.
                eprintln!("{label}: not compared, Java refused it: {message}");
                continue;
            }
            Err(message) => {
                let _ = writeln!(failures, "{label} ({}): Java refused it: {message}", file.display());
                continue;
            }
        };
        let base64 = base64::engine::general_purpose::STANDARD.encode(der);
        let cert: Certificate = match load_certificate(&base64, "test certificate") {
            Ok(cert) if *refuses => {
                let _ = writeln!(failures, "{label}: expected aggpay to refuse it, got issuer {:?}", cert.issuer());
                continue;
            }
            Ok(cert) => cert,
            Err(e) if *refuses && e.code() == ErrorCode::CertInvalid => {
                compared += 1; // Java: some name; aggpay: a clear refusal, never a wrong SN
                continue;
            }
            Err(e) => {
                let _ = writeln!(failures, "{label}: aggpay refused it: {e:?} (Java: issuer {:?})", java.issuer);
                continue;
            }
        };
        let mut check = |what: &str, ours: &str, theirs: &str| {
            if ours != theirs {
                let _ = writeln!(
                    failures,
                    "{label} ({}): {what} differs\n  aggpay {ours:?}\n  java   {theirs:?}\n  {}",
                    file.display(),
                    first_difference(ours, theirs)
                );
            }
        };
        check("issuer", cert.issuer(), &java.issuer);
        check("subject", cert.subject(), &java.subject);
        check("serial", &cert.serial_decimal(), &java.serial);
        check("cert SN", &cert_sn(&cert), &java.cert_sn);
        compared += 1;
    }
    eprintln!(
        "compared {compared} of {} certificates with Java ({generated} generated, {} fixtures)",
        items.len(),
        items.len() - generated
    );
    assert!(failures.is_empty(), "differences from Java:\n{failures}");
    assert!(generated > 300, "the generated set shrank to {generated}");
    let _ = std::fs::remove_dir_all(&dir);
}
