import { defaultExportName, exportPath, fileNameFromDisposition, safeFileName } from './csv-export';

describe('the CSV export', () => {
  it('asks the gateway\'s export route for the segment', () => {
    expect(exportPath('m3-1')).toBe('/exports/segments/m3-1/customers.csv');
    expect(exportPath('a/b')).toBe('/exports/segments/a%2Fb/customers.csv');
  });

  it('names the file after the segment, safely', () => {
    expect(defaultExportName('At Risk')).toBe('segment-at-risk-customers.csv');
    expect(defaultExportName('Cannot Lose Them!')).toBe('segment-cannot-lose-them-customers.csv');
    expect(safeFileName('../../etc/passwd')).toBe('etc-passwd');
    expect(safeFileName('Café Über')).toBe('Cafe-Uber');
    expect(safeFileName('///')).toBe('export');
  });

  it('takes the server\'s file name when it sends one', () => {
    expect(fileNameFromDisposition('attachment; filename="segment-m3-1.csv"', 'x.csv')).toBe('segment-m3-1.csv');
    expect(fileNameFromDisposition("attachment; filename=plain.csv; filename*=UTF-8''At%20Risk.csv", 'x.csv')).toBe('At-Risk.csv');
    expect(fileNameFromDisposition('attachment', 'x.csv')).toBe('x.csv');
    expect(fileNameFromDisposition(null, 'x.csv')).toBe('x.csv');
  });
});
