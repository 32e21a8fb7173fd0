/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temp dir, serve on a free loopback
 * port (Unix socket in the same dir), delete everything on stop(). Needs the server binaries
 * (Debian: `apt-get install -y postgresql`); their absence is an error, never a skipped test.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = findBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-pg-'));
  const data = path.join(dir, 'data');
  // initdb and postgres refuse to run as root: run them as `postgres`, which must own the dir.
  const asRoot = process.getuid?.() === 0;
  // Absolute path: /usr/sbin is often missing from PATH.
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((p) => fs.existsSync(p)) ?? 'runuser';
  const prefix = asRoot ? [runuser, '-u', 'postgres', '--'] : [];
  if (asRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (ids.status !== 0) throw new Error('Running as root but there is no `postgres` user to run PostgreSQL as (the Debian package `postgresql` creates it).');
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout);
    fs.chownSync(dir, Number(ids.stdout), gid);
  }
  const pg = (tool: string, ...args: string[]) => run([...prefix, path.join(bin, tool), ...args]);

  const port = await freePort();
  let started = false;
  const stopSync = () => {
    if (started) {
      const [cmd, ...args] = [...prefix, path.join(bin, 'pg_ctl'), '-D', data, 'stop', '-m', 'immediate', '-w'];
      spawnSync(cmd!, args, { stdio: 'ignore' });
    }
    started = false;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // A crashed test run must not leave a server behind.
  process.once('exit', stopSync);
  try {
    await pg('initdb', '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync');
    // Durability is pointless for a throwaway cluster; without it tests run noticeably faster.
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await pg('pg_ctl', '-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', opts, 'start');
    started = true;
  } catch (e) {
    const log = path.join(dir, 'server.log');
    const tail = fs.existsSync(log) ? `\nserver.log:\n${fs.readFileSync(log, 'utf8').slice(-2000)}` : '';
    stopSync();
    process.removeListener('exit', stopSync);
    throw new Error(`Could not start a test PostgreSQL: ${(e as Error).message}${tail}`);
  }
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      process.removeListener('exit', stopSync);
      if (started) await pg('pg_ctl', '-D', data, 'stop', '-m', 'fast', '-w').catch(() => {});
      started = false;
      stopSync();
    },
  };
}

function findBinDir(): string {
  const candidates = [process.env.PG_BIN];
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    // Highest major version first.
    for (const v of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(debian, v, 'bin'));
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  const found = candidates.find((d) => d && fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl')));
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) not found. The PostgreSQL tests need them: install the Debian ' +
        'package `postgresql` (apt-get install -y postgresql; binaries land in /usr/lib/postgresql/15/bin) ' +
        'or set PG_BIN to a directory containing initdb and pg_ctl.',
    );
  }
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves on exit, not on stdio close: pg_ctl leaves the server running in the background. */
function run(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${argv.join(' ')} exited with ${code}\n${out.slice(-2000)}`)),
    );
  });
}
