//! The one list of error codes (`api_errors::ErrorCode`) serves the
//! subgraphs and the router's `error_codes` plugin alike. A code on the
//! list that nothing produces is a promise to clients that nothing keeps:
//! the unit test below finds, for every code, a place outside api-errors
//! that produces it.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use api_errors::ErrorCode;

    /// What produces `code` in our sources besides naming it: the
    /// `ApiError` constructors of api-errors.
    fn producers(code: ErrorCode) -> Vec<String> {
        let constructors: &[&str] = match code {
            ErrorCode::Unauthenticated => &["ApiError::unauthenticated("],
            ErrorCode::Forbidden => &["ApiError::forbidden("],
            ErrorCode::BadUserInput => &["ApiError::bad_input(", "ApiError::invalid_field("],
            ErrorCode::NotFound => &["ApiError::not_found("],
            ErrorCode::Conflict => &["ApiError::conflict("],
            ErrorCode::RateLimited => &["ApiError::rate_limited("],
            ErrorCode::Unavailable => &["ApiError::unavailable("],
            ErrorCode::Internal => &["ApiError::internal("],
            ErrorCode::EmailNotVerified | ErrorCode::MfaRequired => &[],
        };
        let variant = format!("ErrorCode::{code:?}");
        std::iter::once(variant)
            .chain(constructors.iter().map(|c| (*c).to_owned()))
            .collect()
    }

    /// Every `.rs` file under `dir`, recursively.
    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_error_code_is_produced_somewhere() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["subgraphs", "crates", "router/src"] {
            sources(&root.join(dir), &mut files);
        }
        // Production code only: not api-errors itself, not tests.
        let code: Vec<String> = files
            .iter()
            .filter(|path| {
                let path = path.to_string_lossy();
                !path.contains("crates/api-errors/")
                    && !path.contains("/tests/")
                    && !path.contains("/target/")
            })
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .collect();
        for error_code in ErrorCode::ALL {
            let producers = producers(error_code);
            assert!(
                code.iter()
                    .any(|text| producers.iter().any(|p| text.contains(p.as_str()))),
                "nothing produces {} (looked for {producers:?}): drop it from the \
                 list, or deprecate it in the docs",
                error_code.as_str()
            );
        }
    }
}
