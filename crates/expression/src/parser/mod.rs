//! Hand-written recursive-descent parsers for the three grammars (condition, update,
//! projection), sharing one token cursor. They only check syntax; everything that needs
//! the substitutions or a function's meaning is checked afterwards in `crate::check`.
//!
//! Syntax errors name the furthest token the parser could not consume, as AWS does:
//! `Syntax error; token: "<tok>", near: "<prev tok> <tok> <next tok>"`, where the "near"
//! text is the source from the previous token to the next one.

mod condition;
mod projection;
pub(crate) mod raw;
mod update;

use std::collections::HashSet;

pub(crate) use condition::parse_condition;
pub(crate) use projection::parse_projection;
pub(crate) use update::parse_update;

use crate::lexer::{Token, TokenKind, tokenize};
use raw::{RawElement, RawPath};

/// How deep parentheses, NOT and function calls may nest. Every level takes at least one
/// byte, so no expression within DynamoDB's length limit reaches it: deep expressions get
/// AWS's own answers (redundant parentheses, too many operators), and recursion runs on a
/// growing stack ([`crate::stack`]). The bound only keeps the parser's memory independent of
/// its callers' checks.
const MAX_NESTING: usize = crate::MAX_EXPRESSION_LENGTH;

/// A failed parse attempt; the position is recorded in [`Parser::furthest`].
#[derive(Debug)]
pub(crate) struct Fail;

pub(crate) type Parsed<T> = Result<T, Fail>;

/// A syntax error: the detail text after the kind prefix.
#[derive(Debug)]
pub(crate) struct SyntaxError(pub(crate) String);

pub(crate) struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token<'a>>,
    pos: usize,
    /// The furthest token index at which an attempt failed.
    furthest: usize,
    depth: usize,
    /// Set when an expression is wrapped in two pairs of parentheses directly.
    pub(crate) redundant_parens: bool,
    /// Token positions where a (deterministic) sub-parse is known to fail. Without it,
    /// backtracking over `((((…` would parse the rest again at every level: quadratic.
    failed_at: HashSet<(Rule, usize)>,
}

/// The sub-parses whose failures are remembered by position.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Rule {
    /// A comparison, BETWEEN, IN or function condition.
    Simple,
    /// An operand.
    Operand,
}

/// Where to resume after a failed alternative.
#[derive(Clone, Copy)]
pub(crate) struct Mark {
    pos: usize,
    redundant_parens: bool,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(source: &'a str) -> Self {
        Parser {
            source,
            tokens: tokenize(source),
            pos: 0,
            furthest: 0,
            depth: 0,
            redundant_parens: false,
            failed_at: HashSet::new(),
        }
    }

    pub(crate) fn peek(&self) -> Token<'a> {
        self.token_at(self.pos)
    }

    pub(crate) fn peek_at(&self, offset: usize) -> Token<'a> {
        self.token_at(self.pos + offset)
    }

    fn token_at(&self, index: usize) -> Token<'a> {
        let last = self.tokens.len().saturating_sub(1);
        self.tokens[index.min(last)]
    }

    pub(crate) fn advance(&mut self) -> Token<'a> {
        let token = self.peek();
        if token.kind != TokenKind::Eof {
            self.pos += 1;
        }
        token
    }

    /// Record a failure at the current token.
    pub(crate) fn fail<T>(&mut self) -> Parsed<T> {
        self.furthest = self.furthest.max(self.pos);
        Err(Fail)
    }

    pub(crate) fn expect(&mut self, kind: TokenKind) -> Parsed<Token<'a>> {
        if self.peek().kind == kind {
            Ok(self.advance())
        } else {
            self.fail()
        }
    }

    pub(crate) fn at(&self, kind: TokenKind) -> bool {
        self.peek().kind == kind
    }

    pub(crate) fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            redundant_parens: self.redundant_parens,
        }
    }

    pub(crate) fn reset(&mut self, mark: Mark) {
        self.pos = mark.pos;
        self.redundant_parens = mark.redundant_parens;
    }

    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    pub(crate) fn known_failure(&self, rule: Rule, position: usize) -> bool {
        self.failed_at.contains(&(rule, position))
    }

    pub(crate) fn remember_failure(&mut self, rule: Rule, position: usize) {
        self.failed_at.insert((rule, position));
    }

    /// Run `body` one nesting level deeper, failing if that is too deep.
    pub(crate) fn nested<T>(&mut self, body: impl FnOnce(&mut Self) -> Parsed<T>) -> Parsed<T> {
        if self.depth >= MAX_NESTING {
            return self.fail();
        }
        self.depth += 1;
        let result = crate::stack::deeper(|| body(self));
        self.depth -= 1;
        result
    }

    /// The whole input must have been consumed.
    pub(crate) fn expect_end(&mut self) -> Parsed<()> {
        self.expect(TokenKind::Eof).map(|_| ())
    }

    /// A document path: `name` or `#name`, then any of `.name`, `.#name`, `[digits]`.
    /// `is_keyword` says which identifiers the grammar reserves as tokens.
    pub(crate) fn path(&mut self, is_keyword: fn(&Token<'_>) -> bool) -> Parsed<RawPath> {
        let first = self.path_element(is_keyword)?;
        let mut elements = vec![first];
        self.path_tail(&mut elements, is_keyword)?;
        Ok(RawPath(elements))
    }

    /// Continue a path with `.name` and `[index]` steps.
    pub(crate) fn path_tail(
        &mut self,
        elements: &mut Vec<RawElement>,
        is_keyword: fn(&Token<'_>) -> bool,
    ) -> Parsed<()> {
        loop {
            match self.peek().kind {
                TokenKind::Dot => {
                    self.advance();
                    elements.push(self.path_element(is_keyword)?);
                }
                TokenKind::LBracket => {
                    self.advance();
                    let digits = self.peek();
                    if digits.kind != TokenKind::Number {
                        return self.fail();
                    }
                    // UNCONFIRMED: an index too large for this platform is refused as a
                    // syntax error at the number.
                    let Ok(index) = digits.text.parse::<usize>() else {
                        return self.fail();
                    };
                    self.advance();
                    self.expect(TokenKind::RBracket)?;
                    elements.push(RawElement::Index(index));
                }
                _ => return Ok(()),
            }
        }
    }

    fn path_element(&mut self, is_keyword: fn(&Token<'_>) -> bool) -> Parsed<RawElement> {
        let token = self.peek();
        match token.kind {
            TokenKind::Ident if !is_keyword(&token) => {
                self.advance();
                Ok(RawElement::Ident(token.text.to_owned()))
            }
            TokenKind::Name => {
                self.advance();
                Ok(RawElement::Name(token.text.to_owned()))
            }
            _ => self.fail(),
        }
    }

    /// The syntax error for the furthest failure.
    pub(crate) fn syntax_error(&self) -> SyntaxError {
        let index = self.furthest.min(self.tokens.len().saturating_sub(1));
        let token = self.token_at(index);
        let start = if index > 0 {
            self.token_at(index - 1).start
        } else {
            token.start
        };
        let (shown, end) = if token.kind == TokenKind::Eof {
            ("<EOF>", self.source.len())
        } else {
            let next = self.token_at(index + 1);
            let end = if next.kind == TokenKind::Eof {
                token.end
            } else {
                next.end
            };
            (token.text, end)
        };
        let near = self.source.get(start..end).unwrap_or_default().trim_end();
        SyntaxError(format!(
            "Syntax error; token: \"{shown}\", near: \"{near}\""
        ))
    }
}
