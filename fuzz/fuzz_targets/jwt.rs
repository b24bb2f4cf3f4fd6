//! auth's access-token check (`auth::tokens::verify`: header and kid
//! parsing, then `jsonwebtoken` with our keys, issuer, audience and
//! leeway). First byte even: the rest is the token as is; odd: the rest
//! drives a forged token (arbitrary header and claims, signed by our key,
//! an older key, a stranger's or none, then tampered with).
//!
//! Never a panic; every accepted token passes the hand-written oracle
//! (`messenger_fuzz::jwt::check_accepted`); untampered tokens of ours with
//! auth's claims are accepted.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use messenger_fuzz::jwt::{Forged, check_accepted, fixture};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let fixture = fixture();
    if mode % 2 == 0 {
        let token = String::from_utf8_lossy(rest);
        if let Ok(claims) = auth::tokens::verify(&fixture.keys, &fixture.settings, &token) {
            check_accepted(&token, &claims);
        }
        return;
    }
    let Ok(forged) = Forged::arbitrary_take_rest(Unstructured::new(rest)) else {
        return;
    };
    let (token, must_accept) = forged.build();
    match auth::tokens::verify(&fixture.keys, &fixture.settings, &token) {
        Ok(claims) => check_accepted(&token, &claims),
        Err(rejection) => assert!(
            !must_accept,
            "refused ({}) a valid token {token:?} from {forged:?}",
            rejection.as_str()
        ),
    }
});
