// cifar-10-binary.tar.gz read as a stream: gunzip and untar chunk by chunk, keeping only the .bin
// entries CIFAR-10 needs, with limits on the inflated size, the number of entries and the size of
// each, so a damaged or hostile archive fails fast with a message instead of filling memory. The
// gzip trailer (CRC-32 and length) is checked: a flipped byte is an error, not different pixels.
import { Gunzip } from 'fflate';
import { DatasetError } from '../core/errors';

export interface ArchiveLimits {
  /** Bytes of tar stream inflated in all (the official archive: 184 MB). */
  maxInflated: number;
  /** Bytes of one kept entry (a CIFAR-10 batch: 30.7 MB). */
  maxEntry: number;
  /** Entries of any kind in the tar stream. */
  maxEntries: number;
}

export const CIFAR_ARCHIVE_LIMITS: ArchiveLimits = { maxInflated: 200_000_000, maxEntry: 32_000_000, maxEntries: 64 };

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (the gzip one), continued from `crc`. */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}

const text = (b: Uint8Array, from: number, len: number) => {
  let s = '';
  for (let i = from; i < from + len && b[i] !== 0; i++) s += String.fromCharCode(b[i]);
  return s;
};
const octal = (b: Uint8Array, from: number, len: number) => parseInt(text(b, from, len).trim() || '0', 8);

/** Incremental tar reader: feed it bytes; it calls `onFile` for every regular file `keep` accepts. */
class TarStream {
  private header = new Uint8Array(512);
  private headerFill = 0;
  private remaining = 0; // data bytes of the current entry still to come
  private padding = 0;
  private current: { name: string; data: Uint8Array; fill: number } | undefined;
  entries = 0;
  ended = false;
  private kept = 0;
  constructor(
    private readonly file: string,
    private readonly limits: ArchiveLimits,
    private readonly keep: (name: string) => boolean,
    private readonly onFile: (name: string, data: Uint8Array) => void,
  ) {}

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.ended) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - i);
        if (this.current) {
          this.current.data.set(chunk.subarray(i, i + n), this.current.fill);
          this.current.fill += n;
        }
        this.remaining -= n;
        i += n;
        if (this.remaining === 0 && this.current) {
          this.onFile(this.current.name, this.current.data);
          this.current = undefined;
        }
      } else if (this.padding > 0) {
        const n = Math.min(this.padding, chunk.length - i);
        this.padding -= n;
        i += n;
      } else {
        const n = Math.min(512 - this.headerFill, chunk.length - i);
        this.header.set(chunk.subarray(i, i + n), this.headerFill);
        this.headerFill += n;
        i += n;
        if (this.headerFill === 512) {
          this.headerFill = 0;
          this.readHeader();
        }
      }
    }
  }

  private readHeader(): void {
    const h = this.header;
    if (h.every((b) => b === 0)) {
      this.ended = true; // end-of-archive block
      return;
    }
    if (++this.entries > this.limits.maxEntries)
      throw new DatasetError(
        `${this.file}: more than ${this.limits.maxEntries} entries in the archive (the limit); it is not CIFAR-10`,
        this.file,
      );
    const magic = text(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? text(h, 345, 155) : '';
    const name = (prefix ? `${prefix}/` : '') + text(h, 0, 100);
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] || 48);
    if (!Number.isFinite(size) || size < 0)
      throw new DatasetError(`${this.file}: entry "${name.slice(0, 80)}" has an unreadable size`, this.file);
    this.remaining = size;
    this.padding = (512 - (size % 512)) % 512;
    // Only regular files with a plain relative name: absolute paths and '..' are never used.
    const safe = !name.startsWith('/') && !name.split('/').includes('..');
    if ((type === '0' || type === '\0') && safe && this.keep(name)) {
      if (size > this.limits.maxEntry)
        throw new DatasetError(
          `${this.file}: entry "${name.slice(0, 80)}" is ${size.toLocaleString('en')} bytes, ` +
            `over the ${this.limits.maxEntry.toLocaleString('en')}-byte limit for one file`,
          this.file,
        );
      // Kept entries are allocated at their header: their declared sizes together stay within the inflate limit.
      this.kept += size;
      if (this.kept > this.limits.maxInflated)
        throw new DatasetError(
          `${this.file}: its CIFAR-10 entries declare more than ${this.limits.maxInflated.toLocaleString('en')} ` +
            `bytes (the limit; CIFAR-10 is 184 MB)`,
          this.file,
        );
      this.current = { name, data: new Uint8Array(size), fill: 0 };
      if (size === 0) {
        this.onFile(name, this.current.data);
        this.current = undefined;
      }
    }
  }
}

/**
 * Compressed bytes handed to the inflater at a time. fflate inflates everything it is given in one push before its
 * callback can count a byte, and DEFLATE expands at most ~1032×: 16 KiB in yields at most ~17 MB out, so the size
 * limit stops a bomb within 17 MB of the limit instead of a whole 1 MB read's 1 GB.
 */
const INFLATE_SLICE = 16 * 1024;
/** Compressed bytes kept to find each gzip member's trailer (a member's header is at most this long). */
const HISTORY = 64 * 1024;

/** The last HISTORY compressed bytes, by absolute offset: where the trailers of the gzip members are read. */
class History {
  private readonly buf = new Uint8Array(HISTORY);
  end = 0;
  add(b: Uint8Array): void {
    for (let i = Math.max(0, b.length - HISTORY); i < b.length; i++) this.buf[(this.end + i) % HISTORY] = b[i];
    this.end += b.length;
  }
  /** The 8-byte trailer (CRC-32, length mod 2^32) that ends at `offset`, or undefined if no longer held. */
  trailer(offset: number): { crc: number; length: number } | undefined {
    if (offset < 8 || offset > this.end || offset - 8 < this.end - HISTORY) return undefined;
    const at = (i: number) => this.buf[(offset - 8 + i) % HISTORY];
    const u32 = (i: number) => (at(i) | (at(i + 1) << 8) | (at(i + 2) << 16) | (at(i + 3) << 24)) >>> 0;
    return { crc: u32(0), length: u32(4) };
  }
}

/** Checks one gzip member's data (CRC-32 and length) against its trailer. */
function checkMember(file: string, member: { crc: number; length: number }, trailer?: { crc: number; length: number }) {
  if (!trailer) throw new DatasetError(`${file}: a gzip member's header is too long to be CIFAR-10`, file);
  if (trailer.length !== member.length >>> 0)
    throw new DatasetError(
      `${file}: the gzip trailer says ${trailer.length.toLocaleString('en')} bytes, ` +
        `${member.length.toLocaleString('en')} were inflated: the file is damaged`,
      file,
    );
  if (trailer.crc !== member.crc)
    throw new DatasetError(
      `${file}: CRC-32 mismatch (trailer ${trailer.crc.toString(16)}, data ${member.crc.toString(16)}): ` +
        `the file is damaged`,
      file,
    );
}

/**
 * Streams a .tar.gz: `chunks` are the compressed bytes in order (one Uint8Array, or pieces read from disk). Returns
 * the kept files. Throws DatasetError naming the file and the limit or defect. A gzip file may hold several members
 * (concatenated gzip streams, as `cat a.gz b.gz` or pigz make): each member's CRC-32 and length are checked.
 */
export function readTarGz(
  chunks: Iterable<Uint8Array>,
  file: string,
  keep: (name: string) => boolean,
  limits = CIFAR_ARCHIVE_LIMITS,
): { name: string; bytes: Uint8Array }[] {
  const files: { name: string; bytes: Uint8Array }[] = [];
  const tar = new TarStream(file, limits, keep, (name, bytes) => files.push({ name, bytes }));
  const history = new History();
  let inflated = 0;
  let member = { crc: 0, length: 0 };
  let error: unknown;
  const gz = new Gunzip((data) => {
    if (error) return;
    try {
      inflated += data.length;
      if (inflated > limits.maxInflated)
        throw new DatasetError(
          `${file}: inflates to more than ${limits.maxInflated.toLocaleString('en')} bytes (the limit; CIFAR-10 ` +
            `is 184 MB): not the CIFAR-10 archive, or a decompression bomb`,
          file,
        );
      member.crc = crc32(data, member.crc);
      member.length += data.length;
      tar.push(data);
    } catch (e) {
      error = e;
    }
  });
  // A new member starts at `offset`: every byte of the one before has been inflated, its trailer ends there.
  gz.onmember = (offset) => {
    if (error) return;
    try {
      checkMember(file, member, history.trailer(offset));
      member = { crc: 0, length: 0 };
    } catch (e) {
      error = e;
    }
  };
  try {
    for (const chunk of chunks) {
      for (let i = 0; i < chunk.length && !error; i += INFLATE_SLICE) {
        const slice = chunk.subarray(i, i + INFLATE_SLICE);
        history.add(slice);
        gz.push(slice);
      }
      if (error) throw error;
    }
    gz.push(new Uint8Array(0), true);
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(
      `${file}: not a valid gzip stream (${(e as Error).message}); the download may be truncated or damaged`,
      file,
    );
  }
  if (error) throw error;
  if (history.end < 18) throw new DatasetError(`${file}: too short to be a gzip file`, file);
  checkMember(file, member, history.trailer(history.end));
  return files;
}
