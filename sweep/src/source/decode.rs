//! Opening text files whatever their encoding: UTF-8 (with or without a
//! BOM) or UTF-16 with a BOM (PowerShell's `>` redirection writes UTF-16LE).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use crate::error::SweepError;

const BUF: usize = 256 * 1024;

/// A buffered reader of a text source, decoded to UTF-8.
pub type TextReader = BufReader<Decoded<io::Chain<io::Cursor<Vec<u8>>, File>>>;

/// Opens `path` and sniffs its byte-order mark. A compressed file or an
/// archive is an error that says so, rather than text that fails to parse.
pub fn open(path: &Path) -> Result<TextReader, SweepError> {
    let io = |source| SweepError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let mut head = [0u8; 6];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io(e)),
        }
    }
    if let Some(format) = compressed(&head[..n]) {
        return Err(SweepError::Compressed {
            path: path.to_path_buf(),
            format,
        });
    }
    decode(io::Cursor::new(head[..n].to_vec()).chain(file)).map_err(io)
}

/// What a file that starts with `head` is, when it is compressed or an
/// archive (by the formats' magic numbers).
fn compressed(head: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 5] = [
        (&[0x1F, 0x8B], "a gzip-compressed file"),
        (b"BZh", "a bzip2-compressed file"),
        (
            &[0xFD, b'7', b'z', b'X', b'Z', 0x00],
            "an xz-compressed file",
        ),
        (&[0x28, 0xB5, 0x2F, 0xFD], "a zstd-compressed file"),
        (b"PK\x03\x04", "a zip archive"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, what)| *what)
}

/// Wraps a reader, sniffing its byte-order mark.
pub fn decode<R: Read>(inner: R) -> io::Result<BufReader<Decoded<R>>> {
    let mut probe = BufReader::with_capacity(4, inner);
    let head = probe.fill_buf()?.to_vec();
    let (mode, skip) = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (Mode::Utf8, 3)
    } else if head.starts_with(&[0xFF, 0xFE]) {
        (Mode::Utf16 { big_endian: false }, 2)
    } else if head.starts_with(&[0xFE, 0xFF]) {
        (Mode::Utf16 { big_endian: true }, 2)
    } else {
        (Mode::Utf8, 0)
    };
    probe.consume(skip);
    let rest = probe.buffer().to_vec();
    let inner = probe.into_inner();
    Ok(BufReader::with_capacity(
        BUF,
        Decoded {
            inner,
            mode,
            raw: rest,
            out: Vec::new(),
            pos: 0,
            eof: false,
        },
    ))
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    Utf8,
    Utf16 { big_endian: bool },
}

/// A reader that yields UTF-8 whatever the source encoding.
#[derive(Debug)]
pub struct Decoded<R> {
    inner: R,
    mode: Mode,
    /// Bytes read from `inner` but not yet passed on (or decoded).
    raw: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.mode {
            Mode::Utf8 => {
                if !self.raw.is_empty() {
                    let n = buf.len().min(self.raw.len());
                    buf[..n].copy_from_slice(&self.raw[..n]);
                    self.raw.drain(..n);
                    return Ok(n);
                }
                self.inner.read(buf)
            }
            Mode::Utf16 { big_endian } => {
                while self.pos >= self.out.len() {
                    if self.eof && self.raw.is_empty() {
                        return Ok(0);
                    }
                    self.refill(big_endian)?;
                }
                let n = buf.len().min(self.out.len() - self.pos);
                buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
                self.pos += n;
                Ok(n)
            }
        }
    }
}

impl<R: Read> Decoded<R> {
    fn refill(&mut self, big_endian: bool) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        if !self.eof {
            let mut chunk = vec![0u8; 64 * 1024];
            let n = self.inner.read(&mut chunk)?;
            if n == 0 {
                self.eof = true;
            }
            self.raw.extend_from_slice(&chunk[..n]);
        }
        let mut units: Vec<u16> = self
            .raw
            .chunks_exact(2)
            .map(|p| {
                if big_endian {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect();
        let mut keep = self.raw.len() % 2;
        // A high surrogate at the end waits for its partner.
        if !self.eof && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            units.pop();
            keep += 2;
        }
        let text: String = char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        self.out.extend_from_slice(text.as_bytes());
        let consumed = self.raw.len() - keep;
        self.raw.drain(..consumed);
        if self.eof && !self.raw.is_empty() {
            // An odd trailing byte.
            self.raw.clear();
            self.out.extend_from_slice("\u{FFFD}".as_bytes());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: Vec<u8>) -> String {
        let mut r = decode(io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn decodes_boms() {
        let text = "{\"kind\": \"Pod\"} é 🚀\n";
        assert_eq!(read_all(text.as_bytes().to_vec()), text);
        let mut bom8 = vec![0xEF, 0xBB, 0xBF];
        bom8.extend_from_slice(text.as_bytes());
        assert_eq!(read_all(bom8), text);
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(read_all(le), text);
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(read_all(be), text);
    }

    #[test]
    fn surrogates_split_across_chunks() {
        let text: String = "🚀".repeat(40_000);
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(read_all(le), text);
    }
}
