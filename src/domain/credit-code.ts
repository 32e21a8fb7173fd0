/**
 * 统一社会信用代码 (unified social credit code), GB 32100-2015.
 *
 * 18 characters from a 31-character alphabet (no I, O, Z, S, V):
 *   1     registration authority  (1 机构编制, 5 民政, 9 工商, Y 其他 ...)
 *   2     organisation type
 *   3-8   administrative division code (digits)
 *   9-17  organisation code (GB 11714)
 *   18    check character over the first 17, weighted mod 31
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type CreditCodeProblem = 'length' | 'characters' | 'division' | 'check';

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17.charAt(i));
    if (v < 0) throw new Error(`invalid character ${first17.charAt(i)}`);
    sum += v * WEIGHTS[i]!;
  }
  const c = (31 - (sum % 31)) % 31;
  return ALPHABET.charAt(c);
}

/** Returns null when valid, otherwise which rule failed (for a field-level error message). */
export function creditCodeProblem(code: string): CreditCodeProblem | null {
  if (code.length !== 18) return 'length';
  for (const ch of code) if (!ALPHABET.includes(ch)) return 'characters';
  if (!/^[0-9]{6}$/.test(code.slice(2, 8))) return 'division';
  if (creditCodeCheckChar(code.slice(0, 17)) !== code.charAt(17)) return 'check';
  return null;
}

export const CREDIT_CODE_MESSAGES: Record<CreditCodeProblem, string> = {
  length: '统一社会信用代码 must be exactly 18 characters',
  characters: '统一社会信用代码 may only contain digits and capital letters other than I, O, Z, S, V',
  division: '统一社会信用代码 characters 3-8 must be a 6-digit administrative division code',
  check: '统一社会信用代码 check character (18th) does not match the first 17 characters',
};

export const CREDIT_CODE_MESSAGES_ZH: Record<CreditCodeProblem, string> = {
  length: '统一社会信用代码须为 18 位',
  characters: '统一社会信用代码只能由数字和大写字母组成（不含 I、O、Z、S、V）',
  division: '统一社会信用代码第 3 至 8 位须为 6 位行政区划代码',
  check: '统一社会信用代码校验位（第 18 位）与前 17 位不符，请核对',
};

export function isValidCreditCode(code: string): boolean {
  return creditCodeProblem(code) === null;
}
