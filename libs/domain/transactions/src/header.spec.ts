import { resolveHeader } from './header';

describe('resolveHeader', () => {
  it('maps the UCI Online Retail header in place', () => {
    const result = resolveHeader([
      'InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country',
    ]);
    expect(result).toEqual({
      ok: true,
      value: {
        InvoiceNo: 0, StockCode: 1, Description: 2, Quantity: 3, InvoiceDate: 4, UnitPrice: 5, CustomerID: 6, Country: 7,
        fieldCount: 8,
      },
    });
  });

  it('accepts the Online Retail II aliases (Invoice, Price, Customer ID) in any order and case', () => {
    const result = resolveHeader(['invoice', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'PRICE', ' Customer ID ', 'Country']);
    expect(result.ok && result.value).toMatchObject({ InvoiceNo: 0, UnitPrice: 5, CustomerID: 6 });
  });

  it('strips a UTF-8 byte-order mark from the first cell, also when it was read as ISO-8859-1', () => {
    const utf8 = resolveHeader(['\uFEFFInvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
    const latin1 = resolveHeader(['ï»¿InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
    expect(utf8.ok && utf8.value.InvoiceNo).toBe(0);
    expect(latin1.ok && latin1.value.InvoiceNo).toBe(0);
  });

  it('lets Description be absent and ignores unknown columns', () => {
    const result = resolveHeader(['Country', 'Extra', 'CustomerID', 'UnitPrice', 'InvoiceDate', 'Quantity', 'StockCode', 'InvoiceNo']);
    expect(result.ok && result.value).toMatchObject({ Description: undefined, Country: 0, InvoiceNo: 7, fieldCount: 8 });
  });

  it('names the missing column and its aliases', () => {
    const result = resolveHeader(['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'CustomerID', 'Country']);
    expect(result).toEqual({
      ok: false,
      error: { code: 'MISSING_COLUMN', column: 'UnitPrice', message: 'required column "UnitPrice" (or Price) is missing' },
    });
  });

  it('requires CustomerID as a column even though its cells may be empty', () => {
    const result = resolveHeader(['InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'UnitPrice', 'Country']);
    expect(!result.ok && result.error.message).toBe('required column "CustomerID" (or Customer ID) is missing');
  });

  it('refuses a column given twice under two aliases', () => {
    const result = resolveHeader(['InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'UnitPrice', 'Price', 'CustomerID', 'Country']);
    expect(result).toEqual({
      ok: false,
      error: { code: 'DUPLICATE_COLUMN', column: 'UnitPrice', message: 'column "UnitPrice" is given twice (as "UnitPrice" and "Price")' },
    });
  });
});
