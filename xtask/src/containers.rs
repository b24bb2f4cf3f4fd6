//! `compose.yml` and the `Dockerfile` cannot run here (no image registry),
//! so tests validate them: the file must pass `docker compose config` (or
//! Debian's `docker-compose config`) and stay in step with `xtask up` (ports,
//! variables, binaries, the one public origin) and with `router/router.yaml`.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use crate::SERVICES;

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    fn read(path: &str) -> String {
        std::fs::read_to_string(repo().join(path)).unwrap()
    }

    /// `docker compose` (v2 plugin) if present, else `docker-compose` (v1).
    fn compose_cli() -> Command {
        let v2 = Command::new("docker")
            .args(["compose", "version"])
            .output()
            .is_ok_and(|o| o.status.success());
        if v2 {
            let mut cmd = Command::new("docker");
            cmd.arg("compose");
            return cmd;
        }
        let v1 = Command::new("docker-compose")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            v1,
            "neither `docker compose` nor `docker-compose` is installed \
             (Debian: apt-get install docker-compose; .ci/run does this)"
        );
        Command::new("docker-compose")
    }

    #[test]
    fn compose_file_is_valid() {
        // The secrets come from an env file (`cargo xtask env` writes .env);
        // validate with the committed example, whatever .env holds.
        let out = compose_cli()
            .args(["--env-file", crate::env_file::EXAMPLE])
            .args(["-f", "compose.yml", "config", "-q"])
            .current_dir(repo())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "compose.yml is invalid:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn compose_runs_what_xtask_up_runs() {
        let compose = read("compose.yml");
        assert!(compose.contains("image: postgres:15"));
        for s in SERVICES {
            let (name, http, grpc) = (s.name, s.http_port, s.grpc_port);
            for expected in [
                format!("\n  {name}:\n"),
                format!("{name} migrate && exec {name} serve"),
                format!(
                    "DATABASE_URL: postgres://{name}:${{{}_DB_PASSWORD:?",
                    name.to_ascii_uppercase()
                ),
                format!("@postgres:5432/{name}\n"),
                format!("\"{name} $${}_DB_PASSWORD\"", name.to_ascii_uppercase()),
                format!("HTTP_ADDR: 0.0.0.0:{http}\n"),
                format!("GRPC_ADDR: 0.0.0.0:{grpc}\n"),
                format!("http://127.0.0.1:{http}/healthz"),
                format!(
                    "{}_SUBGRAPH_URL: http://{name}:{http}/graphql\n",
                    name.to_ascii_uppercase()
                ),
            ] {
                assert!(
                    compose.contains(&expected),
                    "compose.yml lacks {expected:?}"
                );
            }
        }
        let port = crate::router::HTTP_PORT;
        for expected in [
            format!("\n    ports:\n      - \"127.0.0.1:{port}:{port}\"\n"),
            format!("PORT: \"{port}\""),
            "ROUTER_CONFIG_FILE_PATH: /app/router/router.yaml".to_owned(),
        ] {
            assert!(
                compose.contains(&expected),
                "compose.yml lacks {expected:?}"
            );
        }
    }

    #[test]
    fn only_the_router_is_public_and_the_services_link_to_it() {
        let compose = read("compose.yml");
        // One published port: the router's. The subgraphs' GraphQL and
        // gRPC ports are for the router and each other.
        assert_eq!(
            compose.matches("ports:").count(),
            1,
            "compose.yml publishes"
        );
        for s in SERVICES {
            assert!(
                !compose.contains(&format!(":{}\"", s.http_port))
                    && !compose.contains(&format!(":{}\"", s.grpc_port)),
                "compose.yml publishes a port of {}",
                s.name
            );
        }
        // The URLs the services hand out are on the router's origin, as
        // in `xtask up`.
        let public_url = format!(
            "PUBLIC_URL: ${{PUBLIC_URL:-{}}}\n",
            crate::router::public_url()
        );
        assert_eq!(compose.matches(&public_url).count(), SERVICES.len());
    }

    #[test]
    fn compose_trusts_only_the_router_and_holds_no_secrets() {
        let compose = read("compose.yml");
        assert!(compose.contains("ipv4_address: 172.28.0.10\n"));
        assert_eq!(
            compose.matches("TRUSTED_PROXIES: 172.28.0.10/32\n").count(),
            SERVICES.len()
        );
        assert!(!compose.contains("TRUSTED_PROXIES: 172.28.0.0"));
        assert!(!compose.contains("messenger@"), "a fixed password");
        assert!(!compose.contains("PASSWORD: messenger"), "a fixed password");
        // The roles and databases: the same bootstrap as xtask up.
        assert!(compose.contains("- ./migrations/bootstrap.sql:/bootstrap.sql:ro\n"));
        assert!(compose.contains("-v service=\"$$1\" -v password=\"$$2\" -f /bootstrap.sql"));
    }

    #[test]
    fn router_config_defaults_are_the_local_ports() {
        let config = read(crate::router::CONFIG);
        assert!(config.contains(&format!("port: {}\n", crate::router::HTTP_PORT)));
        for s in SERVICES {
            let expected = format!(
                "url: {{ from_env: {}_SUBGRAPH_URL, default: \"http://127.0.0.1:{}/graphql\" }}",
                s.name.to_ascii_uppercase(),
                s.http_port
            );
            assert!(config.contains(&expected), "router.yaml lacks {expected:?}");
        }
    }

    #[test]
    fn the_build_context_keeps_every_workspace_member() {
        // cargo refuses to build any package if a member's manifest is
        // missing from the context.
        let manifest = read("Cargo.toml");
        let members = manifest
            .split("members = [")
            .nth(1)
            .and_then(|rest| rest.split(']').next())
            .unwrap();
        let ignored: Vec<String> = read(".dockerignore")
            .lines()
            .map(|l| l.trim().trim_end_matches('/').to_owned())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        for member in members.split(',').map(|m| m.trim().trim_matches('"')) {
            if member.is_empty() {
                continue;
            }
            let top = member.split('/').next().unwrap();
            assert!(
                !ignored.iter().any(|i| i == member || i == top),
                ".dockerignore drops workspace member {member}"
            );
        }
    }

    #[test]
    fn one_image_holds_all_four_binaries() {
        let dockerfile = read("Dockerfile");
        let packages: Vec<String> = SERVICES.iter().map(|s| format!("-p {}", s.name)).collect();
        let build = format!("cargo build --release --locked {}", packages.join(" "));
        assert!(dockerfile.contains(&build), "Dockerfile lacks {build:?}");
        assert!(dockerfile.contains("cargo build --release --locked --ignore-rust-version"));
        assert!(dockerfile.contains("COPY router/router.yaml /app/router/router.yaml"));
        assert!(dockerfile.contains("COPY supergraph.graphql /app/supergraph.graphql"));
    }
}
