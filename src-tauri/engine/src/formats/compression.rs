//! Compression is sniffed from magic bytes, never from the file name, and decoding is bounded:
//! a small file that inflates without end is refused before it fills memory.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::model::Compression;

/// Recognises gzip, zstd and zlib headers. Anything else is taken as plain bytes.
pub fn sniff(head: &[u8]) -> Compression {
    match head {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        // zlib: CMF 0x78 (deflate, 32K window) and a header checksum divisible by 31.
        [0x78, flg, ..] if (0x7800u16 | *flg as u16).is_multiple_of(31) => Compression::Zlib,
        _ => Compression::None,
    }
}

/// Marks the error a `LimitedReader` raises so callers can tell it from a real I/O failure.
#[derive(Debug)]
pub struct LimitExceeded(pub u64);

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "decoded data exceeds {} bytes", self.0)
    }
}

impl std::error::Error for LimitExceeded {}

/// Returns the limit if `e` was raised by a `LimitedReader`.
pub fn limit_exceeded(e: &io::Error) -> Option<u64> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitExceeded>())
        .map(|l| l.0)
}

/// Counts bytes read through it into a shared counter (for progress), and fails once more
/// than `limit` bytes have passed.
pub struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
    limit: u64,
}

impl<R: Read> CountingReader<R> {
    pub fn new(inner: R, count: Arc<AtomicU64>, limit: u64) -> Self {
        Self {
            inner,
            count,
            limit,
        }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.count.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if total > self.limit {
            return Err(io::Error::other(LimitExceeded(self.limit)));
        }
        Ok(n)
    }
}

/// Feeds every byte read through it to a hasher, so the content hash costs no second pass.
pub struct HashingReader<R> {
    inner: R,
    pub hasher: blake3::Hasher,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: blake3::Hasher::new(),
        }
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Wraps `input` in the decoder its first bytes call for. Returns the decoder and what was
/// detected. Nested compression (gzip of zstd…) is unwrapped too, up to a few layers.
pub fn decode<R: Read + 'static>(input: R) -> io::Result<(Box<dyn Read>, Compression)> {
    let mut reader: Box<dyn BufRead> = Box::new(BufReader::with_capacity(256 * 1024, input));
    let mut outer = Compression::None;
    for _ in 0..3 {
        let kind = match reader.fill_buf() {
            Ok(head) => sniff(head),
            // A corrupt inner stream: let the reader report it when it is read, with the
            // outer compression known.
            Err(_) if outer != Compression::None => break,
            Err(e) => return Err(e),
        };
        if kind == Compression::None {
            break;
        }
        if outer == Compression::None {
            outer = kind;
        }
        let decoded: Box<dyn Read> = match kind {
            Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(reader)),
            Compression::Zlib => Box::new(flate2::bufread::ZlibDecoder::new(reader)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(reader)?),
            Compression::None => unreachable!(),
        };
        reader = Box::new(BufReader::with_capacity(256 * 1024, decoded));
    }
    Ok((reader, outer))
}

/// Inflates compressed bytes kept in a JSON string, one char per byte (latin1), as rrweb's
/// `pack()` (zlib) and posthog-js (gzip) write them. Bounded by `max_bytes`.
pub fn inflate_latin1(s: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
    let bytes: Vec<u8> = s
        .chars()
        .map(|c| u8::try_from(u32::from(c)))
        .collect::<Result<_, _>>()
        .map_err(|_| "is not latin1".to_string())?;
    let reader: Box<dyn Read + '_> = match sniff(&bytes) {
        Compression::Gzip => Box::new(flate2::read::GzDecoder::new(&bytes[..])),
        _ => Box::new(flate2::read::ZlibDecoder::new(&bytes[..])),
    };
    let mut out = Vec::new();
    reader
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("does not inflate: {e}"))?;
    if out.len() > max_bytes {
        return Err(format!("inflates to more than {max_bytes} bytes"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(&gzip(b"[]")), Compression::Gzip);
        assert_eq!(
            sniff(&zstd::encode_all(&b"[]"[..], 3).unwrap()),
            Compression::Zstd
        );
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b"[]").unwrap();
        assert_eq!(sniff(&z.finish().unwrap()), Compression::Zlib);
        assert_eq!(sniff(b"[{\"type\":4}]"), Compression::None);
        // 'x' followed by a byte that fails the zlib header check is just text.
        assert_eq!(sniff(b"xy"), Compression::None);
    }

    #[test]
    fn decodes_nested_layers() {
        let inner = zstd::encode_all(&b"[1,2,3]"[..], 3).unwrap();
        let outer = gzip(&inner);
        let (mut r, kind) = decode(io::Cursor::new(outer)).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!((s.as_str(), kind), ("[1,2,3]", Compression::Gzip));
    }

    #[test]
    fn limit_stops_a_bomb() {
        let bomb = gzip(&vec![b' '; 10 << 20]);
        assert!(bomb.len() < 100 << 10);
        let (r, _) = decode(io::Cursor::new(bomb)).unwrap();
        let mut limited = CountingReader::new(r, Arc::default(), 1 << 20);
        let err = io::copy(&mut limited, &mut io::sink()).unwrap_err();
        assert_eq!(limit_exceeded(&err), Some(1 << 20));
    }
}
