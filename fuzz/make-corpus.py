#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ from tests/fixtures (keys, certificates, vectors).

Deterministic: RSA PKCS#1 v1.5 signatures (openssl) and the rest are computed from the fixture keys,
so a re-run rewrites the same files. Files named regress-* (reproducers of fixed bugs) are kept. Needs python3 and openssl; only for regenerating the seeds —
fuzzing itself uses the committed files.

    python3 fuzz/make-corpus.py
"""

import base64
import hashlib
import json
import os
import subprocess
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")
OUT = os.path.join(ROOT, "fuzz", "corpus")


def fixture(path, mode="r"):
    with open(os.path.join(FIX, path), mode) as f:
        return f.read()


def vectors(path):
    return json.loads(fixture(path))["vectors"]


corpora = {}


def seed(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    corpora.setdefault(target, {})[name] = data


def form_encode(pairs):
    enc = lambda s: urllib.parse.quote_plus(s, safe="*")
    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)


def rsa_sign(private_pem_path, content):
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", os.path.join(FIX, private_pem_path)],
        input=content, capture_output=True, check=True,
    )
    return base64.b64encode(out.stdout).decode()


def pem_der(path):
    """DER bytes of the first PEM block (or of bare base64) in a fixture."""
    text = fixture(path)
    body = [l for l in text.splitlines() if l and not l.startswith("-----")]
    if "-----BEGIN" in text:
        lines = text.splitlines()
        start = next(i for i, l in enumerate(lines) if l.startswith("-----BEGIN"))
        end = next(i for i, l in enumerate(lines) if l.startswith("-----END"))
        body = lines[start + 1:end]
    return base64.b64decode("".join(body))


# ---------------------------------------------------------------- Alipay notifications (form bodies)
alipay = vectors("alipay/vectors.json")
for v in alipay:
    if not v["kind"].startswith("notify-verify"):
        continue
    body = v.get("form_body") or form_encode(v["params"].items())
    seed("alipay_notify", v["id"], body)
    seed("form", "alipay-" + v["id"], body)
yuque = next(v for v in alipay if v["id"] == "notify-v1-yuque")
seed("alipay_notify", "return-url-query", "?" + yuque["form_body"])
gbk = dict(yuque["params"], charset="gbk", subject="中文")
gbk_body = "&".join(
    f"{urllib.parse.quote_plus(k)}={urllib.parse.quote_plus(val.encode('gbk') if k == 'subject' else val)}"
    for k, val in gbk.items()
)
seed("alipay_notify", "charset-gbk", gbk_body)
seed("form", "charset-gbk", gbk_body)
seed("alipay_notify", "sign-type-rsa", form_encode(dict(yuque["params"], sign_type="RSA").items()))
seed("alipay_notify", "minimal", "sign=AAAA&sign_type=RSA2&charset=utf-8&a=1")
seed("form", "escapes", "a=1&passback_params=x%253Dy%26z&sp=a+b%20c&empty=&flag&&")
seed("form", "repeated-escaped-name", "a=1&%61=2&sign=x&sign=y")
seed("form", "bad-escapes", "a=%&b=%4&c=%zz&%g0=1")
seed("form", "code2session-query",
     "appid=wx1&secret=s3cr3t-value&js_code=code+1&grant_type=authorization_code")

# ---------------------------------------------------------------- Alipay responses (v2 raw, v3 framed)
for v in alipay:
    if v["kind"] in ("response-verify", "response-sign-content"):
        seed("alipay_response", v["id"], v["raw_response"])
        seed("json_node", "alipay-" + v["id"], v["raw_response"])
aes = next(v for v in alipay if v["kind"] == "aes-cbc-decrypt")
seed("alipay_response", "encrypted-node",
     json.dumps({"alipay_open_auth_app_aes_set_response": aes["ciphertext"], "sign": "AAAA"}, separators=(",", ":")))
seed("alipay_response", "error-response",
     '{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"x"},"sign":"AAAA"}')
seed("alipay_response", "business-failure",
     '{"alipay_trade_query_response":{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST"},"sign":"AAAA"}')
seed("alipay_response", "cert-sn",
     '{"alipay_trade_query_response":{"code":"10000","msg":"Success","trade_no":"2024","url":"http:\\/\\/x"},'
     '"alipay_cert_sn":"7513daaaa48aa3ba2e4018d84402479c","sign":"AAAA"}')
seed("alipay_response", "v3-200-signed",
     "200\nalipay-timestamp: 1717756911576\nalipay-nonce: 5f9fba93bbb240f0b32804d5ead3e131\n"
     "alipay-signature: AAAA\nalipay-sn: 7513daaaa48aa3ba2e4018d84402479c\n\n"
     '{"trade_no":"2024","out_trade_no":"T20240101001","total_amount":"0.01"}')
seed("alipay_response", "v3-400-error",
     '400\ncontent-type: application/json\n\n{"code":"INVALID_PARAMETER","message":"bad","links":[]}')
seed("alipay_response", "v3-204-empty", "204\nAlipay-Timestamp: 1\nAlipay-Nonce: n\nAlipay-Signature: AAAA\n\n")
seed("alipay_response", "v3-whole-json",
     '{"status":200,"headers":{"alipay-timestamp":"1","alipay-nonce":"n","alipay-signature":"AAAA"},"body":"{}"}')

# ---------------------------------------------------------------- UseePay (responses signed MD5 and RSA, notifications)
MD5_KEY = "test_md5_key_123"


def useepay_content(fields):
    kept = sorted(((k, v) for k, v in fields.items() if k != "sign" and v.strip(" \t\r\n\x0b\x0c\x00") != ""),
                  key=lambda kv: kv[0].encode())
    return "&".join(f"{k}={v}" for k, v in kept).encode()


def useepay_signed(fields, sign_type):
    fields = dict(fields, signType=sign_type)
    content = useepay_content(fields)
    if sign_type == "MD5":
        fields["sign"] = hashlib.md5(content + b"&pkey=" + MD5_KEY.encode()).hexdigest()
    else:
        fields["sign"] = rsa_sign("useepay/test-useepay-private.pem", content)
    return fields


MERCHANT = {"merchantNo": "500000000007362", "errorCode": "0000", "errorMsg": "Approved or completed successfully"}
redirect = json.dumps({"appId": "wx1234567890abcdef", "timeStamp": 1700000000, "noceStr": "n0/Ab+c",
                       "package": "prepay_id=wx2016/中", "signType": "RSA", "paySign": "s/+="},
                      ensure_ascii=False, separators=(",", ":"))
info = {"transactionType": "sale", "reference": "10121101414016500", "amount": "2000", "currency": "HKD",
        "resultCode": "succeed", "errorCode": "0000", "transactionId": "T0",
        "settlement": [{"settlementCurrency": "USD", "settlementRate": "0.128"}], "note": "/ 中文 \"q\" {x}"}
responses = {
    "jsapi": dict(MERCHANT, resultCode="pending", transactionType="pay", transactionId="T1", reference="101211",
                  amount="100", currency="HKD", echoParam=" ", redirectParam=redirect),
    "query": dict(MERCHANT, resultCode="succeed",
                  transactionInfo=json.dumps(info, ensure_ascii=True).replace("/", "\\/")),
    "refund": dict(MERCHANT, resultCode="pending", transactionType="refund", transactionId="R1", amount="100",
                   currency="HKD"),
}
for name, fields in responses.items():
    for sign_type in ("MD5", "RSA"):
        signed = useepay_signed(fields, sign_type)
        style = {"separators": (",", ":"), "ensure_ascii": False} if sign_type == "MD5" else {"indent": 2}
        text = json.dumps(signed, **style)
        seed("useepay", f"response-{name}-{sign_type.lower()}", text)
        if name == "query":
            seed("json_node", f"useepay-{name}-{sign_type.lower()}", text)
seed("useepay", "response-failed-unsigned",
     '{"merchantNo":"500000000007362","resultCode":"failed","errorCode":"1001","errorMsg":"bad sign","sign":null}')
for v in vectors("useepay/vectors.json"):
    if v["kind"] in ("md5-verify", "notify-verify-rsa"):
        body = v.get("form_body") or form_encode(v["params"].items())
        seed("useepay", "notify-" + v["id"], body)
        seed("form", "useepay-" + v["id"], body)

# ---------------------------------------------------------------- WeChat (login, AES)
wechat = vectors("wechatpay/vectors.json")
for v in wechat:
    if v["kind"] == "aes-cbc-decrypt" and "session_key" in v:
        appid = v.get("expect_watermark_appid", "wx4f4bc4dec97d474b")
        seed("wechat_decrypt", "user-data-" + v["id"],
             "\n".join([appid, v["session_key"], v["iv"], v["encrypted_data"]]))
    if v["kind"] == "aes-gcm-decrypt":
        key, nonce, aad = (v[k].encode() for k in ("key", "nonce", "associated_data"))
        selector = {16: 0, 32: 1}[len(key)]
        seed("wechat_decrypt", "gcm-" + v["id"],
             bytes([selector]) + key + nonce + bytes([len(aad)]) + aad + base64.b64decode(v["ciphertext"]))
    if v["kind"] in ("v3-verify", "notify-decrypt") and v.get("body"):
        seed("json_node", "wechat-" + v["id"], v["body"])
    if v["kind"] == "cert-download-decrypt":
        seed("json_node", "wechat-" + v["id"], v["response_body"])
for name, text in {
    "code2session-ok": '{"session_key":"tiihtNczf5v6AKRyjwEUhQ==","openid":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","unionid":"u"}',
    "code2session-used": '{"errcode":40163,"errmsg":"code been used, rid: 1"}',
    "code2session-busy": '{"errcode":-1,"errmsg":"system error"}',
}.items():
    seed("wechat_decrypt", name, text)
    seed("json_node", "wechat-" + name, text)
seed("json_node", "edge-nesting", '{"a":[{"b":{"c":[1,2,{"d":"}{\\"]"}]}}],"e":true,"f":null,"g":-1.5e3,"\\u0068":"\\/"}')

# ---------------------------------------------------------------- Keys and certificates (text, and raw DER)
for dirpath, _, files in sorted(os.walk(FIX)):
    for f in sorted(files):
        if f.endswith((".pem", ".crt")):
            rel = os.path.relpath(os.path.join(dirpath, f), FIX)
            seed("keys", rel.replace("/", "-"), fixture(rel, "rb"))
for rel in ("alipay/sdk-nodejs/app-private-key.pem", "alipay/sdk-nodejs/app-private-key-pkcs8.pem",
            "alipay/sdk-nodejs/alipay-public-key.pem", "alipay/sdk-nodejs/alipayCertPublicKey_RSA2.crt",
            "wechatpay/java-sdk/merchant_certificate.pem"):
    seed("keys", "der-" + rel.replace("/", "-"), pem_der(rel))
seed("keys", "literal-backslash-n", fixture("useepay/test-useepay-public.pem").replace("\n", "\\n"))

# ---------------------------------------------------------------- write
for target, files in sorted(corpora.items()):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):  # regression inputs (regress-*) are kept
        if not old.startswith("regress-"):
            os.remove(os.path.join(d, old))
    for name, data in sorted(files.items()):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{target}: {len(files)} files, {sum(map(len, files.values()))} bytes")
