import { decodeUtf8Strict } from '../../lambdas/shared/strict-utf8';

const refused = { code: 'invalid_request', status: 400, detail: expect.stringMatching(/not valid UTF-8/) };

describe('decodeUtf8Strict', () => {
  test('valid UTF-8 bytes decode to the same text, multi-byte characters included', () => {
    const text = '{"subject":"Grüße 👋 日本"}';
    expect(decodeUtf8Strict(Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodeUtf8Strict(new Uint8Array(Buffer.from(text, 'utf8')))).toBe(text);
  });

  test.each([
    ['a lone continuation byte', [0x7b, 0x80, 0x7d]],
    ['a truncated two-byte sequence', [0x22, 0xc3, 0x22]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['an 0xFF byte', [0x61, 0xff]],
  ])('bytes with %s → 400, not U+FFFD', (_name, bytes) => {
    expect(() => decodeUtf8Strict(Buffer.from(bytes))).toThrow(expect.objectContaining(refused));
  });

  test('a string is returned as it is, unless a lenient decoder already replaced bytes or it holds a lone surrogate', () => {
    expect(decodeUtf8Strict('{"a":"Zoë"}')).toBe('{"a":"Zoë"}');
    expect(decodeUtf8Strict('{"a":"\\ufffd"}')).toBe('{"a":"\\ufffd"}'); // the JSON escape, not the character
    expect(() => decodeUtf8Strict(Buffer.from([0x7b, 0xff, 0x7d]).toString('utf8'))).toThrow(expect.objectContaining(refused));
    expect(() => decodeUtf8Strict('{"a":"\ud800"}')).toThrow(expect.objectContaining(refused));
  });

  test('the error never quotes the body', () => {
    try {
      decodeUtf8Strict(Buffer.concat([Buffer.from('{"to":"secret@example.com"'), Buffer.from([0xff])]));
    } catch (error) {
      expect(String((error as Error).message)).not.toMatch(/secret|example/);
      return;
    }
    throw new Error('accepted');
  });
});
