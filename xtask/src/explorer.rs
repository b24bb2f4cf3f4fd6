//! The explorer's vendored bundles (`router/explorer/vendor/`): copied from
//! the pinned npm packages by `cargo xtask explorer`, checked by
//! `cargo xtask test`. The router embeds them at compile time, so its build
//! needs neither npm nor a network.

use std::path::Path;

const DIR: &str = "router/explorer";

/// `(vendored file, source inside node_modules)`.
const FILES: &[(&str, &str)] = &[
    ("graphiql.min.js", "graphiql/graphiql.min.js"),
    ("graphiql.min.css", "graphiql/graphiql.min.css"),
    (
        "react.production.min.js",
        "react/umd/react.production.min.js",
    ),
    (
        "react-dom.production.min.js",
        "react-dom/umd/react-dom.production.min.js",
    ),
    ("LICENSE.graphiql", "graphiql/LICENSE"),
    ("LICENSE.react", "react/LICENSE"),
    ("LICENSE.react-dom", "react-dom/LICENSE"),
];

/// `cargo xtask explorer`: installs the pinned packages and copies the
/// bundles into `vendor/` (after changing a version in its package.json and
/// running `npm install` there to update the lockfile).
pub fn vendor() -> anyhow::Result<()> {
    let dir = Path::new(DIR);
    crate::npm::ci(dir)?;
    for (file, source) in FILES {
        std::fs::copy(
            dir.join("node_modules").join(source),
            dir.join("vendor").join(file),
        )?;
        eprintln!("vendored {file} from {source}");
    }
    Ok(())
}

/// CI: the vendored files are byte for byte those of the pinned packages.
pub fn check() -> anyhow::Result<()> {
    let dir = Path::new(DIR);
    crate::npm::ci(dir)?;
    for (file, source) in FILES {
        let vendored = std::fs::read(dir.join("vendor").join(file))?;
        let packaged = std::fs::read(dir.join("node_modules").join(source))?;
        anyhow::ensure!(
            vendored == packaged,
            "{DIR}/vendor/{file} is not {source} from the pinned packages: run `cargo xtask explorer`"
        );
    }
    eprintln!("explorer: vendored bundles match the pinned npm packages");
    Ok(())
}
