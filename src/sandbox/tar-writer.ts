// A streaming ustar writer, just enough for `docker import`: directories, regular files
// and symlinks with short names. Large files come as chunk generators so that an image
// with hundreds of MiB of padding never sits in memory whole. Owner root, mtime fixed:
// the same entries always give the same bytes, hence the same layer digest.

export type TarEntry =
  | { type: 'dir'; name: string; mode: number }
  | { type: 'symlink'; name: string; target: string }
  | { type: 'file'; name: string; mode: number; size: number; content: () => Iterable<Buffer> | AsyncIterable<Buffer> };

const BLOCK = 512;
const MTIME = 946684800; // 2000-01-01: any constant keeps layers reproducible

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, mode: number, size: number, typeflag: string, linkname = ''): Buffer {
  if (Buffer.byteLength(name) > 100 || Buffer.byteLength(linkname) > 100) throw new Error(`tar name too long: ${name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0);
  h.write(octal(mode, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(MTIME, 12), 136);
  h.write('        ', 148); // checksum is computed with its own field as spaces
  h.write(typeflag, 156);
  h.write(linkname, 157);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write('root', 265);
  h.write('root', 297);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

export async function* tarStream(entries: TarEntry[]): AsyncGenerator<Buffer> {
  for (const e of entries) {
    if (e.type === 'dir') {
      yield header(e.name.endsWith('/') ? e.name : `${e.name}/`, e.mode, 0, '5');
    } else if (e.type === 'symlink') {
      yield header(e.name, 0o777, 0, '2', e.target);
    } else {
      yield header(e.name, e.mode, e.size, '0');
      let written = 0;
      for await (const chunk of e.content()) {
        written += chunk.length;
        yield chunk;
      }
      if (written !== e.size) throw new Error(`tar entry ${e.name}: wrote ${written} bytes, declared ${e.size}`);
      const pad = (BLOCK - (e.size % BLOCK)) % BLOCK;
      if (pad > 0) yield Buffer.alloc(pad);
    }
  }
  yield Buffer.alloc(BLOCK * 2);
}
