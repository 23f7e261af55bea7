/**
 * A lone UTF-16 surrogate: JSON can write one as an escape ("\ud800"), but it is no Unicode character (RFC 8259
 * §8.2 leaves its meaning open), UTF-8 cannot encode it and PostgreSQL's jsonb refuses it.
 */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

/** `text` with U+FFFD in place of each lone surrogate, as a UTF-8 encoder writes it. */
export const wellFormed = (text: string) => text.replace(LONE_SURROGATES, "\uFFFD");
