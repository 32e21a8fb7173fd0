/** Notification channels against real local servers: HTTP (webhook, WeCom, SMS gateway) and SMTP. */
import net, { type AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { emailChannel, type OutgoingNotification, smsChannel, webhookChannel, wecomChannel } from '../../src/adapters/notification-channel';
import { startHttpSink } from '../helpers/http-sink';
import { notificationChannels } from '../../src/runtime';
import { silentLogger } from '../../src/logger';

const message = (to: string, urgent = false): OutgoingNotification => ({
  key: 'C20261122-ABCDEF:3:escalated_to_you:steward:stw-area-east:x',
  recipient: { kind: 'steward', id: 'stw-area-east', name: '李明' },
  to,
  subject: '诉求超期升级，请您督办处理',
  body: '诉求编号：C20261122-ABCDEF\n楼宇：天安千树大厦\n办理时限：2026-11-24 09:00（北京时间）',
  urgent,
  params: { caseId: 'C20261122-ABCDEF', deadline: '2026-11-24 09:00（北京时间）' },
});

describe('WeCom group robot', () => {
  it('posts a markdown message, urgent headlines in warning colour, and fails on a robot error code', async () => {
    const sink = await startHttpSink((r) => (r.url.includes('bad-key') ? { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } } : { status: 200, body: { errcode: 0, errmsg: 'ok' } }));
    try {
      await wecomChannel().send(message(`${sink.url}/cgi-bin/webhook/send?key=good`, true));
      const payload = JSON.parse(sink.received[0]!.body);
      expect(payload).toEqual({
        msgtype: 'markdown',
        markdown: {
          content: '### <font color="warning">诉求超期升级，请您督办处理</font>\n> 诉求编号：C20261122-ABCDEF\n> 楼宇：天安千树大厦\n> 办理时限：2026-11-24 09:00（北京时间）',
        },
      });
      await expect(wecomChannel().send(message(`${sink.url}/cgi-bin/webhook/send?key=bad-key`))).rejects.toThrow(/93000/);
    } finally {
      await sink.close();
    }
  });
});

describe('SMS gateway', () => {
  it('posts the phone, template id and parameters with the API key and the notification key as request id', async () => {
    const sink = await startHttpSink((_r, n) => (n === 1 ? { status: 200, body: { code: 0 } } : { status: 200, body: { code: 'isv.BUSINESS_LIMIT_CONTROL' } }));
    try {
      const sms = smsChannel({ url: `${sink.url}/sms/send`, templateId: 'SMS_2026_STEWARD', apiKey: 'k-123' });
      await sms.send(message('13800000002'));
      const req = sink.received[0]!;
      expect(req.headers.authorization).toBe('Bearer k-123');
      expect(JSON.parse(req.body)).toEqual({
        phone: '13800000002',
        templateId: 'SMS_2026_STEWARD',
        params: { caseId: 'C20261122-ABCDEF', title: '诉求超期升级，请您督办处理', deadline: '2026-11-24 09:00（北京时间）' },
        requestId: 'C20261122-ABCDEF:3:escalated_to_you:steward:stw-area-east:x',
      });
      await expect(sms.send(message('13800000002'))).rejects.toThrow(/BUSINESS_LIMIT_CONTROL/);
    } finally {
      await sink.close();
    }
  });
});

describe('generic webhook', () => {
  it('posts JSON with the idempotency key', async () => {
    const sink = await startHttpSink();
    try {
      await webhookChannel().send(message(`${sink.url}/hook`));
      expect(sink.received[0]!.headers['idempotency-key']).toBe('C20261122-ABCDEF:3:escalated_to_you:steward:stw-area-east:x');
      expect(JSON.parse(sink.received[0]!.body)).toMatchObject({ subject: '诉求超期升级，请您督办处理', recipient: { id: 'stw-area-east' }, urgent: false });
    } finally {
      await sink.close();
    }
  });
});

describe('e-mail', () => {
  it('delivers through a real SMTP server, in UTF-8, with the notification key as a header', async () => {
    const mails: { from?: string; to: string[]; raw: Buffer }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    const transport = nodemailer.createTransport(`smtp://127.0.0.1:${port}`);
    try {
      await emailChannel(transport, '楼长制服务 <steward@district.example>').send(message('liming@district.example'));
      expect(mails).toHaveLength(1);
      expect(mails[0]).toMatchObject({ from: 'steward@district.example', to: ['liming@district.example'] });
      const parsed = await simpleParser(mails[0]!.raw);
      expect(parsed.subject).toBe('诉求超期升级，请您督办处理');
      expect(parsed.text).toContain('楼宇：天安千树大厦');
      expect(parsed.headers.get('x-steward-notification')).toBe('C20261122-ABCDEF:3:escalated_to_you:steward:stw-area-east:x');
    } finally {
      transport.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('email channel as the worker configures it', () => {
  it('fails a send to a mail server that accepts the connection and never greets, instead of hanging past the activity', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const email = notificationChannels({ SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'steward@district.example' }, silentLogger).email!;
    const started = Date.now();
    try {
      await expect(email.send(message('liming@district.example'))).rejects.toThrow(/Greeting never received|timeout/i);
      // well inside the notify activity's 30 s, so the failure is counted against the channel
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }, 30_000);
});
