//! Certificate names as OpenJDK 17's `X500Principal.getName()` prints them (RFC 2253 form): the
//! text Alipay's certificate SN is an MD5 over, so it must be Java's byte for byte — escaping, the
//! string types Java reads as UTF-8 (BMPString and T61String included), Java's own UTF-8
//! replacement rules, and the encoding order of multi-valued RDNs. `tests/x500_java.rs` checks it
//! against Java itself.

use der::Encode;
use x509_cert::attr::AttributeTypeAndValue;

use crate::crypto::digest::hex_lower;

/// A name as its RDNs, each as its attributes, all in the order the certificate encodes them.
pub(super) type RdnList = Vec<Vec<AttributeTypeAndValue>>;

/// Issuer and subject of a certificate, in encoding order. x509-cert sorts the attributes of a multi-valued
/// RDN into DER `SET OF` order when it decodes; Java keeps the order of the encoding, and so must we.
pub(super) fn names_in_encoding_order(der: &[u8]) -> der::Result<[RdnList; 2]> {
    use der::asn1::AnyRef;
    use der::{Reader, SliceReader, Tag, TagNumber};
    let mut reader = SliceReader::new(der)?;
    let names = reader.sequence(|certificate| {
        let names = certificate.decode::<AnyRef<'_>>()?.sequence(|tbs| {
            let version = Tag::ContextSpecific { constructed: true, number: TagNumber(0) };
            if Tag::peek(tbs)? == version {
                tbs.decode::<AnyRef<'_>>()?;
            }
            let _serial_number = tbs.decode::<AnyRef<'_>>()?;
            let _signature = tbs.decode::<AnyRef<'_>>()?;
            let issuer = rdn_list(tbs.decode()?)?;
            let _validity = tbs.decode::<AnyRef<'_>>()?;
            let subject = rdn_list(tbs.decode()?)?;
            tbs.read_slice(tbs.remaining_len())?; // key, unique ids, extensions
            Ok::<_, der::Error>([issuer, subject])
        })?;
        certificate.read_slice(certificate.remaining_len())?; // signature algorithm and value
        Ok::<_, der::Error>(names)
    })?;
    reader.finish()?;
    Ok(names)
}

/// `Name ::= SEQUENCE OF RelativeDistinguishedName`, `RelativeDistinguishedName ::= SET OF
/// AttributeTypeAndValue`, read without sorting the sets.
fn rdn_list(name: der::asn1::AnyRef<'_>) -> der::Result<RdnList> {
    use der::{Reader, SliceReader, Tag, Tagged};
    name.sequence(|rdns| {
        let mut list = Vec::new();
        while !rdns.is_finished() {
            let rdn = rdns.decode::<der::asn1::AnyRef<'_>>()?;
            rdn.tag().assert_eq(Tag::Set)?;
            let mut attributes = SliceReader::new(rdn.value())?;
            let mut rdn_attributes = Vec::new();
            while !attributes.is_finished() {
                rdn_attributes.push(attributes.decode::<AttributeTypeAndValue>()?);
            }
            list.push(rdn_attributes);
        }
        Ok(list)
    })
}

/// RFC 2253 text of a name exactly as OpenJDK's `X500Principal.getName()` prints it
/// (`X500Name.getRFC2253Name`, which Alipay's certificate SN is computed over): RDNs in reverse order
/// joined by `,` without spaces, the attributes of a multi-valued RDN in encoding order joined by `+`.
pub(super) fn rfc2253(rdns: &[Vec<AttributeTypeAndValue>]) -> der::Result<String> {
    let mut texts = Vec::with_capacity(rdns.len());
    for rdn in rdns.iter().rev() {
        let attributes = rdn.iter().map(attribute_text).collect::<der::Result<Vec<_>>>()?;
        texts.push(attributes.join("+"));
    }
    Ok(texts.join(","))
}

/// One attribute as Java's `AVA.toRFC2253String()` prints it. The nine RFC 2253 keywords name their
/// attributes; every other attribute (emailAddress and serialNumber too) is `<dotted OID>=#<hex of the
/// DER value>`. A keyword attribute is `KEYWORD=#<hex>` when its value is not one of the string types
/// Java reads as text (its `isDerString(value, false)`), and otherwise the escaped text of its content
/// bytes decoded as UTF-8 — whatever the string type says, BMPString and T61String included.
fn attribute_text(atv: &AttributeTypeAndValue) -> der::Result<String> {
    use der::{Tag, Tagged};
    let keyword = match atv.oid.to_string().as_str() {
        "2.5.4.3" => Some("CN"),
        "2.5.4.6" => Some("C"),
        "2.5.4.7" => Some("L"),
        "2.5.4.8" => Some("ST"),
        "2.5.4.9" => Some("STREET"),
        "2.5.4.10" => Some("O"),
        "2.5.4.11" => Some("OU"),
        "0.9.2342.19200300.100.1.25" => Some("DC"),
        "0.9.2342.19200300.100.1.1" => Some("UID"),
        _ => None,
    };
    let java_string = matches!(
        atv.value.tag(),
        Tag::PrintableString
            | Tag::TeletexString
            | Tag::Ia5String
            | Tag::GeneralString
            | Tag::BmpString
            | Tag::Utf8String
    );
    Ok(match keyword {
        Some(keyword) if java_string => format!("{keyword}={}", escape_rfc2253(&java_utf8(atv.value.value()))),
        Some(keyword) => format!("{keyword}=#{}", hex_lower(&atv.value.to_der()?)),
        None => format!("{}=#{}", atv.oid, hex_lower(&atv.value.to_der()?)),
    })
}

/// Java's RFC 2253 escaping of a value (`AVA.toRFC2253String`): a backslash before each of
/// `, = + < > # ; " \` wherever it stands, NUL as `\00`, every other character as it is (control
/// characters too); then a backslash before every leading and every trailing space or carriage return.
fn escape_rfc2253(value: &str) -> String {
    let mut escaped: Vec<char> = Vec::with_capacity(value.len());
    for c in value.chars() {
        match c {
            ',' | '=' | '+' | '<' | '>' | '#' | ';' | '"' | '\\' => escaped.extend(['\\', c]),
            '\0' => escaped.extend(['\\', '0', '0']),
            _ => escaped.push(c),
        }
    }
    let white = |c: &&char| **c == ' ' || **c == '\r';
    let lead = escaped.iter().take_while(white).count();
    let trail_start = escaped.len() - escaped.iter().rev().take_while(white).count();
    let mut out = String::with_capacity(escaped.len() + 4);
    for (i, &c) in escaped.iter().enumerate() {
        if i < lead || i >= trail_start {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `new String(bytes, UTF_8)` as OpenJDK 17 decodes it (`String.decodeUTF8_UTF16`). Each malformed
/// sequence becomes one U+FFFD as in `String::from_utf8_lossy`, except that Java reads an encoded
/// surrogate (`ED A0..BF xx`) as one 3-byte sequence and replaces it once, where Rust replaces each byte.
fn java_utf8(bytes: &[u8]) -> String {
    const REPLACEMENT: char = '\u{FFFD}';
    let cont = |b: u8| b & 0xc0 == 0x80;
    let at = |i: usize| bytes.get(i).copied();
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(b1) = at(i) {
        i += 1; // i: the byte after b1
        match b1 {
            0x00..=0x7f => out.push(char::from(b1)),
            0xc2..=0xdf => match at(i) {
                Some(b2) if cont(b2) => {
                    i += 1;
                    let c = (u32::from(b1 & 0x1f) << 6) | u32::from(b2 & 0x3f);
                    out.push(char::from_u32(c).unwrap_or(REPLACEMENT));
                }
                Some(_) => out.push(REPLACEMENT),
                None => {
                    out.push(REPLACEMENT);
                    break;
                }
            },
            0xe0..=0xef => match (at(i), at(i + 1)) {
                (Some(b2), Some(b3)) => {
                    let overlong = b1 == 0xe0 && b2 & 0xe0 == 0x80;
                    if overlong || !cont(b2) || !cont(b3) {
                        out.push(REPLACEMENT);
                        if !overlong && cont(b2) {
                            i += 1;
                        }
                    } else {
                        i += 2;
                        let c = (u32::from(b1 & 0x0f) << 12) | (u32::from(b2 & 0x3f) << 6) | u32::from(b3 & 0x3f);
                        // A surrogate (ED A0..BF xx) is no char: one replacement for the three bytes.
                        out.push(char::from_u32(c).unwrap_or(REPLACEMENT));
                    }
                }
                (Some(b2), None) if (b1 == 0xe0 && b2 & 0xe0 == 0x80) || !cont(b2) => out.push(REPLACEMENT),
                _ => {
                    out.push(REPLACEMENT);
                    break;
                }
            },
            0xf0..=0xf7 => match (at(i), at(i + 1), at(i + 2)) {
                (Some(b2), Some(b3), Some(b4)) => {
                    let c = (u32::from(b1 & 0x07) << 18)
                        | (u32::from(b2 & 0x3f) << 12)
                        | (u32::from(b3 & 0x3f) << 6)
                        | u32::from(b4 & 0x3f);
                    if cont(b2) && cont(b3) && cont(b4) && (0x10000..0x110000).contains(&c) {
                        i += 3;
                        out.push(char::from_u32(c).unwrap_or(REPLACEMENT));
                    } else {
                        out.push(REPLACEMENT);
                        if !bad_second_of_four(b1, b2) {
                            i += if cont(b3) { 2 } else { 1 };
                        }
                    }
                }
                (b2, b3, None) => {
                    out.push(REPLACEMENT);
                    if b1 > 0xf4 || b2.is_some_and(|b2| bad_second_of_four(b1, b2)) {
                        continue;
                    }
                    i += 1;
                    if b3.is_some_and(|b3| !cont(b3)) {
                        continue;
                    }
                    break;
                }
                _ => out.push(REPLACEMENT), // unreachable: at(i + 2) is Some only after Some, Some
            },
            _ => out.push(REPLACEMENT), // a continuation byte, C0, C1, F8..FF
        }
    }
    out
}

/// Java's `isMalformed4_2`: `b2` cannot follow the first byte `b1` (F0..F7) of a 4-byte sequence.
fn bad_second_of_four(b1: u8, b2: u8) -> bool {
    b1 > 0xf4 || (b1 == 0xf0 && !(0x90..=0xbf).contains(&b2)) || (b1 == 0xf4 && b2 & 0xf0 != 0x80) || b2 & 0xc0 != 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2253_escaping() {
        // Expected values as OpenJDK 17's AVA.toRFC2253String prints them.
        assert_eq!(escape_rfc2253("a,b+c"), "a\\,b\\+c");
        assert_eq!(escape_rfc2253("#x "), "\\#x\\ ");
        assert_eq!(escape_rfc2253("a=b#c#"), "a\\=b\\#c\\#");
        assert_eq!(escape_rfc2253("\"<>;"), "\\\"\\<\\>\\;");
        assert_eq!(escape_rfc2253("  a b  "), "\\ \\ a b\\ \\ ");
        assert_eq!(escape_rfc2253("   "), "\\ \\ \\ ");
        assert_eq!(escape_rfc2253("\ra\rb\r"), "\\\ra\rb\\\r");
        assert_eq!(escape_rfc2253(" \r a \r "), "\\ \\\r\\ a\\ \\\r\\ ");
        assert_eq!(escape_rfc2253("a\0b"), "a\\00b");
        assert_eq!(escape_rfc2253(" \0 "), "\\ \\00\\ ");
        assert_eq!(escape_rfc2253("\t\n\u{1}\u{7f}"), "\t\n\u{1}\u{7f}");
        assert_eq!(escape_rfc2253(""), "");
        assert_eq!(escape_rfc2253("Ant Financial"), "Ant Financial");
    }

    #[test]
    fn utf8_decoding_as_java() {
        // `new String(bytes, UTF_8)` on OpenJDK 17.
        const R: char = '\u{FFFD}';
        let cases: [(&[u8], String); 18] = [
            (b"Caf\xc3\xa9", "Café".into()),
            (b"\x00C\x00a", "\0C\0a".into()),
            (b"\xed\xa0\x80", R.into()),
            (b"\xed\xa0", R.into()),
            (b"\xed\xa0A", format!("{R}A")),
            (b"\xed\x9f\xbf", "\u{d7ff}".into()),
            (b"\xe0\x80\x80", [R; 3].iter().collect()),
            (b"\xf0\x90\x80\x80", "\u{10000}".into()),
            (b"\xf0\x8f\x80\x80", [R; 4].iter().collect()),
            (b"\xf4\x90\x80\x80", [R; 4].iter().collect()),
            (b"\xf5\x80\x80\x80", [R; 4].iter().collect()),
            (b"\xc0\xaf", [R; 2].iter().collect()),
            (b"\xe4\xb8", R.into()),
            (b"\xe4\xb8A", format!("{R}A")),
            (b"\xf0\x90\x80", R.into()),
            (b"\xf0\x90\x80A", format!("{R}A")),
            (b"\xed\xa0\x80A", format!("{R}A")),
            (b"\xff\xff", [R; 2].iter().collect()),
        ];
        for (bytes, java) in cases {
            assert_eq!(java_utf8(bytes), java, "{bytes:02x?}");
        }
        // Where Rust's lossy decoding differs: an encoded surrogate is one replacement to Java, three to Rust.
        assert_eq!(String::from_utf8_lossy(b"\xed\xa0\x80"), [R; 3].iter().collect::<String>());
    }
}
