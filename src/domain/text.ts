/** A UTF-16 surrogate without its pair: not valid Unicode, and PostgreSQL refuses to store it. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
