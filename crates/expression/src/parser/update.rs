//! The grammar of UpdateExpression:
//!
//! ```text
//! update     := section+
//! section    := SET set-action (, set-action)*
//!             | REMOVE path (, path)*
//!             | ADD path :value (, path :value)*
//!             | DELETE path :value (, path :value)*
//! set-action := path = set-value
//! set-value  := operand [(+ | -) operand] | ( set-value )
//! operand    := ( operand ) | function | :value | path
//! function   := identifier ( operand (, operand)* )
//! ```
//!
//! Clause keywords are case-insensitive and cannot be attribute names.

use super::raw::{Clause, RawAction, RawFunction, RawOperand, RawSection, RawSetValue};
use super::{Parsed, Parser, SyntaxError};
use crate::lexer::{Token, TokenKind};

fn is_keyword(token: &Token<'_>) -> bool {
    clause(token).is_some()
}

fn clause(token: &Token<'_>) -> Option<Clause> {
    [Clause::Set, Clause::Remove, Clause::Add, Clause::Delete]
        .into_iter()
        .find(|clause| token.is_keyword(clause.keyword()))
}

pub(crate) fn parse_update(source: &str) -> Result<Vec<RawSection>, SyntaxError> {
    let mut parser = Parser::new(source);
    match sections(&mut parser) {
        Ok(sections) => Ok(sections),
        Err(_) => Err(parser.syntax_error()),
    }
}

fn sections(p: &mut Parser<'_>) -> Parsed<Vec<RawSection>> {
    let mut sections = Vec::new();
    loop {
        let token = p.peek();
        let Some(clause) = clause(&token) else {
            if token.kind == TokenKind::Eof && !sections.is_empty() {
                return Ok(sections);
            }
            return p.fail();
        };
        p.advance();
        let mut actions = vec![action(p, clause)?];
        while p.at(TokenKind::Comma) {
            p.advance();
            actions.push(action(p, clause)?);
        }
        sections.push(RawSection { clause, actions });
    }
}

fn action(p: &mut Parser<'_>, clause: Clause) -> Parsed<RawAction> {
    let path = p.path(is_keyword)?;
    match clause {
        Clause::Set => {
            p.expect(TokenKind::Eq)?;
            Ok(RawAction::Set(path, set_value(p)?))
        }
        Clause::Remove => Ok(RawAction::Remove(path)),
        Clause::Add | Clause::Delete => {
            let value = p.expect(TokenKind::Value)?.text.to_owned();
            Ok(if clause == Clause::Add {
                RawAction::Add(path, value)
            } else {
                RawAction::Delete(path, value)
            })
        }
    }
}

fn set_value(p: &mut Parser<'_>) -> Parsed<RawSetValue> {
    let start = p.mark();
    match arithmetic(p) {
        Ok(value) => return Ok(value),
        Err(_) => p.reset(start),
    }
    // `(b + c)`: the parentheses wrap the whole value, not an operand.
    p.expect(TokenKind::LParen)?;
    let value = p.nested(set_value)?;
    p.expect(TokenKind::RParen)?;
    Ok(value)
}

fn arithmetic(p: &mut Parser<'_>) -> Parsed<RawSetValue> {
    let left = operand_parens(p)?;
    match p.peek().kind {
        TokenKind::Plus => {
            p.advance();
            Ok(RawSetValue::Plus(left, operand_parens(p)?))
        }
        TokenKind::Minus => {
            p.advance();
            Ok(RawSetValue::Minus(left, operand_parens(p)?))
        }
        _ => Ok(RawSetValue::Operand(left)),
    }
}

fn operand_parens(p: &mut Parser<'_>) -> Parsed<RawOperand> {
    if p.at(TokenKind::LParen) {
        p.advance();
        let inner = p.nested(operand_parens)?;
        p.expect(TokenKind::RParen)?;
        return Ok(inner);
    }
    operand(p)
}

fn operand(p: &mut Parser<'_>) -> Parsed<RawOperand> {
    let token = p.peek();
    match token.kind {
        TokenKind::Ident if !is_keyword(&token) && p.peek_at(1).kind == TokenKind::LParen => {
            p.advance();
            p.advance();
            let args = p.nested(|p| {
                let mut args = vec![operand_parens(p)?];
                while p.at(TokenKind::Comma) {
                    p.advance();
                    args.push(operand_parens(p)?);
                }
                Ok(args)
            })?;
            p.expect(TokenKind::RParen)?;
            Ok(RawOperand::Function(RawFunction {
                name: token.text.to_owned(),
                args,
            }))
        }
        TokenKind::Value => {
            p.advance();
            Ok(RawOperand::Value(token.text.to_owned()))
        }
        _ => Ok(RawOperand::Path(p.path(is_keyword)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(source: &str) -> String {
        match parse_update(source) {
            Ok(sections) => panic!("{source:?} parsed: {sections:?}"),
            Err(SyntaxError(message)) => message,
        }
    }

    #[test]
    fn clauses_in_any_order_and_case() {
        let sections = parse_update("REMOVE b DELETE c :c ADD d :d, e :e set f = :f").unwrap();
        let clauses: Vec<Clause> = sections.iter().map(|s| s.clause).collect();
        assert_eq!(
            clauses,
            [Clause::Remove, Clause::Delete, Clause::Add, Clause::Set]
        );
        assert_eq!(sections[2].actions.len(), 2);
    }

    #[test]
    fn set_values() {
        for source in [
            "set a = b + :c",
            "set a = (b + c)",
            "set a = ((b.c.d)+(e))",
            "set a = (b) - c",
            "SET a = if_not_exists (a, :z), b = list_append(b, if_not_exists(a, :a))",
            "SET created_at=if_not_exists(created_at,:created_at)",
        ] {
            assert!(parse_update(source).is_ok(), "{source}");
        }
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(
            error("SET MyStr = my Num"),
            "Syntax error; token: \"Num\", near: \"my Num\""
        );
        assert_eq!(
            error("SET a = list_append(a, 0)"),
            "Syntax error; token: \"0\", near: \", 0)\""
        );
        assert_eq!(
            error("SET"),
            "Syntax error; token: \"<EOF>\", near: \"SET\""
        );
        // Alternator's AWS-run test_update_expression_name_token / _unknown_function.
        assert_eq!(
            error("SET _123 = :v"),
            "Syntax error; token: \"_\", near: \"SET _123\""
        );
        assert_eq!(
            error("SET a = _f(b,c,d)"),
            "Syntax error; token: \"_\", near: \"= _f\""
        );
        for source in [
            "whatever",
            "set a",
            "add a",
            "delete a",
            "set a=set",
            "remove a = b",
            "add a = b",
            "delete a = b",
            "delete a b",
            "delete a if_not_exist(b)",
            "add abort b",
            "add a if_not_exist(b)",
            "remove a b",
            "set a b",
            "set :a = b",
            "add :a b",
            "delete :a b",
            "remove :a",
            "set a = b / c",
            "set a = b * c",
            "set a[1] = \"eight\"",
            "set a[1] = 1",
            "SET a = if_not_exist(a, 100)",
            "SET if_not_exist(a, b) = a",
            "set (a = (b + c))",
            "set a = (b.c).d + e",
            "set a = (b.c)[0] + e",
            "set a = b + c + d",
        ] {
            assert!(
                error(source).starts_with("Syntax error; token: "),
                "{source}"
            );
        }
    }
}
