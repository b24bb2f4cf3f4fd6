//! `cargo xtask env`: writes `.env`, the secrets compose.yml reads (the
//! PostgreSQL superuser's and each service role's password, the internal
//! gRPC credential), each a fresh random value. `.env` is git-ignored;
//! `.env.example` lists the same variables with placeholders.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;

use anyhow::Context as _;

pub const PATH: &str = ".env";
pub const EXAMPLE: &str = ".env.example";

/// The variables compose.yml requires, each with what it is for.
pub const VARIABLES: &[(&str, &str)] = &[
    ("POSTGRES_PASSWORD", "the PostgreSQL superuser (postgres)"),
    ("AUTH_DB_PASSWORD", "auth's database role"),
    ("USERS_DB_PASSWORD", "users' database role"),
    ("MESSAGING_DB_PASSWORD", "messaging's database role"),
    (
        "INTERNAL_SERVICE_TOKEN",
        "what the services' gRPC calls to each other carry",
    ),
];

#[derive(clap::Args)]
pub struct EnvArgs {
    /// Replace an existing .env (its passwords no longer match an
    /// existing compose database volume: `docker compose down -v` first).
    #[arg(long)]
    force: bool,
}

pub fn write(args: &EnvArgs) -> anyhow::Result<()> {
    if Path::new(PATH).exists() && !args.force {
        anyhow::bail!("{PATH} exists; keep it, or pass --force to replace every secret in it");
    }
    let mut text = format!(
        "# Secrets for compose.yml, written by `cargo xtask env` (the variables\n\
         # are described in {EXAMPLE}). Keep this file private (it is\n\
         # git-ignored). Hex only: the passwords go into URLs.\n"
    );
    for (name, what) in VARIABLES {
        writeln!(text, "# {what}\n{name}={}", random_hex(32)?)?;
    }
    write_private(Path::new(PATH), &text)?;
    println!("wrote {PATH} ({} secrets)", VARIABLES.len());
    Ok(())
}

/// `bytes` random bytes from the OS, hex-encoded.
pub(crate) fn random_hex(bytes: usize) -> anyhow::Result<String> {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .context("reading /dev/urandom")?;
    Ok(buf.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    }))
}

/// Readable by its owner only.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_hex() {
        let a = random_hex(32).unwrap();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, random_hex(32).unwrap());
    }

    #[test]
    fn the_example_and_compose_name_the_same_variables() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let example = std::fs::read_to_string(root.join(EXAMPLE)).unwrap();
        let compose = std::fs::read_to_string(root.join("compose.yml")).unwrap();
        for (name, _) in VARIABLES {
            assert!(
                example.lines().any(|l| l.starts_with(&format!("{name}="))),
                "{EXAMPLE} lacks {name}"
            );
            assert!(
                compose.contains(&format!("${{{name}:?")),
                "compose.yml does not require {name}"
            );
        }
    }
}
