import { defaultRejectedRowsName, readUploadAnswer, rejectedRowsPath, uploadPath, uploadProgressText } from './import-files';

describe('import files', () => {
  it('addresses the gateway\'s import routes', () => {
    expect(uploadPath('december 2010.csv.gz')).toBe('/imports?name=december%202010.csv.gz');
    expect(rejectedRowsPath('6f1c/2a')).toBe('/imports/6f1c%2F2a/rejected.csv');
    expect(defaultRejectedRowsName('6f1c2a9e-0b7d')).toBe('import-6f1c2a9e-0b7d-rejected.csv');
  });

  it('tells the upload\'s progress', () => {
    expect(uploadProgressText('a.csv.gz', 0, 3 * 1024 * 1024)).toBe('Uploading a.csv.gz: 0% (0 B of 3 MiB)');
    expect(uploadProgressText('a.csv.gz', 1.5 * 1024 * 1024, 3 * 1024 * 1024)).toBe('Uploading a.csv.gz: 50% (1.5 MiB of 3 MiB)');
    expect(uploadProgressText('a.csv.gz', 3 * 1024 * 1024, 3 * 1024 * 1024)).toBe('Uploaded a.csv.gz (3 MiB); starting the import…');
    expect(uploadProgressText('a.csv.gz', 0, 0)).toBe('Uploading a.csv.gz…');
  });

  it('reads a started import', () => {
    expect(readUploadAnswer(202, JSON.stringify({ job: { id: 'j1', status: 'RUNNING', source: 'upload:a.csv' } }))).toEqual({ ok: true, job: { id: 'j1', status: 'RUNNING', source: 'upload:a.csv' } });
  });

  it('says why a file was refused', () => {
    const error = (message: string, code: string) => JSON.stringify({ errors: [{ message, extensions: { code } }] });
    expect(readUploadAnswer(413, error('the upload is larger than 209715200 bytes (SEG_MAX_UPLOAD_BYTES)', 'PAYLOAD_TOO_LARGE'))).toEqual({
      ok: false,
      problem: { kind: 'invalid', code: 'PAYLOAD_TOO_LARGE', message: 'The file is too large: the upload is larger than 209715200 bytes (SEG_MAX_UPLOAD_BYTES).' },
    });
    expect(readUploadAnswer(413, '<html>nginx</html>')).toMatchObject({ ok: false, problem: { kind: 'invalid', message: 'The file is too large: the gateway refused it (HTTP 413).' } });
    expect(readUploadAnswer(400, error('the request has no body', 'EMPTY_BODY'))).toMatchObject({ ok: false, problem: { kind: 'invalid', code: 'EMPTY_BODY' } });
    const missing = readUploadAnswer(422, JSON.stringify({ job: { id: 'j2', status: 'FAILED', source: 'upload:b.csv', error: 'x' }, errors: [{ message: 'required column "UnitPrice" is missing', extensions: { code: 'MISSING_COLUMN' } }] }));
    expect(missing).toEqual({ ok: false, problem: { kind: 'invalid', code: 'MISSING_COLUMN', message: 'The file cannot be imported (import j2 failed): required column "UnitPrice" is missing' } });
    expect(readUploadAnswer(403, error('uploads need the admin role; you have marketer', 'FORBIDDEN'))).toMatchObject({ ok: false, problem: { kind: 'forbidden' } });
    expect(readUploadAnswer(401, error('unknown API key', 'UNAUTHENTICATED'))).toMatchObject({ ok: false, problem: { kind: 'unauthenticated' } });
    expect(readUploadAnswer(502, '')).toMatchObject({ ok: false, problem: { kind: 'network' } });
  });
});
