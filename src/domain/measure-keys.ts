/** The names of the managers' measures and their parts: shared by the API, its schemas and the console. */
export const RATE_KEYS = ['response_rate', 'on_time_rate', 'resolution_rate', 'satisfaction_rate'] as const;
export const COUNT_KEYS = ['no_feedback'] as const;
export const MEASURE_KEYS = [...RATE_KEYS, ...COUNT_KEYS] as const;
export type RateKey = (typeof RATE_KEYS)[number];
export type MeasureKey = (typeof MEASURE_KEYS)[number];
export const PARTS = ['numerator', 'denominator', 'count'] as const;
export type Part = (typeof PARTS)[number];
