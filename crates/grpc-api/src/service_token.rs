//! The credential one deployment's services share (`INTERNAL_SERVICE_TOKEN`).
//! Every internal gRPC call carries it as metadata key [`METADATA_KEY`]
//! (clients: [`crate::channel`]); every gRPC server of ours refuses a
//! call without it (service-runtime's `serve_grpc`), so reaching a gRPC
//! port is not enough to create users or validate tokens.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use rand::RngCore as _;
use subtle::ConstantTimeEq as _;
use tonic::metadata::AsciiMetadataValue;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// The metadata key (an HTTP/2 header) that carries the token.
pub const METADATA_KEY: &str = "x-service-token";

/// The shortest token accepted, in bytes.
pub const MIN_LEN: usize = 32;

/// A channel whose every call carries the service token.
pub type ServiceChannel = InterceptedService<Channel, AddServiceToken>;

/// The service credential: at least [`MIN_LEN`] printable ASCII bytes.
/// `Debug` does not show it.
#[derive(Clone)]
pub struct ServiceToken(AsciiMetadataValue);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidServiceToken {
    #[error("must be at least {MIN_LEN} bytes, not {0} (generate one: `openssl rand -hex 32`)")]
    TooShort(usize),
    #[error("must be printable ASCII without spaces")]
    NotPrintable,
}

impl FromStr for ServiceToken {
    type Err = InvalidServiceToken;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidServiceToken::NotPrintable);
        }
        if s.len() < MIN_LEN {
            return Err(InvalidServiceToken::TooShort(s.len()));
        }
        AsciiMetadataValue::try_from(s)
            .map(Self)
            .map_err(|_| InvalidServiceToken::NotPrintable)
    }
}

impl fmt::Debug for ServiceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServiceToken(<redacted>)")
    }
}

impl ServiceToken {
    /// A fresh random token: 32 bytes from the OS, hex-encoded.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let hex = hex::encode(bytes);
        Self(
            AsciiMetadataValue::try_from(hex.as_str())
                .unwrap_or_else(|_| unreachable!("hex digits are a valid metadata value")),
        )
    }

    /// One random token per process, the same at every call. Each service's
    /// `Config::defaults()` (the base of tests) takes it, so the services a
    /// test process starts trust each other; it is never read from the
    /// environment.
    pub fn ephemeral() -> Self {
        static TOKEN: OnceLock<ServiceToken> = OnceLock::new();
        TOKEN.get_or_init(Self::generate).clone()
    }

    /// The token itself, to hand to a child process.
    pub fn expose(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }

    /// Whether `presented` is this token, compared in constant time (only
    /// the length can show through timing, and a length is no secret).
    pub fn matches(&self, presented: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(presented).into()
    }

    /// `channel`, with this token added to every call.
    pub fn channel(&self, channel: Channel) -> ServiceChannel {
        InterceptedService::new(channel, AddServiceToken(self.0.clone()))
    }
}

/// The client side: puts the token into each call's metadata.
#[derive(Clone)]
pub struct AddServiceToken(AsciiMetadataValue);

impl Interceptor for AddServiceToken {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        request.metadata_mut().insert(METADATA_KEY, self.0.clone());
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_or_unprintable_tokens_are_refused() {
        assert_eq!(
            "x".repeat(31).parse::<ServiceToken>().unwrap_err(),
            InvalidServiceToken::TooShort(31)
        );
        for bad in [
            format!("{} ", "x".repeat(32)),
            format!("{}\n", "x".repeat(32)),
            format!("{}é", "x".repeat(32)),
        ] {
            assert_eq!(
                bad.parse::<ServiceToken>().unwrap_err(),
                InvalidServiceToken::NotPrintable
            );
        }
        assert!("x".repeat(32).parse::<ServiceToken>().is_ok());
    }

    #[test]
    fn matches_only_the_same_bytes() {
        let token: ServiceToken = "a".repeat(40).parse().unwrap();
        assert!(token.matches("a".repeat(40).as_bytes()));
        let mut off_by_one = "a".repeat(40).into_bytes();
        off_by_one[39] = b'b';
        assert!(!token.matches(&off_by_one));
        assert!(!token.matches("a".repeat(39).as_bytes()));
        assert!(!token.matches(b""));
    }

    #[test]
    fn generated_tokens_differ_and_parse() {
        let (a, b) = (ServiceToken::generate(), ServiceToken::generate());
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 64);
        assert!(a.expose().parse::<ServiceToken>().is_ok());
        assert_eq!(
            ServiceToken::ephemeral().expose(),
            ServiceToken::ephemeral().expose()
        );
    }

    #[test]
    fn debug_hides_the_token() {
        let token: ServiceToken = "s".repeat(32).parse().unwrap();
        assert!(!format!("{token:?}").contains("sss"));
    }
}
