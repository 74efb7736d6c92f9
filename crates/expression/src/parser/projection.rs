//! The grammar of ProjectionExpression: `path (, path)*`. No identifier is a keyword here;
//! reserved words are refused later, like everywhere else.

use super::raw::RawPath;
use super::{Parsed, Parser, SyntaxError};
use crate::lexer::{Token, TokenKind};

fn no_keywords(_: &Token<'_>) -> bool {
    false
}

pub(crate) fn parse_projection(source: &str) -> Result<Vec<RawPath>, SyntaxError> {
    let mut parser = Parser::new(source);
    match paths(&mut parser) {
        Ok(paths) => Ok(paths),
        Err(_) => Err(parser.syntax_error()),
    }
}

fn paths(p: &mut Parser<'_>) -> Parsed<Vec<RawPath>> {
    let mut paths = vec![p.path(no_keywords)?];
    while p.at(TokenKind::Comma) {
        p.advance();
        paths.push(p.path(no_keywords)?);
    }
    p.expect_end()?;
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_errors() {
        assert_eq!(parse_projection("a, b.c[1], #d").unwrap().len(), 3);
        assert_eq!(
            parse_projection("l[a]").unwrap_err().0,
            "Syntax error; token: \"a\", near: \"[a]\""
        );
        assert_eq!(
            parse_projection("a,").unwrap_err().0,
            "Syntax error; token: \"<EOF>\", near: \",\""
        );
        assert!(parse_projection("(a)").is_err());
    }
}
