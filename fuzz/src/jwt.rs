//! Access tokens for the `jwt` target: a key set like auth's (the signing
//! key and one older key that still verifies), forged tokens built from
//! arbitrary header and claims and then tampered with, and an oracle that
//! checks an accepted token by hand (strict base64url, Ed25519 signature by
//! the key its `kid` names, `alg`, `iss`, `aud`, `exp`).

use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::Arbitrary;
use auth::db::keys::KeyRow;
use auth::keys::{KeySet, NewKey};
use auth::tokens::{Claims, TokenSettings};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde_json::{Map, Value, json};

pub const ISSUER: &str = "https://auth.fuzz.example";
pub const AUDIENCE: &str = "messenger";
pub const LEEWAY_SECS: u64 = 30;
/// Kid of the key that signs (auth's newest key).
pub const KID: &str = "fuzz-signing";
/// Kid of an older key that still verifies.
pub const OLD_KID: &str = "fuzz-old";

/// Private key bytes of the test keys (the seeds in fuzz/corpus/jwt are
/// signed with them).
pub const SIGNING_SEED: [u8; 32] = [1; 32];
pub const OLD_SEED: [u8; 32] = [2; 32];
/// A key auth does not know.
pub const STRANGER_SEED: [u8; 32] = [3; 32];

pub struct Fixture {
    pub keys: KeySet,
    pub settings: TokenSettings,
    pub signing: SigningKey,
    pub old: SigningKey,
    pub stranger: SigningKey,
}

impl Fixture {
    /// The public key auth verifies `kid` with, if any.
    fn verifying(&self, kid: &str) -> Option<VerifyingKey> {
        match kid {
            KID => Some(self.signing.verifying_key()),
            OLD_KID => Some(self.old.verifying_key()),
            _ => None,
        }
    }
}

pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let signing = SigningKey::from_bytes(&SIGNING_SEED);
        let old = SigningKey::from_bytes(&OLD_SEED);
        let new_key = NewKey {
            kid: KID.to_owned(),
            private_der: signing.to_pkcs8_der().expect("pkcs8").as_bytes().to_vec(),
            public: signing.verifying_key().to_bytes().to_vec(),
        };
        let old_row = KeyRow {
            kid: OLD_KID.to_owned(),
            private_key: Vec::new(),
            public_key: old.verifying_key().to_bytes().to_vec(),
            created_at: chrono::Utc::now(),
        };
        Fixture {
            keys: KeySet::build(&new_key, &[old_row]).expect("key set"),
            settings: TokenSettings {
                issuer: ISSUER.to_owned(),
                audience: AUDIENCE.to_owned(),
                ttl: Duration::from_secs(900),
                leeway: Duration::from_secs(LEEWAY_SECS),
            },
            signing,
            old,
            stranger: SigningKey::from_bytes(&STRANGER_SEED),
        }
    })
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Checks a token `auth::tokens::verify` accepted, without `jsonwebtoken`.
pub fn check_accepted(token: &str, claims: &Claims) {
    let fixture = fixture();
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts[..] else {
        panic!("accepted a token of {} parts: {token:?}", parts.len());
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .unwrap_or_else(|_| panic!("accepted a token whose {part:?} is not base64url"))
    };
    let header_json: Value = serde_json::from_slice(&decode(header)).expect("header JSON");
    assert_eq!(header_json["alg"], "EdDSA", "accepted {token:?}");
    let kid = header_json["kid"].as_str().expect("kid");
    let key = fixture
        .verifying(kid)
        .unwrap_or_else(|| panic!("accepted unknown kid {kid:?}"));
    let signature = Signature::from_slice(&decode(signature)).expect("64-byte signature");
    key.verify_strict(format!("{header}.{payload}").as_bytes(), &signature)
        .unwrap_or_else(|_| panic!("accepted a bad signature: {token:?}"));

    let claims_json: Value = serde_json::from_slice(&decode(payload)).expect("claims JSON");
    assert_eq!(claims_json["iss"], ISSUER, "{token:?}");
    assert_eq!(claims_json["aud"], AUDIENCE, "{token:?}");
    let exp = claims_json["exp"].as_i64().expect("integer exp");
    assert!(
        exp + LEEWAY_SECS as i64 >= now() - 1,
        "accepted expired {token:?}"
    );
    assert_eq!(claims.exp, exp);
    assert_eq!(claims.iss, ISSUER);
    assert_eq!(claims.aud, AUDIENCE);
    assert_eq!(
        claims_json["sub"].as_str(),
        Some(claims.sub.to_string()).as_deref()
    );
    assert_eq!(
        claims_json["sid"].as_str(),
        Some(claims.sid.to_string()).as_deref()
    );
}

#[derive(Debug, Arbitrary)]
pub enum Alg<'a> {
    EdDSA,
    Lowercase,
    Hs256,
    Rs256,
    Es256,
    None,
    Missing,
    Other(&'a str),
}

#[derive(Debug, Arbitrary)]
pub enum Kid<'a> {
    Signing,
    Old,
    Missing,
    Empty,
    Number(i64),
    Other(&'a str),
}

#[derive(Debug, Arbitrary)]
pub enum Id<'a> {
    Valid(u128),
    Missing,
    Text(&'a str),
    Number(i64),
}

#[derive(Debug, Arbitrary)]
pub enum Time<'a> {
    /// Seconds from now.
    Relative(i32),
    Absolute(i64),
    Float(f64),
    Text(&'a str),
    Missing,
}

#[derive(Debug, Arbitrary)]
pub enum Text<'a> {
    Ours,
    Missing,
    Other(&'a str),
    /// A list holding ours and others.
    List(Vec<&'a str>),
}

#[derive(Debug, Arbitrary)]
pub enum Extra<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Str(&'a str),
    List(Vec<&'a str>),
}

#[derive(Debug, Arbitrary)]
pub enum Signer<'a> {
    Signing,
    Old,
    Stranger,
    Empty,
    Raw(&'a [u8]),
}

#[derive(Debug, Arbitrary)]
pub enum Mutation<'a> {
    Xor {
        at: u16,
        mask: u8,
    },
    Insert {
        at: u16,
        byte: u8,
    },
    Remove {
        at: u16,
    },
    Truncate {
        at: u16,
    },
    /// Replace part `index` (header, claims, signature, …) with `with`.
    ReplacePart {
        index: u8,
        with: &'a str,
    },
    Append(&'a str),
}

/// A token built field by field, signed, then tampered with.
#[derive(Debug, Arbitrary)]
pub struct Forged<'a> {
    pub alg: Alg<'a>,
    pub kid: Kid<'a>,
    pub typ: Option<&'a str>,
    pub header_extra: Option<(&'a str, Extra<'a>)>,
    pub sub: Id<'a>,
    pub sid: Id<'a>,
    pub iat: Time<'a>,
    pub exp: Time<'a>,
    pub iss: Text<'a>,
    pub aud: Text<'a>,
    pub ev: Option<Extra<'a>>,
    pub claim_extra: Option<(&'a str, Extra<'a>)>,
    pub signer: Signer<'a>,
    pub mutations: Vec<Mutation<'a>>,
}

fn extra(value: &Extra<'_>) -> Value {
    match value {
        Extra::Null => Value::Null,
        Extra::Bool(b) => json!(b),
        Extra::Int(i) => json!(i),
        Extra::Str(s) => json!(s),
        Extra::List(l) => json!(l),
    }
}

fn id(value: &Id<'_>) -> Option<Value> {
    match value {
        Id::Valid(n) => Some(json!(uuid::Uuid::from_u128(*n))),
        Id::Missing => None,
        Id::Text(s) => Some(json!(s)),
        Id::Number(n) => Some(json!(n)),
    }
}

fn time(value: &Time<'_>, now: i64) -> Option<Value> {
    match value {
        Time::Relative(secs) => Some(json!(now + i64::from(*secs))),
        Time::Absolute(t) => Some(json!(t)),
        Time::Float(f) => Some(json!(f)),
        Time::Text(s) => Some(json!(s)),
        Time::Missing => None,
    }
}

fn text(value: &Text<'_>, ours: &str) -> Option<Value> {
    match value {
        Text::Ours => Some(json!(ours)),
        Text::Missing => None,
        Text::Other(s) => Some(json!(s)),
        Text::List(l) => {
            let mut l: Vec<&str> = l.clone();
            l.push(ours);
            Some(json!(l))
        }
    }
}

fn insert(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), value);
    }
}

impl Forged<'_> {
    /// The token, and whether auth must accept it: an untampered token of
    /// ours with the claims auth issues and an expiry comfortably ahead.
    pub fn build(&self) -> (String, bool) {
        let fixture = fixture();
        let now = now();
        let mut header = Map::new();
        let alg = match self.alg {
            Alg::EdDSA => Some("EdDSA"),
            Alg::Lowercase => Some("eddsa"),
            Alg::Hs256 => Some("HS256"),
            Alg::Rs256 => Some("RS256"),
            Alg::Es256 => Some("ES256"),
            Alg::None => Some("none"),
            Alg::Missing => None,
            Alg::Other(s) => Some(s),
        };
        insert(&mut header, "alg", alg.map(|a| json!(a)));
        let kid = match &self.kid {
            Kid::Signing => Some(json!(KID)),
            Kid::Old => Some(json!(OLD_KID)),
            Kid::Missing => None,
            Kid::Empty => Some(json!("")),
            Kid::Number(n) => Some(json!(n)),
            Kid::Other(s) => Some(json!(s)),
        };
        insert(&mut header, "kid", kid);
        insert(&mut header, "typ", self.typ.map(|t| json!(t)));
        if let Some((key, value)) = &self.header_extra {
            header.insert((*key).to_owned(), extra(value));
        }
        let mut claims = Map::new();
        insert(&mut claims, "sub", id(&self.sub));
        insert(&mut claims, "sid", id(&self.sid));
        insert(&mut claims, "iat", time(&self.iat, now));
        insert(&mut claims, "exp", time(&self.exp, now));
        insert(&mut claims, "iss", text(&self.iss, ISSUER));
        insert(&mut claims, "aud", text(&self.aud, AUDIENCE));
        insert(&mut claims, "ev", self.ev.as_ref().map(extra));
        if let Some((key, value)) = &self.claim_extra {
            claims.insert((*key).to_owned(), extra(value));
        }
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(Value::Object(header).to_string()),
            URL_SAFE_NO_PAD.encode(Value::Object(claims).to_string())
        );
        let signature = match self.signer {
            Signer::Signing => fixture.signing.sign(signing_input.as_bytes()).to_vec(),
            Signer::Old => fixture.old.sign(signing_input.as_bytes()).to_vec(),
            Signer::Stranger => fixture.stranger.sign(signing_input.as_bytes()).to_vec(),
            Signer::Empty => Vec::new(),
            Signer::Raw(bytes) => bytes.to_vec(),
        };
        let mut token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature));
        for mutation in &self.mutations {
            token = mutate(token, mutation);
        }

        let must_accept = self.mutations.is_empty()
            && matches!(self.alg, Alg::EdDSA)
            && matches!(
                (&self.kid, &self.signer),
                (Kid::Signing, Signer::Signing) | (Kid::Old, Signer::Old)
            )
            && self.typ.is_none_or(|t| t == "JWT")
            && self.header_extra.is_none()
            && self.claim_extra.is_none()
            && matches!(self.sub, Id::Valid(_))
            && matches!(self.sid, Id::Valid(_))
            && matches!(self.iat, Time::Relative(_))
            && matches!(self.exp, Time::Relative(secs) if secs > 5)
            && matches!(self.iss, Text::Ours)
            && matches!(self.aud, Text::Ours)
            && matches!(self.ev, None | Some(Extra::Bool(_)))
            && token.len() <= 8 * 1024;
        (token, must_accept)
    }
}

fn mutate(token: String, mutation: &Mutation<'_>) -> String {
    let mut bytes = token.into_bytes();
    let at = |i: u16, len: usize| usize::from(i) % (len + 1);
    match *mutation {
        Mutation::Xor { at: i, mask } => {
            if !bytes.is_empty() {
                let i = usize::from(i) % bytes.len();
                bytes[i] ^= mask;
            }
        }
        Mutation::Insert { at: i, byte } => {
            let i = at(i, bytes.len());
            bytes.insert(i, byte);
        }
        Mutation::Remove { at: i } => {
            if !bytes.is_empty() {
                let i = usize::from(i) % bytes.len();
                bytes.remove(i);
            }
        }
        Mutation::Truncate { at: i } => {
            let i = at(i, bytes.len());
            bytes.truncate(i);
        }
        Mutation::ReplacePart { index, with } => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut parts: Vec<&str> = text.split('.').collect();
            let i = usize::from(index) % parts.len();
            parts[i] = with;
            bytes = parts.join(".").into_bytes();
        }
        Mutation::Append(s) => bytes.extend_from_slice(s.as_bytes()),
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
