//! A streaming splitter for large JSON documents.
//!
//! Recordings reach hundreds of megabytes, so they are never parsed into a `Value` tree. The
//! scanner walks the bytes once, finds the boundaries of each value we care about (the events)
//! and hands the raw bytes of one value at a time to the caller, who parses just that slice
//! with serde. It only tracks strings and bracket depth; full validation of each value is
//! serde's job. Memory held is one buffer plus the largest single value.

use std::io::Read;

use memchr::memchr2;

const BUF_SIZE: usize = 256 * 1024;

/// Why the scanner stopped.
#[derive(Debug)]
pub enum ScanError {
    Io(std::io::Error),
    /// The input ended inside a value; `inside` says which.
    Eof {
        offset: u64,
        inside: &'static str,
    },
    /// A byte that cannot start or continue what the scanner expected.
    Syntax {
        offset: u64,
        message: String,
    },
    /// A single value is larger than the configured cap.
    ValueTooLarge {
        offset: u64,
        limit: usize,
    },
}

impl From<std::io::Error> for ScanError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

pub type ScanResult<T> = Result<T, ScanError>;

/// A byte scanner over any reader with a window of look-ahead.
pub struct Scanner<R> {
    reader: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    /// Bytes of input before `buf[0]`.
    base: u64,
    max_value: usize,
    /// Deepest nesting of the last value read.
    last_depth: usize,
}

impl<R: Read> Scanner<R> {
    pub fn new(reader: R, max_value: usize) -> Self {
        Self {
            reader,
            buf: vec![0; BUF_SIZE].into_boxed_slice(),
            pos: 0,
            end: 0,
            base: 0,
            max_value,
            last_depth: 0,
        }
    }

    /// How deeply the last value read by `read_value` nested.
    pub fn last_depth(&self) -> usize {
        self.last_depth
    }

    pub fn max_value(&self) -> usize {
        self.max_value
    }

    pub fn into_inner(self) -> R {
        self.reader
    }

    /// Input offset of the next unread byte.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes sure at least one unread byte is buffered; false at end of input.
    fn fill(&mut self) -> ScanResult<bool> {
        if self.pos < self.end {
            return Ok(true);
        }
        self.base += self.end as u64;
        self.pos = 0;
        self.end = 0;
        loop {
            match self.reader.read(&mut self.buf) {
                Ok(n) => {
                    self.end = n;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The next byte that is not JSON whitespace (nor a UTF-8 byte-order mark), not consumed.
    pub fn peek_token(&mut self) -> ScanResult<Option<u8>> {
        loop {
            if !self.fill()? {
                return Ok(None);
            }
            let b = self.buf[self.pos];
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                // The BOM's bytes; harmless to skip wherever they appear between tokens.
                0xEF | 0xBB | 0xBF => self.pos += 1,
                _ => return Ok(Some(b)),
            }
        }
    }

    /// Consumes the byte `peek_token` returned.
    pub fn bump(&mut self) {
        debug_assert!(self.pos < self.end);
        self.pos += 1;
    }

    /// Consumes `expected` (after whitespace) or fails naming what was found instead.
    pub fn expect(&mut self, expected: u8, context: &'static str) -> ScanResult<()> {
        match self.peek_token()? {
            Some(b) if b == expected => {
                self.bump();
                Ok(())
            }
            Some(b) => Err(self.syntax(format!(
                "expected '{}' {context}, found {}",
                expected as char,
                describe_byte(b)
            ))),
            None => Err(ScanError::Eof {
                offset: self.offset(),
                inside: context,
            }),
        }
    }

    pub fn syntax(&self, message: String) -> ScanError {
        ScanError::Syntax {
            offset: self.offset(),
            message,
        }
    }

    /// Reads one complete JSON value starting at the next token, appending its bytes to `out`
    /// (or just skipping it when `out` is `None`). `what` names the value for error messages.
    pub fn read_value(
        &mut self,
        mut out: Option<&mut Vec<u8>>,
        what: &'static str,
    ) -> ScanResult<()> {
        let start_len = out.as_ref().map_or(0, |o| o.len());
        self.last_depth = 0;
        let first = match self.peek_token()? {
            Some(b) => b,
            None => {
                return Err(ScanError::Eof {
                    offset: self.offset(),
                    inside: what,
                })
            }
        };
        match first {
            b'{' | b'[' => self.scan_nested(&mut out, start_len, what),
            b'"' => {
                self.bump();
                if let Some(o) = out.as_deref_mut() {
                    o.push(b'"');
                }
                self.scan_string_tail(&mut out, start_len, what)
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => self.scan_scalar(&mut out),
            b => Err(self.syntax(format!("{} cannot start a JSON value", describe_byte(b)))),
        }
    }

    fn check_size(&self, out: &Option<&mut Vec<u8>>, start_len: usize) -> ScanResult<()> {
        if let Some(o) = out {
            if o.len() - start_len > self.max_value {
                return Err(ScanError::ValueTooLarge {
                    offset: self.offset(),
                    limit: self.max_value,
                });
            }
        }
        Ok(())
    }

    /// Scans an object or array, tracking depth and strings, until its closing bracket.
    fn scan_nested(
        &mut self,
        out: &mut Option<&mut Vec<u8>>,
        start_len: usize,
        what: &'static str,
    ) -> ScanResult<()> {
        let mut depth: usize = 0;
        let mut self_depth: usize = 0;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            if !self.fill()? {
                return Err(ScanError::Eof {
                    offset: self.offset(),
                    inside: what,
                });
            }
            let slice = &self.buf[self.pos..self.end];
            let mut i = 0;
            let mut done = false;
            while i < slice.len() {
                if in_string {
                    if escaped {
                        escaped = false;
                        i += 1;
                        continue;
                    }
                    match memchr2(b'"', b'\\', &slice[i..]) {
                        Some(j) => {
                            i += j;
                            if slice[i] == b'\\' {
                                escaped = true;
                            } else {
                                in_string = false;
                            }
                            i += 1;
                        }
                        None => i = slice.len(),
                    }
                    continue;
                }
                match slice[i] {
                    b'"' => in_string = true,
                    b'{' | b'[' => {
                        depth += 1;
                        self_depth = self_depth.max(depth);
                    }
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            done = true;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            if let Some(o) = out.as_deref_mut() {
                o.extend_from_slice(&slice[..i]);
            }
            self.pos += i;
            self.last_depth = self.last_depth.max(self_depth);
            self.check_size(out, start_len)?;
            if done {
                return Ok(());
            }
        }
    }

    /// Scans the rest of a string whose opening quote is consumed.
    fn scan_string_tail(
        &mut self,
        out: &mut Option<&mut Vec<u8>>,
        start_len: usize,
        what: &'static str,
    ) -> ScanResult<()> {
        let mut escaped = false;
        loop {
            if !self.fill()? {
                return Err(ScanError::Eof {
                    offset: self.offset(),
                    inside: what,
                });
            }
            let slice = &self.buf[self.pos..self.end];
            let mut i = 0;
            let mut done = false;
            while i < slice.len() {
                if escaped {
                    escaped = false;
                    i += 1;
                    continue;
                }
                match memchr2(b'"', b'\\', &slice[i..]) {
                    Some(j) => {
                        i += j;
                        if slice[i] == b'\\' {
                            escaped = true;
                            i += 1;
                        } else {
                            i += 1;
                            done = true;
                            break;
                        }
                    }
                    None => i = slice.len(),
                }
            }
            if let Some(o) = out.as_deref_mut() {
                o.extend_from_slice(&slice[..i]);
            }
            self.pos += i;
            self.check_size(out, start_len)?;
            if done {
                return Ok(());
            }
        }
    }

    /// Numbers, `true`, `false`, `null`: everything up to the next delimiter.
    fn scan_scalar(&mut self, out: &mut Option<&mut Vec<u8>>) -> ScanResult<()> {
        loop {
            if !self.fill()? {
                return Ok(()); // a scalar may end the input
            }
            let slice = &self.buf[self.pos..self.end];
            let n = slice
                .iter()
                .position(|b| matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(slice.len());
            if let Some(o) = out.as_deref_mut() {
                o.extend_from_slice(&slice[..n]);
            }
            self.pos += n;
            if n < slice.len() {
                return Ok(());
            }
        }
    }

    /// Reads an object key (a string) into `key`, without its quotes but with escapes as-is.
    pub fn read_key(&mut self, key: &mut Vec<u8>) -> ScanResult<()> {
        key.clear();
        match self.peek_token()? {
            Some(b'"') => {}
            Some(b) => {
                return Err(self.syntax(format!(
                    "expected an object key, found {}",
                    describe_byte(b)
                )))
            }
            None => {
                return Err(ScanError::Eof {
                    offset: self.offset(),
                    inside: "an object",
                })
            }
        }
        self.read_value(Some(key), "an object key")?;
        // Strip the quotes.
        key.pop();
        key.remove(0);
        Ok(())
    }
}

/// A printable description of a byte for error messages.
pub fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(input: &str) -> Vec<String> {
        let mut s = Scanner::new(input.as_bytes(), 1 << 20);
        let mut out = Vec::new();
        s.expect(b'[', "test").unwrap();
        loop {
            if s.peek_token().unwrap() == Some(b']') {
                break;
            }
            let mut v = Vec::new();
            s.read_value(Some(&mut v), "value").unwrap();
            out.push(String::from_utf8(v).unwrap());
            if s.peek_token().unwrap() == Some(b',') {
                s.bump();
            }
        }
        out
    }

    #[test]
    fn splits_values_with_tricky_strings() {
        let got = values(r#"[ {"a":"}]\"{"}, [1,[2]], "x\\", 12.5e3 ,true,null]"#);
        assert_eq!(
            got,
            vec![
                r#"{"a":"}]\"{"}"#,
                "[1,[2]]",
                r#""x\\""#,
                "12.5e3",
                "true",
                "null"
            ]
        );
    }

    #[test]
    fn values_spanning_buffer_boundaries() {
        let long = "y".repeat(BUF_SIZE * 2 + 17);
        let input = format!(r#"[{{"s":"{long}\"","n":[1,2]}},{{"b":1}}]"#);
        let got = values(&input);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].len(), long.len() + 20);
        assert_eq!(got[1], r#"{"b":1}"#);
    }

    #[test]
    fn eof_inside_value_is_reported() {
        let mut s = Scanner::new(&b"{\"a\": [1, 2"[..], 1 << 20);
        match s.read_value(None, "an event") {
            Err(ScanError::Eof { inside, offset }) => {
                assert_eq!(inside, "an event");
                assert_eq!(offset, 11);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn oversized_value_is_refused() {
        let input = format!("[\"{}\"]", "z".repeat(5000));
        let mut s = Scanner::new(input.as_bytes(), 1000);
        let mut v = Vec::new();
        assert!(matches!(
            s.read_value(Some(&mut v), "x"),
            Err(ScanError::ValueTooLarge { limit: 1000, .. })
        ));
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let input = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        let mut s = Scanner::new(input.as_bytes(), 1 << 20);
        s.read_value(None, "x").unwrap();
        assert_eq!(s.offset(), 400_000);
        assert_eq!(s.last_depth(), 200_000);
    }
}
