import { creditCodeCheckChar, creditCodeProblem, isValidCreditCode } from '../../src/domain/credit-code';

describe('统一社会信用代码', () => {
  it.each(['91350100M000100Y43', '91110000802100433B', '91310107MA1G0AB10G'])('accepts the valid code %s', (code) => {
    expect(isValidCreditCode(code)).toBe(true);
  });

  it('computes the GB 32100 check character', () => {
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(creditCodeCheckChar('91110000802100433')).toBe('B');
  });

  it('rejects a code whose check character is wrong', () => {
    expect(creditCodeProblem('91350100M000100Y44')).toBe('check');
  });

  it('rejects wrong length, forbidden letters and a non-numeric division code', () => {
    expect(creditCodeProblem('91350100M000100Y4')).toBe('length');
    expect(creditCodeProblem('91350100M000100I43')).toBe('characters'); // I is not in the alphabet
    expect(creditCodeProblem('913501o0M000100Y43')).toBe('characters'); // lower case
    expect(creditCodeProblem('91A50100M000100Y43')).toBe('division');
  });

  it('detects any single-character substitution', () => {
    const valid = '91310107MA1G0AB10G';
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    let detected = 0;
    let tried = 0;
    for (let i = 0; i < 17; i++) {
      if (i >= 2 && i < 8) continue; // division digits are checked by their own rule
      for (const ch of alphabet) {
        if (ch === valid[i]) continue;
        tried++;
        if (!isValidCreditCode(valid.slice(0, i) + ch + valid.slice(i + 1))) detected++;
      }
    }
    expect(detected).toBe(tried);
  });
});
