/**
 * Chinese for the English messages that cannot carry their own: a zod schema takes one message per
 * check, written once in English. Everything else (HttpError's `zh`, a
 * refusal's `zh`, a directory issue's `zh`) is given in both languages where it is written and
 * never comes here. A message found nowhere is answered by its issue code (zod) or by its status,
 * with the English kept beside it.
 */
import type { z } from 'zod';
import { CREDIT_CODE_MESSAGES, CREDIT_CODE_MESSAGES_ZH, type CreditCodeProblem } from '../domain/credit-code';

const LEVELS_ZH = '须为 1（点楼长）、2（分楼长）或 3（总楼长）';

const EXACT: Record<string, string> = {
  // src/api/schemas.ts and src/api/directory-admin.ts
  'is required': '必填',
  'must be text': '须为文本',
  'must not be empty': '不能为空',
  'must be valid Unicode text (it contains a lone surrogate)': '须为有效的 Unicode 文本（含有不成对的代理字符）',
  'must not contain control characters (NUL and the like); newlines and tabs are fine': '不能包含控制字符（如 NUL）；换行和制表符可以',
  'must not contain control characters (line breaks, tabs)': '不能包含控制字符（如换行、制表符）',
  'must be an http(s) URL': '须为 http 或 https 网址',
  'is not a case id (C<yyyymmdd>-<6 characters>)': '不是有效的案件编号（C + 8 位日期 + “-” + 6 位字符）',
  'must be a phone number': '须为电话号码',
  'must be an e-mail address': '须为电子邮件地址',
  'must be an ISO 8601 date-time with offset, e.g. 2026-12-01T17:30:00+08:00': '须为带时区的 ISO 8601 时间，例如 2026-12-01T17:30:00+08:00（北京时间）',
  'is not a cursor this API issued (pass nextCursor unchanged)': '不是本接口给出的翻页游标（请原样传回 nextCursor）',
  'is not a cursor of this list (pass nextCursor unchanged)': '不是本列表的翻页游标（请原样传回 nextCursor）',
  'use either cursor or page, not both': 'cursor 与 page 只能二选一',
  'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit': '须为 1 至 64 位字母、数字、“.”、“_”或“-”，并以字母或数字开头',
  'must be 1 (点楼长), 2 (分楼长) or 3 (总楼长)': LEVELS_ZH,
  'at most 10 channels': '最多 10 个联系渠道',
  'must be true or false': '须为 true 或 false',
  'must be portal (门户) or webhook (接口)': '须为 portal（门户）或 webhook（接口）',
  'must be 16-200 printable ASCII characters without spaces': '须为 16 至 200 位可打印 ASCII 字符，不含空格',
  'must be person (人员) or machine (系统)': '须为 person（人员）或 machine（系统）',
  'unknown field': '不允许的字段',
  // the statistics' periods (src/api/schemas.ts, src/domain/periods.ts)
  'use either period or from/to, not both': 'period 与 from/to 只能二选一',
  'from and to go together': 'from 与 to 须同时给出',
  'only with measure': '只能与 measure 一起使用',
  'must be a date YYYY-MM-DD': '须为日期 YYYY-MM-DD',
  // src/api/routes/codec.ts, src/catalogue-file.ts
  'must be base64': '须为 base64 编码',
  'must be a whole number (use a smaller unit)': '须为整数（可改用更小的单位）',
  'must be at least 1': '不能小于 1',
  'must be between 0.05 and 0.95 (the share of the time limit after which the owner is warned)': '须在 0.05 至 0.95 之间（时限过去这一比例后预警）',
  'must be lower_snake_case, 2-50 characters': '须为 2 至 50 位小写字母、数字和下划线，以字母开头',
  'category codes must be unique': '事项编码不能重复',
  ...Object.fromEntries(Object.entries(CREDIT_CODE_MESSAGES).map(([k, en]) => [en, CREDIT_CODE_MESSAGES_ZH[k as CreditCodeProblem]])),
};

const UNIT_ZH: Record<string, string> = { seconds: '秒', minutes: '分钟', hours: '小时', days: '个自然日', working_hours: '个工作小时', working_days: '个工作日' };
const INTERVAL_ZH: Record<string, string> = { day: '日', week: '周', month: '月', quarter: '季度', year: '年' };

const PATTERNS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^must be at most (\d+) characters$/, (m) => `不能超过 ${m[1]} 个字符`],
  [/^pages beyond the first (\d+) rows are reached with cursor \(each answer's nextCursor\), not page$/, (m) => `前 ${m[1]} 行之后须用 cursor（每页应答中的 nextCursor）翻页，不能用 page`],
  [/^must be at most (\d+) (\w+) \(about a year\)$/, (m) => `不能超过 ${m[1]}${UNIT_ZH[m[2]!] ?? m[2]}（约一年）`],
  [/^must be at least (\d+) hour \(督办 reminders repeat at this interval\)$/, (m) => `不能少于 ${m[1]} 小时（督办提醒按此间隔重复）`],
  [/^([\s\S]*) is none of YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY-Qn, YYYY$/, (m) => `“${m[1]}”不是 YYYY-MM-DD、YYYY-Www、YYYY-MM、YYYY-Qn 或 YYYY 格式的期间`],
  [/^([\s\S]*) is not a calendar date$/, (m) => `${m[1]} 不是有效的日期`],
  [/^(\d{4}) has ISO weeks 01 to (\d+)$/, (m) => `${m[1]} 年的 ISO 周为 01 至 ${m[2]}`],
  [/^([\s\S]*): months are 01 to 12$/, (m) => `${m[1]}：月份须为 01 至 12`],
  [/^the range ends \((.*)\) before it starts \((.*)\)$/, (m) => `日期范围的结束日（${m[1]}）早于开始日（${m[2]}）`],
  [/^more than (\d+) (day|week|month|quarter|year)s: ask for a shorter range or a longer interval$/, (m) => `超过 ${m[1]} 个${INTERVAL_ZH[m[2]!]}：请缩短日期范围或加大统计间隔`],
];

/** The Chinese of an English message written without one, if it is known. */
export function chineseFor(english: string): string | undefined {
  const exact = EXACT[english];
  if (exact) return exact;
  for (const [re, zh] of PATTERNS) {
    const m = re.exec(english);
    if (m) return zh(m);
  }
  return undefined;
}

const TYPE_ZH: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  boolean: 'true 或 false',
  object: '对象',
  array: '数组',
  date: '日期',
  bigint: '整数',
  null: 'null',
};
const FORMAT_ZH: Record<string, string> = { datetime: '带时区的 ISO 8601 时间', date: 'ISO 8601 日期', email: '电子邮件地址', url: '网址', uuid: 'UUID', regex: '规定格式' };
const quote = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * A zod issue in Chinese: the schema's own message when it is known above, else from its code
 * and parameters (zod's own defaults are English). `input` is there when the parse reported it.
 */
export function zodIssueInChinese(issue: z.core.$ZodIssue & { input?: unknown }): string {
  const known = chineseFor(issue.message);
  if (known) return known;
  switch (issue.code) {
    case 'invalid_type': {
      const missing = 'input' in issue ? issue.input === undefined : /received undefined$/.test(issue.message);
      return missing ? '必填' : `须为${TYPE_ZH[issue.expected] ?? issue.expected}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `须为 ${quote(issue.values[0])}` : `须为以下之一：${issue.values.map(quote).join('、')}`;
    case 'too_big': {
      const max = String(issue.maximum);
      if (issue.origin === 'string') return `不能超过 ${max} 个字符`;
      if (issue.origin === 'array' || issue.origin === 'set') return `最多 ${max} 项`;
      return issue.inclusive ? `不能大于 ${max}` : `须小于 ${max}`;
    }
    case 'too_small': {
      const min = String(issue.minimum);
      if (issue.origin === 'string') return issue.minimum === 1 ? '不能为空' : `至少 ${min} 个字符`;
      if (issue.origin === 'array' || issue.origin === 'set') return `至少 ${min} 项`;
      return issue.inclusive ? `不能小于 ${min}` : `须大于 ${min}`;
    }
    case 'invalid_format':
      return `格式不正确：须为${FORMAT_ZH[issue.format] ?? issue.format}`;
    case 'not_multiple_of':
      return `须为 ${String(issue.divisor)} 的倍数`;
    case 'unrecognized_keys':
      return `不允许的字段：${issue.keys.join('、')}`;
    case 'invalid_union':
      return '取值不符合任何一种允许的形式';
    case 'invalid_key':
    case 'invalid_element':
      return '含有不符合要求的取值';
    default:
      return `取值不符合要求（${issue.message}）`;
  }
}
