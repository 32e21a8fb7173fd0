/**
 * The local identity provider as its own process: `node --import tsx src/auth/local-idp-main.ts`
 * with the options (LocalIdpOptions as JSON) in LOCAL_IDP_OPTIONS or argv[2]. Prints exactly one
 * line on stdout, `LOCAL_IDP_READY <issuer>`, once it listens; everything else goes to stderr.
 * Tests spawn it because Jest cannot load oidc-provider (ESM only).
 */
import { type LocalIdpOptions, startLocalIdp } from './local-idp';

// oidc-provider prints its notices with console.info: keep stdout for the READY line alone
console.info = console.error;
console.log = console.error;

async function main(): Promise<void> {
  const raw = process.env.LOCAL_IDP_OPTIONS ?? process.argv[2];
  if (!raw) throw new Error('pass the options as JSON in LOCAL_IDP_OPTIONS or as the first argument');
  const opts = JSON.parse(raw) as LocalIdpOptions;
  if (!Number.isInteger(opts.port) || !opts.audience || !Array.isArray(opts.users) || typeof opts.password !== 'string' || !Array.isArray(opts.machines)) {
    throw new Error('options need port, audience, users[], password and machines[]');
  }
  const idp = await startLocalIdp(opts);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void idp.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // a parent that dies without signalling closes our stdin
  if (process.env.LOCAL_IDP_EXIT_ON_STDIN_END === '1') process.stdin.on('end', stop).resume();
  process.stdout.write(`LOCAL_IDP_READY ${idp.issuer}\n`);
}

main().catch((err: unknown) => {
  console.error(`local identity provider failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
