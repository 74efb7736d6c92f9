//! The tokens of DynamoDB's expression grammars. Lexing never fails: a character that
//! starts no token becomes an `Unknown` token, so the parser reports it as AWS does, as a
//! syntax error naming that token.

/// What a token is. Keywords (`AND`, `SET`, …) are `Ident`s; each grammar decides which
/// identifiers it treats as keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// `[A-Za-z][A-Za-z0-9_]*`: an identifier starts with a letter, so `_abc` lexes as an
    /// unknown `_` and AWS's syntax error names it (alternator's AWS-run
    /// test_update_expression_name_token and test_update_expression_unknown_function:
    /// `SET _123 = :v` is `Syntax error; token: "_", near: "SET _123"`).
    Ident,
    /// `#` followed by `[A-Za-z0-9_]+`
    Name,
    /// `:` followed by `[A-Za-z0-9_]+`
    Value,
    /// `[0-9]+`
    Number,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Plus,
    Minus,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Unknown,
    Eof,
}

/// A token and where it is in the source (byte offsets).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token<'a> {
    pub(crate) kind: TokenKind,
    pub(crate) text: &'a str,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Token<'_> {
    /// Whether this is the identifier `word`, compared case-insensitively (keywords).
    pub(crate) fn is_keyword(&self, word: &str) -> bool {
        self.kind == TokenKind::Ident && self.text.eq_ignore_ascii_case(word)
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Split `source` into tokens; the last one is always `Eof`.
pub(crate) fn tokenize(source: &str) -> Vec<Token<'_>> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
            continue;
        }
        let start = i;
        let word_end = |from: usize| {
            let mut end = from;
            while end < bytes.len() && is_word_byte(bytes[end]) {
                end += 1;
            }
            end
        };
        let (kind, end) = match b {
            b'A'..=b'Z' | b'a'..=b'z' => (TokenKind::Ident, word_end(i + 1)),
            b'0'..=b'9' => {
                let mut end = i + 1;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                (TokenKind::Number, end)
            }
            b'#' | b':' => {
                let end = word_end(i + 1);
                if end == i + 1 {
                    (TokenKind::Unknown, i + 1)
                } else if b == b'#' {
                    (TokenKind::Name, end)
                } else {
                    (TokenKind::Value, end)
                }
            }
            b'(' => (TokenKind::LParen, i + 1),
            b')' => (TokenKind::RParen, i + 1),
            b'[' => (TokenKind::LBracket, i + 1),
            b']' => (TokenKind::RBracket, i + 1),
            b',' => (TokenKind::Comma, i + 1),
            b'.' => (TokenKind::Dot, i + 1),
            b'+' => (TokenKind::Plus, i + 1),
            b'-' => (TokenKind::Minus, i + 1),
            b'=' => (TokenKind::Eq, i + 1),
            b'<' => match bytes.get(i + 1) {
                Some(b'>') => (TokenKind::Ne, i + 2),
                Some(b'=') => (TokenKind::Le, i + 2),
                _ => (TokenKind::Lt, i + 1),
            },
            b'>' => match bytes.get(i + 1) {
                Some(b'=') => (TokenKind::Ge, i + 2),
                _ => (TokenKind::Gt, i + 1),
            },
            _ => {
                // One whole character, so the token text is valid UTF-8.
                let width = source[i..].chars().next().map_or(1, char::len_utf8);
                (TokenKind::Unknown, i + width)
            }
        };
        tokens.push(Token {
            kind,
            text: &source[start..end],
            start,
            end,
        });
        i = end;
    }
    tokens.push(Token {
        kind: TokenKind::Eof,
        text: "",
        start: source.len(),
        end: source.len(),
    });
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(TokenKind, &str)> {
        tokenize(source).iter().map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn tokens_of_a_condition() {
        use TokenKind::*;
        assert_eq!(
            kinds("a.b[10] <> :v AND #n>=size(x)"),
            vec![
                (Ident, "a"),
                (Dot, "."),
                (Ident, "b"),
                (LBracket, "["),
                (Number, "10"),
                (RBracket, "]"),
                (Ne, "<>"),
                (Value, ":v"),
                (Ident, "AND"),
                (Name, "#n"),
                (Ge, ">="),
                (Ident, "size"),
                (LParen, "("),
                (Ident, "x"),
                (RParen, ")"),
                (Eof, ""),
            ]
        );
    }

    #[test]
    fn unknown_characters_are_tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("ü \"x\" # :"),
            vec![
                (Unknown, "ü"),
                (Unknown, "\""),
                (Ident, "x"),
                (Unknown, "\""),
                (Unknown, "#"),
                (Unknown, ":"),
                (Eof, ""),
            ]
        );
    }

    #[test]
    fn an_underscore_starts_no_identifier() {
        use TokenKind::*;
        assert_eq!(
            kinds("_f(a_b) #_ :_"),
            vec![
                (Unknown, "_"),
                (Ident, "f"),
                (LParen, "("),
                (Ident, "a_b"),
                (RParen, ")"),
                (Name, "#_"),
                (Value, ":_"),
                (Eof, ""),
            ]
        );
    }
}
