/** A free TCP port on 127.0.0.1 (bind to 0, read back, release). Shared with the product's dev-server launcher. */
export { freePort } from '../../src/temporal/dev-server';
