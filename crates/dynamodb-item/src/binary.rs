//! The compact binary form items are stored in: a tag byte per value, LEB128 lengths,
//! numbers as their order-preserving key bytes. Only strata reads it (never a wire
//! format), so it may change with a storage format version; decoding anything else is
//! an error, never a panic.

use std::collections::BTreeMap;

use strata_number::Number;

use crate::wire::{write_base64, write_json_string, write_number};
use crate::{AttributeValue, Item};

const S: u8 = 0;
const N: u8 = 1;
const B: u8 = 2;
const FALSE: u8 = 3;
const TRUE: u8 = 4;
const NULL: u8 = 5;
const SS: u8 = 6;
const NS: u8 = 7;
const BS: u8 = 8;
const L: u8 = 9;
const M: u8 = 10;

/// Stored bytes that are not an encoded item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("corrupt stored item: {0}")]
pub struct DecodeError(&'static str);

/// Appends the binary form of `item` to `out`.
pub fn encode_item(item: &Item, out: &mut Vec<u8>) {
    write_len(out, item.len());
    for (name, value) in item {
        write_bytes(out, name.as_bytes());
        encode_value(value, out);
    }
}

/// Decodes an item written by [`encode_item`]; the whole of `bytes` must be one item.
pub fn decode_item(bytes: &[u8]) -> Result<Item, DecodeError> {
    let mut reader = Reader { bytes, pos: 0 };
    let item = reader.map(0)?;
    if reader.pos != bytes.len() {
        return Err(DecodeError("trailing bytes"));
    }
    Ok(item)
}

fn encode_value(value: &AttributeValue, out: &mut Vec<u8>) {
    match value {
        AttributeValue::S(s) => {
            out.push(S);
            write_bytes(out, s.as_bytes());
        }
        AttributeValue::N(n) => {
            out.push(N);
            n.write_key_bytes(out);
        }
        AttributeValue::B(b) => {
            out.push(B);
            write_bytes(out, b);
        }
        AttributeValue::Bool(b) => out.push(if *b { TRUE } else { FALSE }),
        AttributeValue::Null => out.push(NULL),
        AttributeValue::Ss(set) => {
            out.push(SS);
            write_len(out, set.len());
            for s in set {
                write_bytes(out, s.as_bytes());
            }
        }
        AttributeValue::Ns(set) => {
            out.push(NS);
            write_len(out, set.len());
            for n in set {
                n.write_key_bytes(out);
            }
        }
        AttributeValue::Bs(set) => {
            out.push(BS);
            write_len(out, set.len());
            for b in set {
                write_bytes(out, b);
            }
        }
        AttributeValue::L(list) => {
            out.push(L);
            write_len(out, list.len());
            for v in list {
                encode_value(v, out);
            }
        }
        AttributeValue::M(map) => {
            out.push(M);
            encode_item(map, out);
        }
    }
}

fn write_len(out: &mut Vec<u8>, mut len: usize) {
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// Deeper than any valid item (32 levels); bounds recursion on corrupt input.
const MAX_DEPTH: usize = 64;

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or(DecodeError("unexpected end"))?;
        self.pos += 1;
        Ok(b)
    }

    fn len(&mut self) -> Result<usize, DecodeError> {
        let mut len = 0usize;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            len |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                // Every length counts bytes or elements that must still follow.
                if len > self.bytes.len() - self.pos {
                    return Err(DecodeError("length beyond the end"));
                }
                return Ok(len);
            }
        }
        Err(DecodeError("length too long"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.len()?;
        let slice = &self.bytes[self.pos..self.pos + len];
        self.pos += len;
        Ok(slice)
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        let bytes = self.bytes()?;
        String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError("invalid UTF-8"))
    }

    fn number(&mut self) -> Result<Number, DecodeError> {
        let (n, used) = Number::decode_key_prefix(&self.bytes[self.pos..])
            .map_err(|_| DecodeError("invalid number"))?;
        self.pos += used;
        Ok(n)
    }

    fn map(&mut self, depth: usize) -> Result<Item, DecodeError> {
        let count = self.len()?;
        let mut map = BTreeMap::new();
        for _ in 0..count {
            let name = self.string()?;
            let value = self.value(depth)?;
            map.insert(name, value);
        }
        Ok(map)
    }

    fn value(&mut self, depth: usize) -> Result<AttributeValue, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError("nested too deeply"));
        }
        Ok(match self.byte()? {
            S => AttributeValue::S(self.string()?),
            N => AttributeValue::N(self.number()?),
            B => AttributeValue::B(self.bytes()?.to_vec()),
            FALSE => AttributeValue::Bool(false),
            TRUE => AttributeValue::Bool(true),
            NULL => AttributeValue::Null,
            SS => {
                let count = self.len()?;
                AttributeValue::Ss(
                    (0..count)
                        .map(|_| self.string())
                        .collect::<Result<_, _>>()?,
                )
            }
            NS => {
                let count = self.len()?;
                AttributeValue::Ns(
                    (0..count)
                        .map(|_| self.number())
                        .collect::<Result<_, _>>()?,
                )
            }
            BS => {
                let count = self.len()?;
                AttributeValue::Bs(
                    (0..count)
                        .map(|_| self.bytes().map(<[u8]>::to_vec))
                        .collect::<Result<_, _>>()?,
                )
            }
            L => {
                let count = self.len()?;
                AttributeValue::L(
                    (0..count)
                        .map(|_| self.value(depth + 1))
                        .collect::<Result<_, _>>()?,
                )
            }
            M => AttributeValue::M(self.map(depth + 1)?),
            _ => return Err(DecodeError("unknown type tag")),
        })
    }
}

/// Appends the item `bytes` holds (as [`encode_item`] wrote it) as DynamoDB's typed JSON,
/// without building it: exactly what [`crate::write_item_json`] writes for the decoded item.
pub fn write_encoded_item_json(bytes: &[u8], out: &mut Vec<u8>) -> Result<(), DecodeError> {
    let mut reader = Reader { bytes, pos: 0 };
    reader.map_json(0, out)?;
    if reader.pos != bytes.len() {
        return Err(DecodeError("trailing bytes"));
    }
    Ok(())
}

impl Reader<'_> {
    fn str(&mut self) -> Result<&str, DecodeError> {
        std::str::from_utf8(self.bytes()?).map_err(|_| DecodeError("invalid UTF-8"))
    }

    fn map_json(&mut self, depth: usize, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        let count = self.len()?;
        out.push(b'{');
        for i in 0..count {
            if i > 0 {
                out.push(b',');
            }
            write_json_string(self.str()?, out);
            out.push(b':');
            self.value_json(depth, out)?;
        }
        out.push(b'}');
        Ok(())
    }

    /// `count` elements written by `element`, as a JSON array.
    fn array_json(
        &mut self,
        out: &mut Vec<u8>,
        mut element: impl FnMut(&mut Self, &mut Vec<u8>) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let count = self.len()?;
        out.push(b'[');
        for i in 0..count {
            if i > 0 {
                out.push(b',');
            }
            element(self, out)?;
        }
        out.push(b']');
        Ok(())
    }

    fn value_json(&mut self, depth: usize, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError("nested too deeply"));
        }
        let tag = self.byte()?;
        let name: &[u8] = match tag {
            S => b"S",
            N => b"N",
            B => b"B",
            FALSE | TRUE => b"BOOL",
            NULL => b"NULL",
            SS => b"SS",
            NS => b"NS",
            BS => b"BS",
            L => b"L",
            M => b"M",
            _ => return Err(DecodeError("unknown type tag")),
        };
        out.extend_from_slice(b"{\"");
        out.extend_from_slice(name);
        out.extend_from_slice(b"\":");
        match tag {
            S => write_json_string(self.str()?, out),
            N => write_number(&self.number()?, out),
            B => write_base64(self.bytes()?, out),
            FALSE => out.extend_from_slice(b"false"),
            TRUE | NULL => out.extend_from_slice(b"true"),
            SS => self.array_json(out, |r, out| {
                write_json_string(r.str()?, out);
                Ok(())
            })?,
            NS => self.array_json(out, |r, out| {
                write_number(&r.number()?, out);
                Ok(())
            })?,
            BS => self.array_json(out, |r, out| {
                write_base64(r.bytes()?, out);
                Ok(())
            })?,
            L => self.array_json(out, |r, out| r.value_json(depth + 1, out))?,
            _ => self.map_json(depth + 1, out)?,
        }
        out.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Number {
        Number::parse(text).expect("valid test number")
    }

    #[test]
    fn every_type_round_trips() {
        let mut inner = Item::new();
        inner.insert("deep".into(), AttributeValue::L(vec![AttributeValue::Null]));
        let mut item = Item::new();
        item.insert("s".into(), AttributeValue::S("héllo".into()));
        item.insert("n".into(), AttributeValue::N(n("-12.5e-3")));
        item.insert("b".into(), AttributeValue::B(vec![0, 255, 7]));
        item.insert("t".into(), AttributeValue::Bool(true));
        item.insert("f".into(), AttributeValue::Bool(false));
        item.insert("z".into(), AttributeValue::Null);
        item.insert(
            "ss".into(),
            AttributeValue::Ss(vec!["b".into(), "a".into()]),
        );
        item.insert(
            "ns".into(),
            AttributeValue::Ns(vec![n("1"), n("0"), n("-3")]),
        );
        item.insert("bs".into(), AttributeValue::Bs(vec![vec![1], vec![]]));
        item.insert("m".into(), AttributeValue::M(inner));
        item.insert("big".into(), AttributeValue::S("x".repeat(300)));
        let mut bytes = Vec::new();
        encode_item(&item, &mut bytes);
        assert_eq!(decode_item(&bytes), Ok(item));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut item = Item::new();
        item.insert(
            "a".into(),
            AttributeValue::L(vec![AttributeValue::N(n("5"))]),
        );
        let mut bytes = Vec::new();
        encode_item(&item, &mut bytes);
        for cut in 0..bytes.len() {
            assert!(decode_item(&bytes[..cut]).is_err());
        }
        for seed in 0..2000u32 {
            let noise: Vec<u8> = (0..(seed % 40))
                .map(|i| (seed.wrapping_mul(2654435761).rotate_left(i) & 0xff) as u8)
                .collect();
            let _ = decode_item(&noise);
        }
        let deep = [vec![1u8, 0, 1, L], [1, L].repeat(10_000)].concat();
        assert!(decode_item(&deep).is_err());
    }

    proptest::proptest! {
        #[test]
        fn encoded_items_write_the_json_their_items_write(item in crate::strategies::item()) {
            let mut bytes = Vec::new();
            encode_item(&item, &mut bytes);
            let mut direct = Vec::new();
            write_encoded_item_json(&bytes, &mut direct).unwrap();
            let mut decoded = Vec::new();
            crate::write_item_json(&item, &mut decoded);
            proptest::prop_assert_eq!(direct, decoded);
        }

        #[test]
        fn damaged_encodings_are_errors_not_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let mut out = Vec::new();
            let _ = write_encoded_item_json(&bytes, &mut out);
        }
    }
}
