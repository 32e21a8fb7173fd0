/**
 * A database that can be switched off and on again: a TCP proxy in front of a real PostgreSQL.
 * Switched off, it cuts the open connections and accepts none, so the driver fails as it does
 * when the server is gone (connection terminated, ECONNREFUSED); switched on, it forwards again.
 */
import net from 'node:net';
import { createDb, type Db } from '../../src/db/client';
import { useSeededDatabase } from './database';

export interface DbSwitch {
  /** the database's URL, through the switch */
  url: string;
  readonly isUp: boolean;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function dbSwitch(targetUrl: string): Promise<DbSwitch> {
  const target = new URL(targetUrl);
  const open = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(Number(target.port), target.hostname);
        for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
          open.add(from);
          from.pipe(to);
          from.on('error', () => to.destroy());
          from.on('close', () => (open.delete(from), to.destroy()));
        }
      });
      s.once('error', reject);
      // the same port every time, so the clients' URL stays valid
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });

  const stop = async () => {
    const s = server;
    server = undefined;
    for (const socket of open) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  const url = new URL(targetUrl);
  url.port = String(port);
  return {
    url: url.toString(),
    get isUp() {
      return !!server;
    },
    down: stop,
    up: async () => {
      if (!server) await listen();
    },
    close: stop,
  };
}

export interface SwitchedPostgres {
  /** straight to the server, for looking at what was written */
  db: Db;
  /** through the switch: what the code under test uses */
  viaSwitch: Db;
  sw: DbSwitch;
}

/**
 * A migrated, seeded PostgreSQL behind a switch for the whole test file (started in beforeAll,
 * stopped in afterAll, switched back up after each test). Read the fields inside tests.
 */
export function useSwitchedPostgres(): SwitchedPostgres {
  const store = useSeededDatabase('postgresql');
  const ctx = {} as SwitchedPostgres;
  beforeAll(async () => {
    ctx.db = store.db;
    ctx.sw = await dbSwitch(store.url);
    ctx.viaSwitch = createDb(ctx.sw.url);
  });
  afterAll(async () => {
    await ctx.viaSwitch?.$disconnect();
    await ctx.sw?.close();
  });
  afterEach(() => ctx.sw?.up());
  return ctx;
}
