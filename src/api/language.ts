import type { Request } from 'express';

/** The languages the API answers messages in: Chinese by default, English on request. */
export type Language = 'zh' | 'en';

/** English when the caller prefers it to Chinese (`Accept-Language: en`, `en-US`, …), else Chinese. */
export const languageOf = (req: Request): Language => (req.acceptsLanguages('zh', 'en') === 'en' ? 'en' : 'zh');
