//! `statelab share`: a playground link that opens the same session.

use std::io::Write;

use statelab::share::{link, Session, MAX_LINK_BYTES};

use crate::{exit, files, Failure, ShareArgs};

pub fn share(args: &ShareArgs) -> Result<u8, Failure> {
    let s = &args.session;
    if s.definition == "-" && s.input.as_deref() == Some("-") {
        return Err(Failure::Usage("the definition and the input cannot both be read from stdin".into()));
    }
    // The texts go in as they are, valid or not: a link is how a broken machine gets shown to
    // someone who can help.
    let text = |path: Option<&str>| -> Result<String, Failure> {
        Ok(match path {
            Some(p) => files::read(p)?.text,
            None => String::new(),
        })
    };
    let session = Session {
        definition: files::read(&s.definition)?.text,
        input: text(s.input.as_deref())?,
        stubs: text(s.stubs.as_deref().or(s.mock_config.as_deref()))?,
        options: s.options(),
        breakpoints: args.breakpoints.clone(),
    };
    let url = link(&args.base_url, &session);
    if url.len() > MAX_LINK_BYTES {
        return Err(Failure::Usage(format!(
            "the session is too large for a link: {} bytes, where the playground opens links of up to \
             {MAX_LINK_BYTES} bytes (a fixed limit); share the files instead",
            url.len()
        )));
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{url}")?;
    out.flush()?;
    Ok(exit::OK)
}
