//! Excel 97-2003 files (.xls, BIFF5 and BIFF8) below calamine.
//!
//! The workbook stream is read once before calamine sees it, for three things
//! calamine does not do for us: bound the cells it will lay out densely on open
//! ([`dense_cells`]), find encryption (a FILEPASS record: calamine misses the XOR
//! kind and then reads scrambled records) and the text encoding it must be told
//! ([`Biff::forced_codepage`]), and lift the default-password encryption that a
//! protected workbook structure puts on a file ([`decrypt_default`]), so such a
//! return is read instead of refused. Opening the file is [`super::workbook`]'s job.

use std::io::{Cursor, Read, Write};

use md5::{Digest as _, Md5};
use rc4::{KeyInit, Rc4, StreamCipher};
use sha1::Sha1;

/// The password Excel before 2013, LibreOffice and WPS encrypt an .xls with when
/// its structure is protected but no password to open it was set (MS-OFFCRYPTO).
const DEFAULT_PASSWORD: &str = "VelvetSweatshop";

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;
const CODEPAGE: u16 = 0x0042;
const BOUNDSHEET: u16 = 0x0085;

/// A workbook stream and what its globals say.
pub struct Biff {
    /// The `Workbook` (BIFF8) or `Book` (BIFF5) stream.
    pub stream: Vec<u8>,
    /// BIFF8 (Excel 97 and later) rather than BIFF5 (Excel 5.0/95).
    pub biff8: bool,
    /// The CODEPAGE record's value, if any.
    pub codepage: Option<u16>,
    /// The FILEPASS record's data, when the file is encrypted or obfuscated.
    pub filepass: Option<Vec<u8>>,
}

/// Why a compound file holds no workbook stream we can read.
#[derive(Debug, PartialEq, Eq)]
pub enum NotBiff {
    /// The compound-file structure itself is broken.
    Damaged,
    /// A sound container without a workbook stream: a Word document, say.
    NoWorkbook,
}

/// Reads the workbook stream of an OLE compound file and the globals before its first EOF.
///
/// # Errors
/// [`NotBiff`] when the container cannot be read or holds no workbook stream. A
/// container the strict `cfb` reader refuses is refused: calamine's lenient reader
/// would go on and read garbage (the fuzzer found 128 GB reservations that way),
/// and Excel, WPS and LibreOffice write well-formed ones.
pub fn read(bytes: &[u8]) -> Result<Biff, NotBiff> {
    let mut container =
        cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| NotBiff::Damaged)?;
    let name = ["Workbook", "Book", "WORKBOOK", "BOOK"]
        .into_iter()
        .find(|n| container.exists(n))
        .ok_or(NotBiff::NoWorkbook)?;
    let mut stream = Vec::new();
    container
        .open_stream(name)
        .and_then(|mut s| s.read_to_end(&mut stream))
        .map_err(|_| NotBiff::Damaged)?;
    let mut biff = Biff {
        stream: Vec::new(),
        biff8: false,
        codepage: None,
        filepass: None,
    };
    // Record headers are never encrypted, so the globals can be walked even when
    // their data is: FILEPASS sits right after the BOF.
    for (kind, data) in records(&stream, 0) {
        match kind {
            BOF if data.len() >= 2 => biff.biff8 = u16::from_le_bytes([data[0], data[1]]) == 0x0600,
            FILEPASS => biff.filepass = Some(data.to_vec()),
            CODEPAGE if data.len() >= 2 && biff.filepass.is_none() => {
                biff.codepage = Some(u16::from_le_bytes([data[0], data[1]]));
            }
            EOF => break,
            _ => {}
        }
    }
    biff.stream = stream;
    Ok(biff)
}

impl Biff {
    /// The code page calamine must be told, if any. BIFF8 text is always Unicode, yet
    /// calamine decodes it through the declared code page, garbling every file that
    /// declares another (and refusing 10008, Mac Simplified Chinese, outright). BIFF5
    /// text is in the code page: when calamine cannot map the declared one (10008 is
    /// GB2312 underneath) or none is declared, GBK reads what Chinese offices write.
    pub fn forced_codepage(&self) -> Option<u16> {
        if self.biff8 {
            return Some(1200);
        }
        match self.codepage {
            Some(cp) if cp != 1200 && codepage::to_encoding(cp).is_some() => None,
            _ => Some(936),
        }
    }
}

/// How an .xls is encrypted, from its FILEPASS record (MS-XLS 2.4.117).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encryption {
    /// XOR obfuscation (BIFF5, or BIFF8 with type 0): the password's verifier.
    Xor { verifier: u16 },
    /// RC4 with MD5 keys (version 1.1).
    Rc4 {
        salt: Vec<u8>,
        verifier: Vec<u8>,
        verifier_hash: Vec<u8>,
    },
    /// RC4 CryptoAPI with SHA-1 keys of `key_bits`.
    CryptoApi {
        key_bits: usize,
        salt: Vec<u8>,
        verifier: Vec<u8>,
        verifier_hash: Vec<u8>,
    },
    /// A FILEPASS this reader does not know: encrypted all the same.
    Unknown,
}

impl Encryption {
    /// Reads a FILEPASS record's data.
    pub fn parse(data: &[u8]) -> Self {
        let u16_at = |i: usize| data.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
        let u32_at = |i: usize| {
            data.get(i..i + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        };
        let bytes = |from: usize, len: usize| data.get(from..from + len).map(<[u8]>::to_vec);
        if data.len() == 4 {
            return u16_at(2).map_or(Self::Unknown, |verifier| Self::Xor { verifier });
        }
        match (u16_at(0), u16_at(2), u16_at(4)) {
            (Some(0), _, _) => u16_at(4).map_or(Self::Unknown, |verifier| Self::Xor { verifier }),
            (Some(1), Some(1), Some(1)) => match (bytes(6, 16), bytes(22, 16), bytes(38, 16)) {
                (Some(salt), Some(verifier), Some(verifier_hash)) => Self::Rc4 {
                    salt,
                    verifier,
                    verifier_hash,
                },
                _ => Self::Unknown,
            },
            (Some(1), Some(2..=4), Some(2)) => {
                // flags (4), header size (4), the header, then the verifier.
                let Some(header_size) = u32_at(10) else {
                    return Self::Unknown;
                };
                let header = 14;
                let key_bits = match u32_at(header + 16) {
                    Some(0) => 40,
                    Some(bits) => bits,
                    None => return Self::Unknown,
                };
                let at = header + header_size;
                match (
                    u32_at(at),
                    bytes(at + 4, 16),
                    bytes(at + 20, 16),
                    u32_at(at + 36),
                ) {
                    (Some(16), Some(salt), Some(verifier), Some(hash_size)) => {
                        match bytes(at + 40, hash_size) {
                            Some(verifier_hash) if (40..=128).contains(&key_bits) => {
                                Self::CryptoApi {
                                    key_bits,
                                    salt,
                                    verifier,
                                    verifier_hash,
                                }
                            }
                            _ => Self::Unknown,
                        }
                    }
                    _ => Self::Unknown,
                }
            }
            _ => Self::Unknown,
        }
    }

    /// Whether the file opens with the default password: its author set none to
    /// open it, only protected the workbook's structure.
    pub fn uses_default_password(&self) -> bool {
        match self {
            Self::Xor { verifier } => *verifier == xor_verifier(DEFAULT_PASSWORD),
            Self::Rc4 { .. } | Self::CryptoApi { .. } => self.checks(DEFAULT_PASSWORD),
            Self::Unknown => false,
        }
    }

    /// Whether `password` opens the file (RC4 kinds: MS-OFFCRYPTO 2.3.6.4 / 2.3.5.6).
    fn checks(&self, password: &str) -> bool {
        let (mut cipher, verifier, hash) = match self {
            Self::Rc4 {
                verifier,
                verifier_hash,
                ..
            }
            | Self::CryptoApi {
                verifier,
                verifier_hash,
                ..
            } => match self.cipher(password, 0) {
                Some(cipher) => (cipher, verifier, verifier_hash),
                None => return false,
            },
            _ => return false,
        };
        let mut both = [verifier.as_slice(), hash.as_slice()].concat();
        cipher.apply_keystream(&mut both);
        let (plain, plain_hash) = both.split_at(verifier.len());
        match self {
            Self::Rc4 { .. } => Md5::digest(plain).as_slice() == plain_hash,
            _ => Sha1::digest(plain).as_slice() == plain_hash,
        }
    }

    /// The RC4 cipher of 1024-byte block `block` of the stream.
    fn cipher(&self, password: &str, block: u32) -> Option<Rc4> {
        let password: Vec<u8> = password.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let key: Vec<u8> = match self {
            Self::Rc4 { salt, .. } => {
                let h0 = Md5::digest(&password);
                let buffer = [&h0[..5], salt.as_slice()].concat().repeat(16);
                let h1 = Md5::digest(&buffer);
                Md5::digest([&h1[..5], &block.to_le_bytes()[..]].concat()).to_vec()
            }
            Self::CryptoApi { key_bits, salt, .. } => {
                let h0 = Sha1::digest([salt.as_slice(), &password].concat());
                let hash = Sha1::digest([&h0[..], &block.to_le_bytes()[..]].concat());
                let mut key = hash[..key_bits / 8].to_vec();
                // A 40-bit key is padded to 128 bits with zeros (MS-OFFCRYPTO 2.3.5.2).
                if *key_bits == 40 {
                    key.resize(16, 0);
                }
                key
            }
            _ => return None,
        };
        Rc4::new_from_slice(&key).ok()
    }
}

/// The password verifier of XOR obfuscation, method 1 (MS-OFFCRYPTO 2.3.7.1).
fn xor_verifier(password: &str) -> u16 {
    let bytes: Vec<u8> = password.bytes().collect();
    let mut verifier: u16 = 0;
    for &b in bytes
        .iter()
        .rev()
        .chain(std::iter::once(&(bytes.len() as u8)))
    {
        let rotated = ((verifier >> 14) & 1) | ((verifier << 1) & 0x7FFF);
        verifier = rotated ^ u16::from(b);
    }
    verifier ^ 0xCE4B
}

/// The .xls with its default-password RC4 encryption lifted, as a new compound file
/// holding the plain workbook stream; `None` when the file needs a real password or
/// uses a kind this reader does not decrypt.
pub fn decrypt_default(biff: &Biff) -> Option<Vec<u8>> {
    let encryption = Encryption::parse(biff.filepass.as_deref()?);
    if !matches!(
        encryption,
        Encryption::Rc4 { .. } | Encryption::CryptoApi { .. }
    ) || !encryption.uses_default_password()
    {
        return None;
    }
    let mut stream = biff.stream.clone();
    let mut block = u32::MAX;
    let mut keystream = [0u8; 1024];
    let mut at = 0usize;
    while let Some(head) = stream.get(at..at + 4) {
        let kind = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let end = (at + 4 + len).min(stream.len());
        // These records, and a BOUNDSHEET's stream offset, are never encrypted.
        let plain_head = match kind {
            BOF | FILEPASS | 0x0194 | 0x0195 | 0x00E1 | 0x0196 | 0x0138 => len,
            BOUNDSHEET => 4,
            _ => 0,
        };
        for pos in at + 4 + plain_head.min(len)..end {
            let this_block = u32::try_from(pos / 1024).ok()?;
            if this_block != block {
                block = this_block;
                keystream = [0; 1024];
                encryption
                    .cipher(DEFAULT_PASSWORD, block)?
                    .apply_keystream(&mut keystream);
            }
            stream[pos] ^= keystream[pos % 1024];
        }
        if kind == FILEPASS {
            // Left in place, the record would make calamine refuse the file: it
            // becomes an unknown record of the same length, so no offset moves.
            stream[at..end].fill(0);
            stream[at + 2..at + 4].copy_from_slice(&(len as u16).to_le_bytes());
        }
        at = end;
    }
    let mut container =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new())).ok()?;
    let name = if biff.biff8 { "Workbook" } else { "Book" };
    container
        .create_stream(name)
        .and_then(|mut s| s.write_all(&stream))
        .ok()?;
    container.flush().ok()?;
    Some(container.into_inner().into_inner())
}

/// How many cells calamine would allocate for a workbook stream: the sum over sheets
/// of the rectangle spanned by their cell records.
pub fn dense_cells(stream: &[u8]) -> u64 {
    // calamine reads each sheet from the offset its BOUNDSHEET record gives, so a
    // corrupt offset makes it read records out of step: measure from there too.
    let mut offsets = Vec::new();
    for (kind, data) in records(stream, 0) {
        match kind {
            BOUNDSHEET if data.len() >= 4 => {
                offsets.push(u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize)
            }
            EOF => break,
            _ => {}
        }
    }
    if offsets.is_empty() {
        offsets.push(0);
    }
    let mut total: u64 = 0;
    for offset in offsets {
        let mut reserved: u64 = 0;
        let mut span: Option<(u16, u16, u16, u16)> = None; // min row, max row, min col, max col
        for (kind, data) in records(stream, offset).skip(1) {
            match kind {
                EOF => break,
                // DIMENSIONS: calamine reserves rows × columns from it, with wrapping
                // arithmetic on a lying record (a fuzzer found 128 GB reservations).
                0x0200 => reserved = reserved.max(dimension_cells(data)),
                0x0006 | 0x00BD | 0x00BE | 0x00D6 | 0x00FD | 0x0201 | 0x0203 | 0x0204 | 0x0205
                | 0x027E
                    if data.len() >= 6 =>
                {
                    let row = u16::from_le_bytes([data[0], data[1]]);
                    let first = u16::from_le_bytes([data[2], data[3]]);
                    // MULRK and MULBLANK end with their last column.
                    let last = if matches!(kind, 0x00BD | 0x00BE) {
                        u16::from_le_bytes([data[data.len() - 2], data[data.len() - 1]]).max(first)
                    } else {
                        first
                    };
                    span = Some(match span {
                        None => (row, row, first, last),
                        Some((r0, r1, c0, c1)) => {
                            (r0.min(row), r1.max(row), c0.min(first), c1.max(last))
                        }
                    });
                }
                _ => {}
            }
        }
        let cells = span.map_or(0, |(r0, r1, c0, c1)| {
            (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1)
        });
        total = total.saturating_add(cells.max(reserved));
    }
    total
}

/// BIFF records (type, data) from `offset`, stopping at one that runs past the end.
fn records(stream: &[u8], offset: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = offset;
    std::iter::from_fn(move || {
        let head = stream.get(at..at.checked_add(4)?)?;
        let kind = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((kind, data))
    })
}

/// The cells calamine 0.38 reserves for a DIMENSIONS record (its `parse_dimensions`
/// and `reserve(rows * cols)`, wrapping as a release build does).
fn dimension_cells(data: &[u8]) -> u64 {
    let u16_at = |i: usize| u32::from(u16::from_le_bytes([data[i], data[i + 1]]));
    let u32_at = |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    let (rf, rl, mut cf, cl) = match data.len() {
        10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
        14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
        _ => return 0,
    };
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    if rl == 0 || cl == 0 {
        return 1;
    }
    let rows = u64::from((rl - 1).wrapping_sub(rf).wrapping_add(1));
    let cols = u64::from((cl - 1).wrapping_sub(cf).wrapping_add(1));
    rows.saturating_mul(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_passwords_xor_verifier() {
        // MS-OFFCRYPTO's value for VelvetSweatshop, as msoffcrypto-tool computes it.
        assert_eq!(xor_verifier(DEFAULT_PASSWORD), 0x9A0A);
    }

    #[test]
    fn filepass_kinds() {
        assert_eq!(
            Encryption::parse(&[0xab, 0x1c, 0x8f, 0xc5]),
            Encryption::Xor { verifier: 0xc58f }
        );
        assert_eq!(
            Encryption::parse(&[0, 0, 0x4a, 0x51, 0x1a, 0xcc]),
            Encryption::Xor { verifier: 0xcc1a }
        );
        assert_eq!(Encryption::parse(&[1, 0, 9, 0, 9, 0]), Encryption::Unknown);
        assert!(matches!(
            Encryption::parse(&[[1u8, 0, 1, 0, 1, 0].as_slice(), &[7; 48]].concat()),
            Encryption::Rc4 { .. }
        ));
    }
}
