/**
 * Bad input at the edges of the API: wrong media types, broken encodings, invisible characters a
 * database cannot store, URLs of any scheme. Each gets a clear 4xx in the usual error shape and
 * creates nothing; none is a 500.
 */
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { type Stack, startStack } from '../helpers/stack';
import { openCaseBody } from '../fixtures/case-input';

const openBody = openCaseBody;

let stack: Stack;
let auth: Record<string, string>;
beforeAll(async () => {
  stack = await startStack();
  auth = await stack.auth('ent-qianshu');
});
afterAll(async () => {
  await stack?.stop();
});

const cases = () => stack.db.case.count();
const errorOf = (res: request.Response) => ({ status: res.status, code: res.body?.error?.code, fields: (res.body?.error?.issues ?? []).map((i: { field: string }) => i.field) });

describe('transport', () => {
  it('answers 415 to a body that is not JSON, naming the media type it takes', async () => {
    const res = await request(stack.app).post('/api/cases').set(auth).set('Content-Type', 'text/plain').send(JSON.stringify(openBody()));
    expect(errorOf(res)).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    expect(res.body.error.message).toMatch(/application\/json/);
    const form = await request(stack.app).post('/api/cases').set(auth).type('form').send('title=x');
    expect(form.status).toBe(415);
  });

  it('answers 405 with Allow to a method a known path does not take, and 404 to an unknown path', async () => {
    const res = await request(stack.app).delete('/api/cases/C20261123-ABCDEF').set(auth);
    expect(errorOf(res)).toMatchObject({ status: 405, code: 'method_not_allowed' });
    expect(res.headers.allow).toBe('GET');
    expect((await request(stack.app).get('/api/nowhere').set(auth)).status).toBe(404);
  });

  it('answers 400 to a broken percent-encoding in the path, not 500', async () => {
    const res = await request(stack.app).get('/api/cases/%E0%A4%A').set(auth);
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'bad_request' });
    expect(res.body.error.message).toBe('路径中的百分号编码有误：每个 %XX 须是 UTF-8 文本的一个字节');
    const inEnglish = await request(stack.app).get('/api/cases/%E0%A4%A').set(auth).set('Accept-Language', 'en');
    expect(inEnglish.body.error.message).toMatch(/path has a broken percent-encoding/);
    // also where no route reads a parameter, and before a body is read
    expect(errorOf(await request(stack.app).post('/api/cases/%ZZ/acknowledge').set(auth).send({}))).toMatchObject({ status: 400, code: 'bad_request' });
  });

  it('answers 400 to a broken percent-encoding in the query (it used to be read as U+FFFD and answered 200)', async () => {
    for (const query of ['category=%E0%A4%A', '%E0%A4%A=1', 'stage=open%']) {
      const res = await request(stack.app).get(`/api/cases?${query}`).set(auth);
      expect({ query, ...errorOf(res) }).toMatchObject({ query, status: 400, code: 'bad_request' });
      expect(res.body.error.message).toMatch(/^查询参数中的百分号编码有误/);
    }
    // a well-formed one is still read
    expect((await request(stack.app).get('/api/cases?category=%6Fther').set(auth)).status).toBe(200);
  });

  it('answers 413 naming the limit, before anything is created', async () => {
    const before = await cases();
    const big = await request(stack.app).post('/api/cases').set(auth).send(openBody({ description: 'x'.repeat(70_000) }));
    expect(errorOf(big)).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(big.body.error.message).toMatch(/64 kB/);
    expect(await cases()).toBe(before);
    const admin = await stack.auth('admin');
    const codec = await request(stack.app).post('/api/codec/decode').set(admin).send({ payloads: [{ data: 'A'.repeat(4_300_000) }] });
    expect(errorOf(codec)).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(codec.body.error.message).toMatch(/4 MB/);
  });

  it('answers 415 to a JSON body in a charset other than UTF-8', async () => {
    const res = await request(stack.app).post('/api/cases').set(auth).set('Content-Type', 'application/json; charset=latin1').send(JSON.stringify(openBody()));
    expect(errorOf(res)).toMatchObject({ status: 415, code: 'unsupported_encoding' });
  });

  it('answers 415 to a department callback that is not JSON, before its signature is looked at', async () => {
    const res = await request(stack.app).post('/api/departments/dept-market/callback').set('Content-Type', 'text/plain').send('action=accept');
    expect(errorOf(res)).toMatchObject({ status: 415, code: 'unsupported_media_type' });
  });

  it('answers errors in JSON even to a caller that asks for HTML', async () => {
    for (const res of [
      await request(stack.app).get('/api/cases/%E0%A4%A').set(auth).set('Accept', 'text/html'),
      await request(stack.app).get('/api/nowhere').set('Accept', 'text/html'),
      await request(stack.app).post('/api/cases').set(auth).set('Accept', 'text/html').set('Content-Type', 'application/json').send('{"title":'),
    ]) {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String), requestId: expect.any(String) }));
      expect(res.text).not.toMatch(/<html|at .*\.ts:\d+/i);
    }
  });

  it('answers 400 to a body that claims gzip and is not, and 415 to an encoding it does not speak', async () => {
    const bogus = await request(stack.app).post('/api/cases').set(auth).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(JSON.stringify(openBody()));
    expect(errorOf(bogus)).toMatchObject({ status: 400 });
    const unknown = await request(stack.app).post('/api/cases').set(auth).set('Content-Type', 'application/json').set('Content-Encoding', 'br-nope').send(JSON.stringify(openBody()));
    expect(errorOf(unknown)).toMatchObject({ status: 415, code: 'unsupported_encoding' });
    // real gzip is fine
    const zipped = await request(stack.app)
      .post('/api/cases')
      .set(auth)
      .set('Content-Type', 'application/json').set('Content-Encoding', 'gzip')
      // as bytes: superagent would JSON-encode a Buffer sent with a JSON content type
      .serialize((bytes: Buffer) => bytes as never)
      .send(gzipSync(JSON.stringify(openBody({ title: 'gzip 诉求' }))) as never);
    expect([zipped.status, zipped.body.error]).toEqual([201, undefined]);
  });
});

describe('text a database cannot keep', () => {
  it.each([
    ['a NUL in the description', { description: '停车\u0000困难' }, 'body.description'],
    ['a lone surrogate in the title', { title: '停车\ud800位' }, 'body.title'],
    ['a bell character in the contact name', { contact: { name: '周\u0007经理', phone: '13900000001' } }, 'body.contact.name'],
    ['a line break in the title', { title: '停车\n位' }, 'body.title'],
    ['a C1 control character in the description', { description: '停车\u0085困难' }, 'body.description'],
  ])('refuses %s with 400 naming the field, creating nothing', async (_what, overrides, field) => {
    const before = await cases();
    const res = await request(stack.app).post('/api/cases').set(auth).send(openBody(overrides));
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'validation_failed', fields: [field] });
    expect(res.body.error.issues[0].message).toMatch(/不能包含控制字符|须为有效的 Unicode 文本/);
    expect(await cases()).toBe(before);
  });

  it('keeps line breaks (CR LF too) and tabs in free text', async () => {
    const res = await request(stack.app).post('/api/cases').set(auth).send(openBody({ description: '第一行\r\n第二行\t（附表）' }));
    expect(res.status).toBe(201);
    expect(res.body.request.description).toBe('第一行\r\n第二行\t（附表）');
  });
});

describe('ids and filters a database cannot keep', () => {
  it.each([
    ['a NUL in a department id', 'manager-town', '/api/departments/dept%00market/tasks', 'params.id'],
    ['a NUL in an audit filter', 'admin', '/api/audit?target=case%3A%00', 'query.target'],
    ['a control character in an incident filter', 'admin', '/api/admin/incidents?caseId=C%07', 'query.caseId'],
  ])('refuses %s with 400 naming it', async (_what, who, url, field) => {
    const res = await request(stack.app).get(url).set(await stack.auth(who));
    expect(errorOf(res)).toMatchObject({ status: 400, code: 'validation_failed', fields: [field] });
  });
});

describe('attachment URLs', () => {
  it.each(['javascript:alert(1)', 'file:///etc/passwd', 'ftp://files.example/x'])('refuses %s: only http(s)', async (url) => {
    const staff = await stack.auth('staff-market');
    const res = await request(stack.app)
      .post('/api/cases/C20261123-ABCDEF/department-reply')
      .set(staff)
      .send({ text: '已处理', attachments: [{ name: '回复.pdf', url }] });
    expect(errorOf(res)).toMatchObject({ status: 400, fields: ['body.attachments.0.url'] });
  });
});
