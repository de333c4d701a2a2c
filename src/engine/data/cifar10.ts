// CIFAR-10 in the official binary layout: records of 1 label byte + 3072 planar (R, G, B) bytes.
import type { DataSplits, ImageSet } from './dataset';
import { readTarGz } from './tarGz';
import { DatasetError } from '../core/errors';

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
export const RECORD_BYTES = 3073;
const PIXELS = 1024;
/** Bytes of one .bin file at most: the whole training split (this project's train.bin subsets are smaller). */
export const MAX_CIFAR_FILE_BYTES = 50_000 * RECORD_BYTES;
/** Bytes of all the .bin files read at once at most: the whole of CIFAR-10, training and test split. */
export const MAX_CIFAR_TOTAL_BYTES = 60_000 * RECORD_BYTES;

/** Parses one .bin file; throws DatasetError naming the file and byte offset of the first defect. */
export function parseCifarBin(bytes: Uint8Array, file: string): ImageSet {
  if (bytes.length === 0) throw new DatasetError(`${file}: file is empty`, file, 0);
  if (bytes.length % RECORD_BYTES !== 0) {
    const whole = Math.floor(bytes.length / RECORD_BYTES);
    throw new DatasetError(
      `${file}: ${bytes.length} bytes is not a whole number of ${RECORD_BYTES}-byte records; record ${whole} at ` +
        `byte offset ${whole * RECORD_BYTES} is truncated (${bytes.length - whole * RECORD_BYTES} of ` +
        `${RECORD_BYTES} bytes)`,
      file,
      whole * RECORD_BYTES,
    );
  }
  const n = bytes.length / RECORD_BYTES;
  const images = new Uint8Array(n * PIXELS * 3);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const off = i * RECORD_BYTES;
    const label = bytes[off];
    if (label > 9)
      throw new DatasetError(`${file}: record ${i} at byte offset ${off} has label ${label}, outside 0-9`, file, off);
    labels[i] = label;
    const o = i * PIXELS * 3;
    for (let p = 0; p < PIXELS; p++) {
      images[o + p * 3] = bytes[off + 1 + p];
      images[o + p * 3 + 1] = bytes[off + 1 + PIXELS + p];
      images[o + p * 3 + 2] = bytes[off + 1 + 2 * PIXELS + p];
    }
  }
  return { images, labels, n, size: 32 };
}

export function concatSets(sets: ImageSet[]): ImageSet {
  if (sets.length === 1) return sets[0];
  const n = sets.reduce((a, s) => a + s.n, 0);
  const images = new Uint8Array(n * 32 * 32 * 3);
  const labels = new Uint8Array(n);
  let k = 0;
  for (const s of sets) {
    images.set(s.images, k * 32 * 32 * 3);
    labels.set(s.labels, k);
    k += s.n;
  }
  return { images, labels, n, size: 32 };
}

const TRAIN_RE = /(^|\/)data_batch_[1-5]\.bin$|(^|\/)train\.bin$/;
const TEST_RE = /(^|\/)test_batch\.bin$|(^|\/)test\.bin$/;

/** A file name CIFAR-10 is read from (data_batch_1..5.bin, test_batch.bin, train.bin, test.bin). */
export const isCifarFile = (name: string): boolean => TRAIN_RE.test(name) || TEST_RE.test(name);

/** A named .bin file: its bytes, or a function that reads them (each file is then parsed as soon as it is read). */
export interface NamedBin {
  name: string;
  bytes: Uint8Array | (() => Uint8Array);
}
const parseNamed = (f: NamedBin) => parseCifarBin(typeof f.bytes === 'function' ? f.bytes() : f.bytes, f.name);

/**
 * Builds train/val splits from named .bin files (official data_batch_1..5 + test_batch, or this
 * project's train.bin/test.bin subset). The paper's "validation set" is the test split.
 */
export function splitsFromFiles(files: NamedBin[]): DataSplits {
  const train = files.filter((f) => TRAIN_RE.test(f.name)).sort((a, b) => a.name.localeCompare(b.name));
  const test = files.filter((f) => TEST_RE.test(f.name));
  if (train.length === 0)
    throw new DatasetError(
      `no training file found (expected data_batch_1..5.bin or train.bin) among: ` +
        `${files.map((f) => f.name).join(', ') || 'nothing'}`,
      '',
    );
  if (test.length === 0)
    throw new DatasetError(
      `no test file found (expected test_batch.bin or test.bin) among: ${files.map((f) => f.name).join(', ')}`,
      '',
    );
  return {
    name: 'cifar10',
    classes: CIFAR10_CLASSES,
    train: concatSets(train.map(parseNamed)),
    val: concatSets(test.map(parseNamed)),
  };
}

/** Reads the official cifar-10-binary.tar.gz, streamed (tarGz.ts): its train and test .bin files only. */
export function splitsFromTarGz(bytes: Uint8Array | Iterable<Uint8Array>, file = 'cifar-10-binary.tar.gz'): DataSplits {
  const chunks = bytes instanceof Uint8Array ? chunked(bytes, 1 << 20) : bytes;
  const files = readTarGz(chunks, file, isCifarFile);
  return splitsFromFiles(files);
}

function* chunked(b: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
