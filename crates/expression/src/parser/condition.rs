//! The grammar of ConditionExpression, FilterExpression and KeyConditionExpression:
//!
//! ```text
//! condition  := and (OR and)*
//! and        := not (AND not)*
//! not        := NOT not | primary
//! primary    := operand comparator operand
//!             | operand BETWEEN operand AND operand
//!             | operand IN ( operand (, operand)* )
//!             | function
//!             | ( condition )
//! operand    := ( operand ) [path-tail] | function | :value | path
//! function   := identifier ( operand (, operand)* )
//! ```
//!
//! Keywords are case-insensitive. Two pairs of parentheses directly around the same
//! condition or operand are legal syntax but refused later as redundant.

use super::raw::{RawCondition, RawFunction, RawOperand};
use super::{Parsed, Parser, Rule, SyntaxError};
use crate::ast::Comparator;
use crate::lexer::{Token, TokenKind};

const KEYWORDS: [&str; 5] = ["AND", "OR", "NOT", "BETWEEN", "IN"];

fn is_keyword(token: &Token<'_>) -> bool {
    KEYWORDS.iter().any(|word| token.is_keyword(word))
}

/// A parsed condition and whether it has redundant parentheses somewhere.
pub(crate) struct ParsedCondition {
    pub(crate) condition: RawCondition,
    pub(crate) redundant_parens: bool,
}

pub(crate) fn parse_condition(source: &str) -> Result<ParsedCondition, SyntaxError> {
    let mut parser = Parser::new(source);
    let parsed = or(&mut parser).and_then(|(condition, _)| {
        parser.expect_end()?;
        Ok(condition)
    });
    match parsed {
        Ok(condition) => Ok(ParsedCondition {
            condition,
            redundant_parens: parser.redundant_parens,
        }),
        Err(_) => Err(parser.syntax_error()),
    }
}

/// A condition and whether it is wholly wrapped in parentheses.
type Wrapped = (RawCondition, bool);

fn or(p: &mut Parser<'_>) -> Parsed<Wrapped> {
    let (first, wrapped) = and(p)?;
    let mut items = vec![first];
    while p.peek().is_keyword("OR") {
        p.advance();
        items.push(and(p)?.0);
    }
    Ok(join(items, wrapped, RawCondition::Or))
}

fn and(p: &mut Parser<'_>) -> Parsed<Wrapped> {
    let (first, wrapped) = not(p)?;
    let mut items = vec![first];
    while p.peek().is_keyword("AND") {
        p.advance();
        items.push(not(p)?.0);
    }
    Ok(join(items, wrapped, RawCondition::And))
}

fn join(
    mut items: Vec<RawCondition>,
    wrapped: bool,
    build: fn(Vec<RawCondition>) -> RawCondition,
) -> Wrapped {
    match items.pop() {
        Some(only) if items.is_empty() => (only, wrapped),
        Some(last) => {
            items.push(last);
            (build(items), false)
        }
        // `items` always holds at least the first operand.
        None => (build(items), false),
    }
}

fn not(p: &mut Parser<'_>) -> Parsed<Wrapped> {
    if p.peek().is_keyword("NOT") {
        p.advance();
        let (inner, _) = p.nested(not)?;
        return Ok((RawCondition::Not(Box::new(inner)), false));
    }
    primary(p)
}

fn primary(p: &mut Parser<'_>) -> Parsed<Wrapped> {
    let start = p.mark();
    let position = p.position();
    // A comparison is tried first, as `(a) = :v` starts like a parenthesized condition.
    if !p.known_failure(Rule::Simple, position) {
        match simple(p) {
            Ok(condition) => return Ok((condition, false)),
            Err(_) => {
                p.remember_failure(Rule::Simple, position);
                p.reset(start);
            }
        }
    }
    if p.at(TokenKind::LParen) {
        p.advance();
        let (inner, wrapped) = p.nested(or)?;
        p.expect(TokenKind::RParen)?;
        if wrapped {
            p.redundant_parens = true;
        }
        return Ok((inner, true));
    }
    p.fail()
}

/// A comparison, BETWEEN, IN or function condition.
fn simple(p: &mut Parser<'_>) -> Parsed<RawCondition> {
    let (left, parens) = operand(p)?;
    let token = p.peek();
    if let Some(comparator) = comparator(token.kind) {
        p.advance();
        let (right, _) = operand(p)?;
        return Ok(RawCondition::Compare(comparator, left, right));
    }
    if token.is_keyword("BETWEEN") {
        p.advance();
        let (low, _) = operand(p)?;
        if !p.peek().is_keyword("AND") {
            return p.fail();
        }
        p.advance();
        let (high, _) = operand(p)?;
        return Ok(RawCondition::Between(left, low, high));
    }
    if token.is_keyword("IN") {
        p.advance();
        p.expect(TokenKind::LParen)?;
        let list = operand_list(p)?;
        p.expect(TokenKind::RParen)?;
        return Ok(RawCondition::In(left, list));
    }
    match left {
        RawOperand::Function(function) if parens == 0 => Ok(RawCondition::Function(function)),
        _ => p.fail(),
    }
}

fn comparator(kind: TokenKind) -> Option<Comparator> {
    Some(match kind {
        TokenKind::Eq => Comparator::Eq,
        TokenKind::Ne => Comparator::Ne,
        TokenKind::Lt => Comparator::Lt,
        TokenKind::Le => Comparator::Le,
        TokenKind::Gt => Comparator::Gt,
        TokenKind::Ge => Comparator::Ge,
        _ => return None,
    })
}

fn operand_list(p: &mut Parser<'_>) -> Parsed<Vec<RawOperand>> {
    let mut list = vec![operand(p)?.0];
    while p.at(TokenKind::Comma) {
        p.advance();
        list.push(operand(p)?.0);
    }
    Ok(list)
}

/// An operand and how many pairs of parentheses directly wrap it.
fn operand(p: &mut Parser<'_>) -> Parsed<(RawOperand, u8)> {
    let position = p.position();
    if p.known_failure(Rule::Operand, position) {
        return p.fail();
    }
    let parsed = operand_here(p);
    if parsed.is_err() {
        p.remember_failure(Rule::Operand, position);
    }
    parsed
}

fn operand_here(p: &mut Parser<'_>) -> Parsed<(RawOperand, u8)> {
    let token = p.peek();
    match token.kind {
        TokenKind::LParen => {
            p.advance();
            let (inner, parens) = p.nested(operand)?;
            p.expect(TokenKind::RParen)?;
            let parens = parens.saturating_add(1);
            if parens >= 2 {
                p.redundant_parens = true;
            }
            match inner {
                // `(a.b).c` and `(a)[0]` continue the parenthesized path.
                RawOperand::Path(mut path)
                    if matches!(p.peek().kind, TokenKind::Dot | TokenKind::LBracket) =>
                {
                    p.path_tail(&mut path.0, is_keyword)?;
                    Ok((RawOperand::Path(path), 0))
                }
                other => Ok((other, parens)),
            }
        }
        TokenKind::Ident if !is_keyword(&token) && p.peek_at(1).kind == TokenKind::LParen => {
            p.advance();
            p.advance();
            let args = p.nested(operand_list)?;
            p.expect(TokenKind::RParen)?;
            Ok((
                RawOperand::Function(RawFunction {
                    name: token.text.to_owned(),
                    args,
                }),
                0,
            ))
        }
        TokenKind::Value => {
            p.advance();
            Ok((RawOperand::Value(token.text.to_owned()), 0))
        }
        _ => Ok((RawOperand::Path(p.path(is_keyword)?), 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::raw::{RawElement, RawPath};

    fn path(names: &[&str]) -> RawOperand {
        RawOperand::Path(RawPath(
            names
                .iter()
                .map(|n| RawElement::Ident((*n).to_owned()))
                .collect(),
        ))
    }

    fn error(source: &str) -> String {
        match parse_condition(source) {
            Ok(parsed) => panic!("{source:?} parsed: {:?}", parsed.condition),
            Err(SyntaxError(message)) => message,
        }
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let parsed = parse_condition("a = :a OR NOT b = :b AND c = :c")
            .ok()
            .unwrap();
        let expected = RawCondition::Or(vec![
            RawCondition::Compare(Comparator::Eq, path(&["a"]), RawOperand::Value(":a".into())),
            RawCondition::And(vec![
                RawCondition::Not(Box::new(RawCondition::Compare(
                    Comparator::Eq,
                    path(&["b"]),
                    RawOperand::Value(":b".into()),
                ))),
                RawCondition::Compare(Comparator::Eq, path(&["c"]), RawOperand::Value(":c".into())),
            ]),
        ]);
        assert_eq!(parsed.condition, expected);
        assert!(!parsed.redundant_parens);
    }

    #[test]
    fn parenthesized_operands_and_paths() {
        let parsed = parse_condition("(a)between(b.c[4].#d)and(:a)")
            .ok()
            .unwrap();
        assert!(matches!(parsed.condition, RawCondition::Between(..)));
        let parsed = parse_condition("(a.b).c = :v").ok().unwrap();
        assert_eq!(
            parsed.condition,
            RawCondition::Compare(
                Comparator::Eq,
                path(&["a", "b", "c"]),
                RawOperand::Value(":v".into())
            )
        );
        assert!(parse_condition("((a = :v))").ok().unwrap().redundant_parens);
        assert!(parse_condition("a > ((b))").ok().unwrap().redundant_parens);
        assert!(
            !parse_condition("((a = :v) AND (b = :v))")
                .ok()
                .unwrap()
                .redundant_parens
        );
        assert!(parse_condition("(attribute_exists(a))").is_ok());
    }

    #[test]
    fn syntax_errors_name_the_token_and_its_neighbours() {
        let cases = [
            (
                "things are not gonna be ok",
                "Syntax error; token: \"are\", near: \"things are not\"",
            ),
            ("a > 4", "Syntax error; token: \"4\", near: \"> 4\""),
            ("foo", "Syntax error; token: \"<EOF>\", near: \"foo\""),
            (
                "attribute_type()",
                "Syntax error; token: \")\", near: \"()\"",
            ),
            ("a in b", "Syntax error; token: \"b\", near: \"in b\""),
            (
                "a = :v AND",
                "Syntax error; token: \"<EOF>\", near: \"AND\"",
            ),
            ("ü > a", "Syntax error; token: \"ü\", near: \"ü >\""),
        ];
        for (source, message) in cases {
            assert_eq!(error(source), message, "{source}");
        }
        for source in [
            "attribute_exists(Pictures-RearView)",
            "attribute_exists(\"Pictures.RearView\")",
            "attribute_exists(Pictures..RearView)",
            "attribute_exists(Pi#ctures.RearView)",
            "attribute_exists(asdf[a])",
            "a.:a < b.:b",
            "a in b, c",
            "a > between",
            "a in (b,c,)",
            "(a)between(b.(c.d))and(c)",
            "(a)between(b.c.d)and((c)",
            "#$.b > a",
            "a > :things.stuff",
            "b[:a] > a",
            "b[#_] > a",
            "(a)between(b.c[4.5].#d)and(:a)",
            "size(a).b > a",
            "(size(a)).b > a",
            "size(a)[0] > a",
            "(size(a))[0] > a",
            "a = b = c",
        ] {
            assert!(
                error(source).starts_with("Syntax error; token: "),
                "{source}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_a_syntax_error_not_a_crash() {
        let source = format!("{}a = :v{}", "(".repeat(5000), ")".repeat(5000));
        assert!(error(&source).starts_with("Syntax error"));
        let source = format!("{}a = :v", "NOT ".repeat(5000));
        assert!(error(&source).starts_with("Syntax error"));
    }
}
