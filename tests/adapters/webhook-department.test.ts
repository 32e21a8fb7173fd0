import { portalConnector, webhookConnector } from '../../src/adapters/department-connector';
import { sign, signedHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../../src/adapters/signing';
import { silentLogger } from '../../src/logger';
import { startHttpSink } from '../helpers/http-sink';

const SECRET = 'shared-secret-of-the-market-bureau';
const context = { caseId: 'C20261122-ABCDEF', title: '店招审批', category: '其他', buildingName: '天安千树大厦', enterpriseName: '上海千树信息科技有限公司', stage: 'in_progress', ownerName: '陈静', ownerLevel: '点楼长' };
const delivery = (webhookUrl: string | null, webhookSecret: string | null = SECRET) => ({
  caseId: 'C20261122-ABCDEF',
  task: 0,
  role: 'lead' as const,
  department: { id: 'dept-market', name: '市场监管所', contact: null, webhookUrl, webhookSecret },
  subject: '楼长制诉求派单',
  body: '诉求编号：C20261122-ABCDEF',
  context,
});

describe('webhook signatures', () => {
  const body = '{"caseId":"C1","action":"accept"}';
  const now = Date.parse('2026-11-22T02:00:00Z');

  it('verify what sign produced, and nothing else', () => {
    const headers = signedHeaders(SECRET, body, now);
    const given = { signature: headers[SIGNATURE_HEADER], timestamp: headers[TIMESTAMP_HEADER] };
    expect(verify(SECRET, given, body, now)).toBe('ok');
    expect(verify(SECRET, given, body.replace('accept', 'return'), now)).toBe('mismatch');
    expect(verify('another-secret', given, body, now)).toBe('mismatch');
    expect(verify(SECRET, given, body, now + 301_000)).toBe('stale');
    expect(verify(SECRET, { timestamp: given.timestamp }, body, now)).toBe('missing');
    expect(verify(SECRET, { ...given, signature: 'sha256=00' }, body, now)).toBe('mismatch');
  });

  it('sign over "<timestamp>.<body>" with HMAC-SHA256, as documented for departments', () => {
    const { createHmac } = require('node:crypto') as typeof import('node:crypto');
    expect(sign(SECRET, 1795000000, body)).toBe(`sha256=${createHmac('sha256', SECRET).update(`1795000000.${body}`).digest('hex')}`);
  });
});

describe('webhook department adapter against a real HTTP server', () => {
  it('POSTs the case, signed, with an idempotency key and the callback URL; the department can verify it', async () => {
    const sink = await startHttpSink(() => ({ status: 202, body: { reference: 'SCJG-2026-0001' } }));
    try {
      const connector = webhookConnector({ publicUrl: 'https://steward.district.example', logger: silentLogger });
      expect(await connector.deliver(delivery(`${sink.url}/intake`))).toEqual({ reference: 'SCJG-2026-0001' });
      const [req] = sink.received;
      expect(req).toMatchObject({ method: 'POST', url: '/intake', headers: { 'content-type': 'application/json', 'idempotency-key': 'C20261122-ABCDEF:0' } });
      // what the department's system does on its side
      expect(verify(SECRET, { signature: req!.headers[SIGNATURE_HEADER] as string, timestamp: req!.headers[TIMESTAMP_HEADER] as string }, req!.body)).toBe('ok');
      expect(JSON.parse(req!.body)).toMatchObject({
        event: 'case.dispatched',
        caseId: 'C20261122-ABCDEF',
        role: 'lead',
        department: { id: 'dept-market' },
        case: { buildingName: '天安千树大厦' },
        callbackUrl: 'https://steward.district.example/api/departments/dept-market/callback',
      });
    } finally {
      await sink.close();
    }
  });

  it('throws while the department system is down (so the activity retries) and delivers once it is up', async () => {
    const sink = await startHttpSink((_r, n) => (n <= 2 ? { status: 503, body: { error: 'maintenance' } } : { status: 200 }));
    try {
      const connector = webhookConnector({ publicUrl: 'http://x', logger: silentLogger });
      await expect(connector.deliver(delivery(sink.url))).rejects.toThrow(/answered 503/);
      await expect(connector.deliver(delivery(sink.url))).rejects.toThrow(/answered 503/);
      await expect(connector.deliver(delivery(sink.url))).resolves.toEqual({});
      // every attempt carried the same idempotency key, so the department can drop repeats
      expect(new Set(sink.received.map((r) => r.headers['idempotency-key']))).toEqual(new Set(['C20261122-ABCDEF:0']));
    } finally {
      await sink.close();
    }
    const closed = webhookConnector({ publicUrl: 'http://x', logger: silentLogger, timeoutMs: 2000 });
    await expect(closed.deliver(delivery(sink.url))).rejects.toThrow(); // nothing listens any more
  });

  it('refuses to deliver to a department without a URL or secret', async () => {
    const connector = webhookConnector({ publicUrl: 'http://x', logger: silentLogger });
    await expect(connector.deliver(delivery(null))).rejects.toThrow(/no webhookUrl\/webhookSecret/);
    await expect(connector.deliver(delivery('http://127.0.0.1:9', null))).rejects.toThrow(/no webhookUrl\/webhookSecret/);
    await expect(portalConnector(silentLogger).deliver(delivery(null))).resolves.toEqual({ reference: 'portal:dept-market:C20261122-ABCDEF' });
  });
});
