//! Shared by the fuzz targets: the fixture keys, the clients built from them (once per process),
//! and the one place that follows the core's signatures — when `decode_unique`, `top_level_members`,
//! the key loaders or the client constructors change, this file is what needs editing.

use aggpay::alipay::Alipay;
use aggpay::alipay::notify::{Notification, NotifyRule};
use aggpay::checkout::{Checkout, Order, PaymentEvent, Refund, StatusQuery};
use aggpay::codec::form::{self, Form, TextFields};
use aggpay::codec::json_node::{self, Member};
use aggpay::crypto::step::{Answer, Engine, Pending, SignStep, VerifyStep};
use aggpay::keys::{self, Certificate, KeyRing, PrivateKey, PublicKey};
use aggpay::router::Router;
use aggpay::router::wallet::Wallet;
use aggpay::useepay::UseePay;
use aggpay::useepay::response::Verified;
use aggpay::wechat::pay::WechatPay;
use aggpay::wechat::pay::checkout::Reply;
use aggpay::wechat::pay::notify::Notification as WechatPayNotification;
use aggpay::{Limits, Result};
use serde_json::{Value, json};

/// The fixture files the clients are built from (compiled in: a target runs from any directory).
pub mod fixtures {
    macro_rules! fixture {
        ($path:literal) => {
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/", $path))
        };
    }
    pub const ALIPAY_VECTORS: &str = fixture!("alipay/vectors.json");
    pub const APP_PRIVATE_KEY: &str = fixture!("alipay/sdk-nodejs/app-private-key.pem");
    pub const ALIPAY_PUBLIC_KEY: &str = fixture!("alipay/sdk-nodejs/alipay-public-key.pem");
    pub const ALIPAY_NOTIFY_KEY_V2: &str = fixture!("alipay/sdk-nodejs/alipay-notify-sign-public-key-v2.pem");
    pub const APP_CERT: &str = fixture!("alipay/sdk-nodejs/appCertPublicKey_2021001161683774.crt");
    pub const ALIPAY_CERT: &str = fixture!("alipay/sdk-nodejs/alipayCertPublicKey_RSA2.crt");
    pub const ALIPAY_ROOT_CERT: &str = fixture!("alipay/sdk-nodejs/alipayRootCert.crt");
    pub const USEEPAY_MERCHANT_PRIVATE: &str = fixture!("useepay/test-merchant-private.pem");
    pub const USEEPAY_PUBLIC: &str = fixture!("useepay/test-useepay-public.pem");
    /// The Alipay content-encryption key of the official Node SDK's tests (alipay/vectors.json).
    pub const ALIPAY_ENCRYPT_KEY: &str = "aYA0GP8JEW+D7/UFaskCWA==";
    pub const USEEPAY_MD5_KEY: &str = "test_md5_key_123";
    /// An APIv3 key (32 bytes) the WeChat Pay target encrypts its own resources with.
    pub const WECHATPAY_API_V3_KEY: &str = "aggpayFuzzApiV3Key0123456789abcd";
}

/// Limits the targets pass where the core takes them: the defaults, as a client gets them.
pub fn limits() -> Limits {
    Limits::default()
}

// ---- the core's parsers, behind one signature each ----

pub fn decode_unique(body: &[u8]) -> Result<Form> {
    form::decode_unique(body, &limits())
}

pub fn decode_unique_with(body: &[u8], limits: &Limits) -> Result<Form> {
    form::decode_unique(body, limits)
}

pub fn top_level_members(text: &str) -> Result<Vec<Member<'_>>> {
    json_node::top_level_members(text, &limits())
}

pub fn load_private_key(text: &str) -> Result<PrivateKey> {
    keys::load_private_key(text, "fuzz private key", &limits())
}

pub fn load_public_key(text: &str) -> Result<PublicKey> {
    keys::load_public_key(text, "fuzz public key", &limits())
}

pub fn load_certificate(text: &str) -> Result<Certificate> {
    keys::load_certificate(text, "fuzz certificate")
}

pub fn load_certificate_chain(text: &str) -> Result<Vec<Certificate>> {
    keys::load_certificate_chain(text, "fuzz certificate chain")
}

pub fn certificate_public_key(cert: &Certificate) -> Result<PublicKey> {
    cert.public_key("fuzz certificate", &limits())
}

pub fn locate<'a>(raw: &'a str, method: &str) -> Result<aggpay::alipay::response::RawResponse<'a>> {
    aggpay::alipay::response::locate(raw, method, &limits())
}

pub fn useepay_fields_of(raw: &str) -> Result<Vec<(String, String)>> {
    aggpay::useepay::response::fields_of(raw, &limits())
}

pub fn parse_code2session(raw: &str) -> Result<aggpay::wechat::login::Session> {
    aggpay::wechat::login::parse_code2session(raw, &limits())
}

pub fn decrypt_user_data(app_id: &str, session_key: &str, encrypted_data: &str, iv: &str) -> Result<String> {
    aggpay::wechat::login::decrypt_user_data(app_id, session_key, encrypted_data, iv, &limits())
}

// ---- clients ----

/// A client `limits` option far below the defaults, so the limit checks inside the clients run
/// (and refuse) on ordinary fuzz inputs too.
fn tight_limits() -> Value {
    json!({ "maxInputBytes": 8192, "maxFields": 32, "maxDepth": 4 })
}

/// An engine that accepts every signature, so the fuzzer gets past RSA verification into the
/// parsing that only verified messages reach (charset decoding, node JSON, AES content decryption,
/// result models).
pub struct AcceptAll;

impl Engine for AcceptAll {
    fn sign(&self, _step: &SignStep) -> Result<Vec<u8>> {
        Ok(vec![0; 256])
    }
    fn verify(&self, _step: &VerifyStep) -> Result<Option<usize>> {
        Ok(Some(0))
    }
}

/// Runs a prepared operation with the in-core engine over `keys`, or with [`AcceptAll`].
fn run<T: 'static>(prepared: Result<Pending<T>>, keys: Option<&KeyRing>, accept_all: bool) -> Result<T> {
    let pending = prepared?;
    match (accept_all, keys) {
        (true, _) => pending.run(&AcceptAll),
        (false, Some(keys)) => pending.run(keys),
        (false, None) => pending.finish(Answer::Nothing),
    }
}

/// An Alipay client whose operations run to the end (in-core engine, or accepting every signature).
/// The order, query and refund a checkout reply is read against (`wallet`: the buyer's).
pub struct CheckoutArgs {
    pub order: Order,
    pub query: StatusQuery,
    pub refund: Refund,
}

/// [`CheckoutArgs`] for `wallet`, about the ids the seeds use (`T1`, `R1`).
pub fn checkout_args(wallet: Wallet) -> CheckoutArgs {
    let (buyer, currency) = match wallet {
        Wallet::Alipay => (json!({ "wallet": "alipay", "userId": "2088102177846880" }), "CNY"),
        _ => (
            json!({ "wallet": "wechat", "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "appId": "wx1234567890abcdef" }),
            "CNY",
        ),
    };
    let money = json!({ "minor": 1234, "currency": currency });
    CheckoutArgs {
        order: Order::from_json(
            &json!({ "outTradeNo": "T1", "amount": money, "subject": "s", "buyer": buyer, "client": "mini-program" }),
        )
        .expect("a valid order"),
        query: StatusQuery::from_json(&json!({ "outTradeNo": "T1" }), wallet).expect("a valid query"),
        refund: Refund::from_json(
            &json!({ "outTradeNo": "T1", "outRefundNo": "R1", "amount": money, "total": money }),
            wallet,
        )
        .expect("a valid refund"),
    }
}

pub struct FuzzAlipay {
    client: Alipay,
    accept_all: bool,
}

impl FuzzAlipay {
    pub fn verify_notify(&self, body: &[u8], rule: NotifyRule) -> Result<Notification> {
        run(self.client.verify_notify(body, rule), Some(self.client.keys()), self.accept_all)
    }
    pub fn verify_return(&self, query: &[u8]) -> Result<TextFields> {
        run(self.client.verify_return(query), Some(self.client.keys()), self.accept_all)
    }
    pub fn verify_event(&self, body: &[u8]) -> Result<PaymentEvent<Notification>> {
        run(self.client.verify_event(body), Some(self.client.keys()), self.accept_all)
    }
    /// The checkout reads of a response: created, queried, refunded.
    pub fn checkout_replies(&self, raw: &str, args: &CheckoutArgs) -> [Result<()>; 3] {
        let keys = Some(self.client.keys());
        [
            run(self.client.parse_checkout(&args.order, raw), keys, self.accept_all).map(drop),
            run(self.client.parse_status_query(&args.query, raw), keys, self.accept_all).map(drop),
            run(self.client.parse_checkout_refund(&args.refund, raw), keys, self.accept_all).map(drop),
        ]
    }
    pub fn parse_response(&self, method: &str, raw: &str) -> Result<String> {
        run(self.client.parse_response(method, raw), Some(self.client.keys()), self.accept_all)
    }
    pub fn verify_v3_response(&self, response: &Value) -> Result<String> {
        run(self.client.verify_v3_response(response), Some(self.client.keys()), self.accept_all)
    }
    /// The certificate of an `alipay.open.app.alipaycert.download` reply, checked (RSA in the core),
    /// asked for under the fixture certificate's SN, at a time it is valid.
    pub fn decode_cert_download(&self, raw: &str) -> Result<String> {
        self.client
            .decode_cert_download(raw, "7513daaaa48aa3ba2e4018d84402479c", 1_620_000_000_000.0)
            .map(|c| c.sn().to_owned())
    }
}

fn alipay(config: Value, accept_all: bool) -> FuzzAlipay {
    let client = Alipay::new(&config).unwrap_or_else(|e| panic!("fuzz setup: Alipay client: {e}"));
    FuzzAlipay { client, accept_all }
}

/// The inline Alipay public key of the notification vectors (`alipay_public_key_pem`).
fn notify_key_v1() -> String {
    let all: Value = serde_json::from_str(fixtures::ALIPAY_VECTORS).expect("alipay/vectors.json");
    all["vectors"]
        .as_array()
        .and_then(|list| list.iter().find_map(|v| v["alipay_public_key_pem"].as_str()))
        .expect("a notification vector with alipay_public_key_pem")
        .to_owned()
}

/// The Alipay clients: `real` verify with the fixture keys, `open` accept every signature.
pub struct AlipayClients {
    /// The key that verifies the payment-notification vectors; the gateway-notification vectors'
    /// key; the response vectors' key; certificate mode (checks `alipay_cert_sn` / `alipay-sn`).
    pub real: Vec<FuzzAlipay>,
    /// RSA2 public-key mode, and legacy `RSA` (SHA-1) certificate mode with tight limits; both
    /// with a content key.
    pub open: Vec<FuzzAlipay>,
}

impl AlipayClients {
    fn new() -> AlipayClients {
        let app = fixtures::APP_PRIVATE_KEY;
        let public_key_mode =
            |app_id: &str, key: &str| json!({ "appId": app_id, "privateKey": app, "alipayPublicKey": key });
        let cert_mode = json!({
            "appId": "2021001161683774",
            "privateKey": app,
            "appCert": fixtures::APP_CERT,
            "alipayCert": fixtures::ALIPAY_CERT,
            "alipayRootCert": fixtures::ALIPAY_ROOT_CERT,
        });
        let mut open_pk = public_key_mode("2021000122671080", fixtures::ALIPAY_PUBLIC_KEY);
        open_pk["encryptKey"] = fixtures::ALIPAY_ENCRYPT_KEY.into();
        let mut open_cert = cert_mode.clone();
        open_cert["signType"] = "RSA".into();
        open_cert["encryptKey"] = fixtures::ALIPAY_ENCRYPT_KEY.into();
        open_cert["limits"] = tight_limits();
        AlipayClients {
            real: vec![
                alipay(public_key_mode("2019073166072302", &notify_key_v1()), false),
                alipay(public_key_mode("2021000122671080", fixtures::ALIPAY_NOTIFY_KEY_V2), false),
                alipay(public_key_mode("2021000122671080", fixtures::ALIPAY_PUBLIC_KEY), false),
                alipay(cert_mode, false),
            ],
            open: vec![alipay(open_pk, true), alipay(open_cert, true)],
        }
    }

    pub fn all(&self) -> impl Iterator<Item = &FuzzAlipay> {
        self.real.iter().chain(&self.open)
    }
}

/// A UseePay client whose operations run to the end (in-core engine, or accepting every signature).
pub struct FuzzUseePay {
    client: UseePay,
    accept_all: bool,
}

impl FuzzUseePay {
    pub fn verify_response(&self, raw: &str) -> Result<Verified> {
        run(self.client.verify_response(raw), self.client.keys(), self.accept_all)
    }
    pub fn parse_jsapi_pay(&self, raw: &str) -> Result<Value> {
        run(self.client.parse_jsapi_pay(raw), self.client.keys(), self.accept_all)
    }
    pub fn parse_query(&self, raw: &str) -> Result<Value> {
        run(self.client.parse_query(raw), self.client.keys(), self.accept_all)
    }
    pub fn parse_refund(&self, raw: &str) -> Result<Value> {
        run(self.client.parse_refund(raw), self.client.keys(), self.accept_all)
    }
    pub fn verify_notify(&self, body: &[u8]) -> Result<Value> {
        run(self.client.verify_notify(body), self.client.keys(), self.accept_all)
    }
    pub fn verify_event(&self, body: &[u8]) -> Result<PaymentEvent<Value>> {
        run(self.client.verify_event(body), self.client.keys(), self.accept_all)
    }
    /// The checkout reads of a response: created, queried, refunded.
    pub fn checkout_replies(&self, raw: &str, args: &CheckoutArgs) -> [Result<()>; 3] {
        let keys = self.client.keys();
        [
            run(self.client.parse_checkout(&args.order, raw), keys, self.accept_all).map(drop),
            run(self.client.parse_status_query(&args.query, raw), keys, self.accept_all).map(drop),
            run(self.client.parse_checkout_refund(&args.refund, raw), keys, self.accept_all).map(drop),
        ]
    }
}

fn useepay(mut config: Value, accept_all: bool) -> FuzzUseePay {
    config["merchantNo"] = "500000000007362".into();
    config["appId"] = "www.pay.com".into();
    let client = UseePay::new(&config).unwrap_or_else(|e| panic!("fuzz setup: UseePay client: {e}"));
    FuzzUseePay { client, accept_all }
}

/// UseePay clients: MD5 mode with the vectors' MD5 key; RSA mode with the vectors' keys; RSA mode
/// accepting every signature, with the `exact` empty-value rule and tight limits.
pub fn useepay_clients_new() -> Vec<FuzzUseePay> {
    let rsa = |extra: Value| {
        let mut c = json!({
            "signType": "RSA",
            "privateKey": fixtures::USEEPAY_MERCHANT_PRIVATE,
            "useepayPublicKey": fixtures::USEEPAY_PUBLIC,
        });
        if let (Some(c), Value::Object(extra)) = (c.as_object_mut(), extra) {
            c.extend(extra);
        }
        c
    };
    vec![
        useepay(json!({ "signType": "MD5", "md5Key": fixtures::USEEPAY_MD5_KEY }), false),
        useepay(rsa(json!({})), false),
        useepay(rsa(json!({ "emptyValues": "exact", "limits": tight_limits() })), true),
    ]
}

/// A WeChat Pay client whose verifications run to the end (in-core engine, or accepting every
/// signature).
pub struct FuzzWechatPay {
    client: WechatPay,
    accept_all: bool,
}

impl FuzzWechatPay {
    pub fn verify_response(&self, status: u16, headers: &[(&str, &str)], body: &[u8], now_ms: f64) -> Result<String> {
        run(self.client.verify_response(status, headers, body, now_ms), Some(self.client.keys()), self.accept_all)
    }
    pub fn verify_notify(&self, headers: &[(&str, &str)], body: &[u8], now_ms: f64) -> Result<WechatPayNotification> {
        run(self.client.verify_notify(headers, body, now_ms), Some(self.client.keys()), self.accept_all)
    }
    pub fn verify_event(
        &self,
        headers: &[(&str, &str)],
        body: &[u8],
        now_ms: f64,
    ) -> Result<PaymentEvent<WechatPayNotification>> {
        run(self.client.verify_event(headers, body, now_ms), Some(self.client.keys()), self.accept_all)
    }
    /// The checkout reads of a reply: created (verified, then the payment parameters signed),
    /// queried, refunded.
    pub fn checkout_replies(&self, reply: &Reply, args: &CheckoutArgs) -> [Result<()>; 3] {
        let keys = Some(self.client.keys());
        let stamp = aggpay::wechat::pay::request::Stamp { now_ms: reply.now_ms, nonce: "fuzz".into() };
        [
            run(self.client.parse_checkout(&args.order, reply, &stamp), keys, self.accept_all)
                .map(|c: Checkout| drop(c)),
            run(self.client.parse_status_query(&args.query, reply), keys, self.accept_all).map(drop),
            run(self.client.parse_checkout_refund(&args.refund, reply), keys, self.accept_all).map(drop),
        ]
    }
    pub fn decrypt_certificates(&self, status: u16, body: &[u8], now_ms: f64) -> Result<usize> {
        self.client.decrypt_certificates(status, body, now_ms).map(|downloaded| downloaded.certificates.len())
    }
}

/// The WeChat Pay public key id the clients hold (the docs' example).
pub const WECHATPAY_PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0000000000000024101100397200000006";

/// WeChat Pay clients, verify-only, holding one public key (a fixture RSA key under
/// [`WECHATPAY_PUBLIC_KEY_ID`]) and [`fixtures::WECHATPAY_API_V3_KEY`]: one verifying for real, one
/// accepting every signature with tight limits.
pub fn wechatpay_clients_new() -> Vec<FuzzWechatPay> {
    let client = |extra: Value, accept_all: bool| {
        let mut config = json!({
            "mchid": "1900000109",
            "apiV3Key": fixtures::WECHATPAY_API_V3_KEY,
            "wechatpayPublicKey": fixtures::USEEPAY_PUBLIC,
            "wechatpayPublicKeyId": WECHATPAY_PUBLIC_KEY_ID,
        });
        if let (Some(c), Value::Object(extra)) = (config.as_object_mut(), extra) {
            c.extend(extra);
        }
        let client = WechatPay::new(&config).unwrap_or_else(|e| panic!("fuzz setup: WeChat Pay client: {e}"));
        FuzzWechatPay { client, accept_all }
    };
    vec![client(json!({}), false), client(json!({ "limits": tight_limits() }), true)]
}

// Built once per thread (libFuzzer runs the target on one) and leaked.
thread_local! {
    static ALIPAY: &'static AlipayClients = Box::leak(Box::new(AlipayClients::new()));
    static USEEPAY: &'static [FuzzUseePay] = Box::leak(useepay_clients_new().into_boxed_slice());
    static WECHATPAY: &'static [FuzzWechatPay] = Box::leak(wechatpay_clients_new().into_boxed_slice());
    static ROUTER: &'static Router = Box::leak(Box::new(
        Router::new(&json!({
            "stateSecret": "aggpay-fuzz-state-secret-0123456789",
            "alipay": { "appId": "2021000122671080" },
            "wechat": { "appId": "wx4f4bc4dec97d474b" },
        }))
        .unwrap_or_else(|e| panic!("fuzz setup: router: {e}")),
    ));
}

pub fn wechatpay_clients() -> &'static [FuzzWechatPay] {
    WECHATPAY.with(|c| *c)
}

/// A router with both H5 paths configured and a fixed 32-byte state secret.
pub fn router() -> &'static Router {
    ROUTER.with(|r| *r)
}

pub fn alipay_clients() -> &'static AlipayClients {
    ALIPAY.with(|c| *c)
}

pub fn useepay_clients() -> &'static [FuzzUseePay] {
    USEEPAY.with(|c| *c)
}

/// A little cursor for splitting one fuzz input into several arguments.
pub struct Reader<'a>(pub &'a [u8]);

impl<'a> Reader<'a> {
    pub fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }
    pub fn rest(&mut self) -> &'a [u8] {
        self.take(self.0.len())
    }
}

thread_local! {
    static VERBOSE: bool = std::env::var_os("AGGPAY_FUZZ_VERBOSE").is_some();
}

/// With `AGGPAY_FUZZ_VERBOSE=1` in the environment, prints what a call gave (for checking that
/// seeds reach what they are meant to reach: run the target binary on a corpus file).
pub fn trace<T, E: std::fmt::Display>(what: &str, result: &std::result::Result<T, E>) {
    if VERBOSE.with(|v| *v) {
        match result {
            Ok(_) => eprintln!("{what}: ok"),
            Err(e) => eprintln!("{what}: {e}"),
        }
    }
}

/// A cheap, deterministic pick of `0..n` from the input: the targets run the costly real-key RSA
/// verifications for one (client, call) pair per input rather than all of them, so the fuzzer
/// spends its time on the parsers; over a campaign every pair is exercised.
pub fn pick(data: &[u8], n: usize) -> usize {
    let sum = data.iter().fold(data.len() as u32, |acc, &b| acc.wrapping_mul(31).wrapping_add(u32::from(b)));
    sum as usize % n
}
