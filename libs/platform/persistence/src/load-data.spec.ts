import type { Readable } from 'node:stream';
import { infileField, infileOf, InfileBuffers } from './load-data';

const read = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

describe('InfileBuffers (the pool\'s infileStreamFactory)', () => {
  it('serves a registered buffer once, under a random name, in packets of at most 64 KiB', async () => {
    const buffers = new InfileBuffers();
    const data = Buffer.alloc(200_000, 'x');
    const name = buffers.register(data);
    expect(name).toMatch(/^seg-infile-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(buffers.register(data)).not.toBe(name);
    const stream = buffers.open(name);
    const sizes: number[] = [];
    stream.on('data', (chunk: Buffer) => sizes.push(chunk.length));
    expect(await read(stream)).toEqual(data);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024);
    await expect(read(buffers.open(name))).rejects.toThrow(`refusing LOAD DATA LOCAL INFILE "${name}"`);
  });

  it('refuses names it did not register, paths included, and released ones', async () => {
    const buffers = new InfileBuffers();
    for (const name of ['/etc/passwd', 'package.json', 'seg-infile-00000000-0000-4000-8000-000000000000', '']) {
      await expect(read(buffers.open(name))).rejects.toThrow(`refusing LOAD DATA LOCAL INFILE ${JSON.stringify(name)}`);
    }
    const name = buffers.register(Buffer.from('a\n'));
    buffers.release(name);
    await expect(read(buffers.open(name))).rejects.toThrow('refusing');
    // Another data source's buffers are not served either.
    const other = new InfileBuffers();
    const theirs = other.register(Buffer.from('b\n'));
    await expect(read(buffers.open(theirs))).rejects.toThrow('refusing');
  });
});

describe('infileField', () => {
  it('escapes backslash, tab, newline, carriage return and NUL, and nothing else', () => {
    expect(infileField('plain Côte d’Ivoire £ 🙂')).toBe('plain Côte d’Ivoire £ 🙂');
    expect(infileField('a\tb\nc\rd\0e\\f')).toBe('a\\tb\\nc\\rd\\0e\\\\f');
    expect(infileField('\\N')).toBe('\\\\N');
    expect(infileField('NULL')).toBe('NULL');
    expect(infileField('')).toBe('');
    expect(infileField('\x1a\b"\'')).toBe('\x1a\b"\'');
  });
});

describe('infileOf', () => {
  it('writes each row and a newline in UTF-8, growing past its first guess', () => {
    const rows = ['', 'a\tb', 'Côte d’Ivoire\t£', '🙂'.repeat(500), 'x'.repeat(10_000), 'last'];
    expect(infileOf(rows, (row) => row)).toEqual(Buffer.from(`${rows.join('\n')}\n`, 'utf8'));
    expect(infileOf([], (row: string) => row)).toEqual(Buffer.alloc(0));
  });
});
