/**
 * Which failures the API answers as "a backing service is unreachable" (503, retry later) rather
 * than as a 500: gRPC UNAVAILABLE, socket errors, Prisma's time-outs and lost connections.
 */
import { isUnavailable, toHttpError } from '../../src/api/errors';

const prismaError = (code: string, message: string) => Object.assign(new Error(message), { name: 'PrismaClientKnownRequestError', code });

it('answers 503 for a database lock wait that ran out (P1008) and a lost or unreachable server', () => {
  for (const code of ['P1008', 'P1001', 'P1017']) {
    const err = prismaError(code, 'Operation has timed out');
    expect(toHttpError(err)?.status).toBe(503);
    expect(isUnavailable(new Error('wrapped', { cause: err }))).toBe(true);
  }
  expect(isUnavailable(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }))).toBe(true);
});

it('leaves a refused value or a bug to the caller as what it is, not "retry later"', () => {
  expect(isUnavailable(prismaError('P2002', 'Unique constraint failed'))).toBe(false);
  expect(toHttpError(new TypeError('x is undefined'))).toBeNull();
});
