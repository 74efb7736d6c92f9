//! Compiled match patterns: `*` (any run, including empty) and `?` (one character)
//! wildcards, literal bytes and policy-variable slots.
//!
//! Every matcher of the crate — actions, resource segments, `StringLike`, `ArnLike`,
//! and the exact string operators (compiled without wildcards) — goes through [`Pattern`],
//! so escapes and variables behave the same everywhere. Comparison is byte-wise;
//! "ignore case" folds ASCII only.

use crate::context::Context;
use crate::variables::{Placeholder, Variable, parse_placeholder};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Byte(u8),
    Star,
    One,
    Var(u16),
}

/// A compiled pattern with the text it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    toks: Box<[Tok]>,
    vars: Box<[Variable]>,
}

/// How a policy string is read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Syntax {
    /// `*` and `?` are wildcards (else literal).
    pub wildcards: bool,
    /// `${…}` is a variable or escape (else literal).
    pub variables: bool,
    /// Fold literal text to ASCII lowercase (actions).
    pub lowercase: bool,
}

impl Pattern {
    pub(crate) fn compile(source: &str, syntax: Syntax) -> Pattern {
        let bytes = source.as_bytes();
        let mut toks = Vec::with_capacity(bytes.len());
        let mut vars = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if syntax.variables
                && b == b'$'
                && bytes.get(i + 1) == Some(&b'{')
                && let Some(end) = source[i + 2..].find('}')
            {
                match parse_placeholder(&source[i + 2..i + 2 + end]) {
                    Some(Placeholder::Escape(c)) => {
                        toks.push(Tok::Byte(c));
                        i += end + 3;
                        continue;
                    }
                    Some(Placeholder::Variable(v)) if vars.len() < usize::from(u16::MAX) => {
                        // Bounded by the check above.
                        toks.push(Tok::Var(vars.len() as u16));
                        vars.push(v);
                        i += end + 3;
                        continue;
                    }
                    _ => {}
                }
            }
            toks.push(match b {
                b'*' if syntax.wildcards => Tok::Star,
                b'?' if syntax.wildcards => Tok::One,
                _ if syntax.lowercase => Tok::Byte(b.to_ascii_lowercase()),
                _ => Tok::Byte(b),
            });
            i += 1;
        }
        Pattern {
            source: source.to_owned(),
            toks: toks.into_boxed_slice(),
            vars: vars.into_boxed_slice(),
        }
    }

    /// The text as written in the policy.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern contains any `*`/`?` wildcard.
    pub fn has_wildcards(&self) -> bool {
        self.toks.iter().any(|t| matches!(t, Tok::Star | Tok::One))
    }

    /// Whether the pattern uses any policy variable.
    pub fn has_variables(&self) -> bool {
        !self.vars.is_empty()
    }

    /// Matches `text`, substituting variables from `context`. A variable that resolves to
    /// nothing makes the pattern match nothing (spec §1.6).
    pub(crate) fn matches(&self, text: &str, context: &Context, ignore_case: bool) -> bool {
        if self.vars.is_empty() {
            return glob(&self.toks, text.as_bytes(), ignore_case);
        }
        match self.resolve(context) {
            Some(toks) => glob(&toks, text.as_bytes(), ignore_case),
            None => false,
        }
    }

    /// Matches a pattern compiled without variables (actions), case-sensitively.
    pub(crate) fn matches_without_variables(&self, text: &str) -> bool {
        glob(&self.toks, text.as_bytes(), false)
    }

    /// The tokens with every variable replaced by its value, taken literally.
    fn resolve(&self, context: &Context) -> Option<Vec<Tok>> {
        let mut out = Vec::with_capacity(self.toks.len() + 16);
        for tok in &self.toks {
            match *tok {
                Tok::Var(i) => {
                    let value = self.vars.get(usize::from(i))?.resolve(context)?;
                    out.extend(value.bytes().map(Tok::Byte));
                }
                other => out.push(other),
            }
        }
        Some(out)
    }
}

/// Length of the UTF-8 character starting at `s[i]` (1 for a stray continuation byte).
fn char_len(s: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < s.len() && (s[j] & 0xC0) == 0x80 {
        j += 1;
    }
    j - i
}

/// Iterative wildcard match with single-star backtracking: linear in practice.
pub(crate) fn glob(p: &[Tok], s: &[u8], ignore_case: bool) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if let Some(tok) = p.get(pi) {
            match *tok {
                Tok::Star => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                Tok::One => {
                    pi += 1;
                    si += char_len(s, si);
                    continue;
                }
                Tok::Byte(b) if b == s[si] || (ignore_case && b.eq_ignore_ascii_case(&s[si])) => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, ss)) => {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    p[pi.min(p.len())..].iter().all(|t| *t == Tok::Star)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLOB: Syntax = Syntax {
        wildcards: true,
        variables: true,
        lowercase: false,
    };

    fn m(pattern: &str, text: &str) -> bool {
        Pattern::compile(pattern, GLOB).matches(text, &Context::new(), false)
    }

    #[test]
    fn wildcards() {
        let cases = [
            ("*", "", true),
            ("*", "anything/at:all", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a?c", "aéc", true),
            ("b/*/test/*", "b/1/2/test/x", true),
            ("b/*/test/*", "b//test/x", true),
            ("b/*/test/*", "b/test/x", false),
            ("*a*b*c*", "xxaxxbxxcxx", true),
            ("*a*b*c*", "xxaxxcxxbxx", false),
            ("abc", "abcd", false),
            ("abc*", "abc", true),
            ("${*}", "*", true),
            ("${*}", "x", false),
            ("a${?}", "a?", true),
            ("a${$}", "a$", true),
            ("${unterminated", "${unterminated", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(m(p, t), want, "{p} vs {t}");
        }
    }

    #[test]
    fn variables_substitute_literally() {
        let mut ctx = Context::new();
        ctx.insert("aws:username", "a*ce");
        let p = Pattern::compile("home/${aws:username}/*", GLOB);
        assert!(p.matches("home/a*ce/x", &ctx, false));
        assert!(!p.matches("home/alice/x", &ctx, false));
        let p = Pattern::compile("home/${aws:PrincipalTag/team, 'all'}/*", GLOB);
        assert!(p.matches("home/all/x", &ctx, false));
        let p = Pattern::compile("home/${aws:userid}", GLOB);
        assert!(!p.matches("home/", &ctx, false));
    }
}
