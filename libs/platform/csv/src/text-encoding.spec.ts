import { createTextDecoder, validUtf8Prefix, type CsvEncoding } from './text-encoding';

function decode(requested: CsvEncoding, chunks: readonly number[][]): { text: string; report: ReturnType<ReturnType<typeof createTextDecoder>['report']> } {
  const decoder = createTextDecoder(requested);
  let text = '';
  for (const chunk of chunks) text += decoder.write(Uint8Array.from(chunk));
  text += decoder.end();
  return { text, report: decoder.report() };
}

const bytes = (text: string, encoding: BufferEncoding): number[] => [...Buffer.from(text, encoding)];

describe('validUtf8Prefix', () => {
  it('accepts ASCII and well-formed multi-byte sequences', () => {
    expect(validUtf8Prefix(Buffer.from('abc'))).toEqual({ validLength: 3, invalidAt: null, nonAscii: false });
    expect(validUtf8Prefix(Buffer.from('é£€😀'))).toEqual({ validLength: 11, invalidAt: null, nonAscii: true });
  });

  it.each([
    ['a lone continuation byte', [0x41, 0x80]],
    ['an overlong form', [0x41, 0xc0, 0xaf]],
    ['a surrogate', [0x41, 0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0x41, 0xf4, 0x90, 0x80, 0x80]],
    ['Latin-1 é before ASCII', [0x41, 0xe9, 0x74]],
  ])('finds %s at its first byte', (_name, input) => {
    expect(validUtf8Prefix(Uint8Array.from(input))).toMatchObject({ validLength: 1, invalidAt: 1 });
  });

  it('tells a sequence cut off by the end from an ill-formed one', () => {
    expect(validUtf8Prefix(Uint8Array.from([0x41, 0xe2, 0x82]))).toEqual({ validLength: 1, invalidAt: null, nonAscii: false });
  });
});

describe('createTextDecoder', () => {
  it('reads UTF-8 with a character split across chunks', () => {
    const euro = bytes('1€', 'utf8'); // 31 e2 82 ac
    const result = decode('auto', [euro.slice(0, 2), euro.slice(2)]);
    expect(result.text).toBe('1€');
    expect(result.report).toEqual({ requested: 'auto', used: 'utf-8', switchedAtByte: null, mixed: false });
  });

  it('switches to ISO-8859-1 at the first byte that is not UTF-8', () => {
    const input = [...bytes('Desc\nCAFÉ', 'latin1'), ...bytes(' crème', 'latin1')];
    const result = decode('auto', [input.slice(0, 7), input.slice(7)]);
    expect(result.text).toBe('Desc\nCAFÉ crème');
    expect(result.report).toEqual({ requested: 'auto', used: 'iso-8859-1', switchedAtByte: 8, mixed: false });
  });

  it('treats a sequence cut off by the end of the file as ISO-8859-1', () => {
    const result = decode('auto', [bytes('ok ', 'utf8'), [0xc3]]);
    expect(result.text).toBe('ok Ã');
    expect(result.report.used).toBe('iso-8859-1');
    expect(result.report.switchedAtByte).toBe(3);
  });

  it('says when valid UTF-8 came before the switch (a file that mixes encodings)', () => {
    const result = decode('auto', [[...bytes('é', 'utf8'), ...bytes('é', 'latin1')]]);
    expect(result.text).toBe('éé');
    expect(result.report.mixed).toBe(true);
  });

  it('reads every byte as ISO-8859-1 when asked, even bytes that form UTF-8', () => {
    expect(decode('latin1', [bytes('é', 'utf8')]).text).toBe('Ã©');
  });

  it('replaces ill-formed bytes with U+FFFD when UTF-8 is forced', () => {
    const result = decode('utf8', [[0x41, 0xe9, 0x42]]);
    expect(result.text).toBe('A\uFFFDB');
    expect(result.report.used).toBe('utf-8');
  });
});

describe('createTextDecoder at every chunk boundary', () => {
  // Two-, three- and four-byte characters next to ASCII, cut at every byte.
  const text = 'InvoiceNo,Description\n1,CRÈME £2 € 😀 end\n';

  it('reads UTF-8 the same wherever the chunks are cut', () => {
    const input = bytes(text, 'utf8');
    for (let cut = 0; cut <= input.length; cut++) {
      const result = decode('auto', [input.slice(0, cut), input.slice(cut)]);
      expect({ cut, text: result.text, used: result.report.used }).toEqual({ cut, text, used: 'utf-8' });
    }
  });

  it('finds the same first non-UTF-8 byte wherever the chunks are cut', () => {
    const latin = 'InvoiceNo,Description\n1,CRÈME £2\n';
    const input = bytes(latin, 'latin1');
    const first = latin.indexOf('È');
    for (let cut = 0; cut <= input.length; cut++) {
      const result = decode('auto', [input.slice(0, cut), input.slice(cut)]);
      expect({ cut, text: result.text, report: result.report }).toEqual({ cut, text: latin, report: { requested: 'auto', used: 'iso-8859-1', switchedAtByte: first, mixed: false } });
    }
  });

  it('holds back a byte that can never start UTF-8 at a chunk end, then switches at it', () => {
    const result = decode('auto', [[0x41, 0xf8], [0x42]]);
    expect(result.text).toBe('A\u00f8B');
    expect(result.report).toMatchObject({ used: 'iso-8859-1', switchedAtByte: 1 });
  });
});
