// primitives.* against node:crypto on seeded random inputs: digests, HMAC, AES-GCM / CBC / ECB
// (including tampering, wrong keys and wrong sizes), timingSafeEqual.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { primitives } from 'aggpay';
import { assertBytesEqual, ctx, describeInput, expectAggpayError, flipBit, hex, makeRng, utf8 } from './helpers.mjs';

const { md5, sha256, hmacSha256, timingSafeEqual, aesGcmDecrypt, aesCbcEncrypt, aesCbcDecrypt, aesEcbDecrypt } = primitives;

/** Inputs around the 64-byte block boundaries, random lengths, and Unicode strings. */
function randomInputs(rng, count = 60) {
  const inputs = [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096].map((n) => rng.bytes(n));
  while (inputs.length < count) inputs.push(rng.int(0, 1) ? rng.bytes(rng.int(0, 3000)) : rng.unicode(200));
  inputs.push('', 'abc', '支付宝', '😀');
  return inputs;
}
const bytesOf = (input) => (typeof input === 'string' ? utf8(input) : input);
/** Bytes given as Uint8Array, Buffer or ArrayBuffer in turn (strings as they are). */
const asVariousTypes = (input, i) => (typeof input === 'string' ? input : [input, Buffer.from(input), input.slice().buffer][i % 3]);

describe('digests', () => {
  for (const [name, ours] of [['md5', md5], ['sha256', sha256]]) {
    it(`${name} equals node:crypto on random bytes and strings`, () => {
      const rng = makeRng(name);
      randomInputs(rng).forEach((input, i) => {
        const expected = crypto.createHash(name).update(bytesOf(input)).digest();
        assertBytesEqual(ours(asVariousTypes(input, i)), expected, ctx(`${name}(${describeInput(input)})`));
      });
    });
  }

  it('known answers (RFC 1321 / FIPS 180-2)', () => {
    assert.equal(hex(md5('')), 'd41d8cd98f00b204e9800998ecf8427e');
    assert.equal(hex(md5('abc')), '900150983cd24fb0d6963f7d28e17f72');
    assert.equal(hex(sha256('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(hex(sha256('')), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('refuse non-bytes input with ERR_BAD_INPUT', () => {
    for (const bad of [undefined, null, 42, {}, [1, 2], new Uint16Array(2), true]) {
      expectAggpayError(() => md5(bad), 'ERR_BAD_INPUT', `md5(${String(bad)})`);
      expectAggpayError(() => sha256(bad), 'ERR_BAD_INPUT', `sha256(${String(bad)})`);
      expectAggpayError(() => hmacSha256('key', bad), 'ERR_BAD_INPUT', `hmacSha256(key, ${String(bad)})`);
      expectAggpayError(() => hmacSha256(bad, 'data'), 'ERR_BAD_INPUT', `hmacSha256(${String(bad)}, data)`);
    }
  });
});

describe('hmacSha256', () => {
  it('equals node:crypto for keys of 0…200 bytes (incl. > 64, hashed first) and random data', () => {
    const rng = makeRng('hmac');
    const keyLengths = [0, 1, 16, 32, 63, 64, 65, 100, 128, 200, ...Array.from({ length: 10 }, () => rng.int(0, 300))];
    const inputs = randomInputs(rng, 20);
    keyLengths.forEach((keyLength, k) => {
      const key = rng.bytes(keyLength);
      inputs.forEach((input, i) => {
        const expected = crypto.createHmac('sha256', key).update(bytesOf(input)).digest();
        assertBytesEqual(hmacSha256(asVariousTypes(key, k), asVariousTypes(input, i)), expected, ctx(`hmacSha256(key ${hex(key)}, ${describeInput(input)})`));
      });
    });
    // A string key is its UTF-8 bytes (WeChat Pay v2 API keys are ASCII strings).
    const apiKey = '192006250b4c09247ec02edce69f6a2d';
    assertBytesEqual(hmacSha256(apiKey, 'a=1&b=二'), crypto.createHmac('sha256', apiKey).update('a=1&b=二').digest(), 'string key and data');
  });

  it('RFC 4231 test case 2', () => {
    assert.equal(
      hex(hmacSha256('Jefe', 'what do ya want for nothing?')),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('AES-GCM decrypt', () => {
  for (const keyLength of [16, 32]) {
    const algorithm = `aes-${keyLength * 8}-gcm`;
    it(`${algorithm}: decrypts node's ciphertext (tag appended) for random keys, nonces, AAD and plaintexts`, () => {
      const rng = makeRng(algorithm);
      for (let i = 0; i < 40; i++) {
        const key = rng.bytes(keyLength);
        const nonce = rng.bytes(12);
        const aad = i % 5 === 0 ? new Uint8Array(0) : rng.bytes(rng.int(1, 100));
        const plaintext = i === 1 ? new Uint8Array(0) : rng.bytes(rng.int(0, 500));
        const cipher = crypto.createCipheriv(algorithm, key, nonce);
        cipher.setAAD(aad);
        const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
        const what = ctx(`${algorithm} key ${hex(key)} nonce ${hex(nonce)} aad ${hex(aad)} plaintext ${hex(plaintext)}`);
        assertBytesEqual(aesGcmDecrypt(key, nonce, aad, ciphertext), plaintext, what);
        assertBytesEqual(aesGcmDecrypt(Buffer.from(key), Buffer.from(nonce), Buffer.from(aad), ciphertext.buffer.slice(ciphertext.byteOffset, ciphertext.byteOffset + ciphertext.length)), plaintext, `${what} (Buffer/ArrayBuffer inputs)`);

        const tagBit = (ciphertext.length - 16) * 8 + rng.int(0, 127);
        expectAggpayError(() => aesGcmDecrypt(key, nonce, aad, flipBit(ciphertext, tagBit)), 'ERR_DECRYPT_FAILED', `${what}: tampered tag`);
        if (plaintext.length > 0) {
          const bit = rng.int(0, plaintext.length * 8 - 1);
          expectAggpayError(() => aesGcmDecrypt(key, nonce, aad, flipBit(ciphertext, bit)), 'ERR_DECRYPT_FAILED', `${what}: tampered ciphertext`);
        }
        const otherAad = aad.length > 0 ? flipBit(aad, rng.int(0, aad.length * 8 - 1)) : Uint8Array.of(0);
        expectAggpayError(() => aesGcmDecrypt(key, nonce, otherAad, ciphertext), 'ERR_DECRYPT_FAILED', `${what}: other AAD`);
        expectAggpayError(() => aesGcmDecrypt(key, flipBit(nonce, rng.int(0, 95)), aad, ciphertext), 'ERR_DECRYPT_FAILED', `${what}: other nonce`);
        expectAggpayError(() => aesGcmDecrypt(flipBit(key, rng.int(0, keyLength * 8 - 1)), nonce, aad, ciphertext), 'ERR_DECRYPT_FAILED', `${what}: other key`);
        expectAggpayError(() => aesGcmDecrypt(key, nonce, aad, ciphertext.subarray(0, ciphertext.length - 1)), 'ERR_DECRYPT_FAILED', `${what}: truncated tag`);
      }
    });
  }

  it('string inputs are UTF-8 (WeChat Pay passes the APIv3 key, nonce and associated_data as strings)', () => {
    const key = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
    const nonce = 'fdasflkja484';
    const aad = 'transaction';
    const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(aad));
    const ciphertext = Buffer.concat([cipher.update('{"订单":"支付成功"}'), cipher.final(), cipher.getAuthTag()]);
    assert.equal(Buffer.from(aesGcmDecrypt(key, nonce, aad, ciphertext)).toString('utf8'), '{"订单":"支付成功"}');
  });

  it('wrong key or nonce sizes are ERR_BAD_INPUT; a ciphertext shorter than the tag is ERR_DECRYPT_FAILED', () => {
    const ciphertext = new Uint8Array(32);
    for (const keyLength of [0, 1, 15, 17, 24, 31, 33, 64]) {
      expectAggpayError(() => aesGcmDecrypt(new Uint8Array(keyLength), new Uint8Array(12), '', ciphertext), 'ERR_BAD_INPUT', `key of ${keyLength} bytes`);
    }
    for (const nonceLength of [0, 8, 11, 13, 16]) {
      expectAggpayError(() => aesGcmDecrypt(new Uint8Array(32), new Uint8Array(nonceLength), '', ciphertext), 'ERR_BAD_INPUT', `nonce of ${nonceLength} bytes`);
    }
    for (const length of [0, 1, 15]) {
      expectAggpayError(() => aesGcmDecrypt(new Uint8Array(16), new Uint8Array(12), '', new Uint8Array(length)), 'ERR_DECRYPT_FAILED', `ciphertext of ${length} bytes`);
    }
    expectAggpayError(() => aesGcmDecrypt(new Uint8Array(16), new Uint8Array(12), undefined, ciphertext), 'ERR_BAD_INPUT', 'undefined AAD');
  });
});

describe('AES-128-CBC', () => {
  it("encrypt equals node's createCipheriv('aes-128-cbc'), and decrypt round-trips ours and node's", () => {
    const rng = makeRng('cbc');
    const lengths = [0, 1, 15, 16, 17, 31, 32, 33, 48, ...Array.from({ length: 40 }, () => rng.int(0, 400))];
    lengths.forEach((length, i) => {
      const key = rng.bytes(16);
      const iv = rng.bytes(16);
      const plaintext = rng.bytes(length);
      const what = ctx(`aes-128-cbc key ${hex(key)} iv ${hex(iv)} plaintext ${hex(plaintext)}`);
      const cipher = crypto.createCipheriv('aes-128-cbc', key, iv);
      const expected = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const ours = aesCbcEncrypt(asVariousTypes(key, i), asVariousTypes(iv, i + 1), asVariousTypes(plaintext, i + 2));
      assertBytesEqual(ours, expected, `${what}: encrypt`);
      assert.equal(ours.length, (Math.floor(length / 16) + 1) * 16, `${what}: PKCS#7 always adds padding`);
      assertBytesEqual(aesCbcDecrypt(key, iv, ours), plaintext, `${what}: decrypt ours`);
      assertBytesEqual(aesCbcDecrypt(key, iv, expected), plaintext, `${what}: decrypt node's`);
    });
    // Strings are UTF-8.
    const key = rng.bytes(16);
    const cipher = crypto.createCipheriv('aes-128-cbc', key, Buffer.alloc(16));
    assertBytesEqual(aesCbcEncrypt(key, new Uint8Array(16), '{"a":"中文"}'), Buffer.concat([cipher.update('{"a":"中文"}', 'utf8'), cipher.final()]), 'string plaintext');
  });

  it('a wrong key never gives the plaintext: ERR_DECRYPT_FAILED, or (padding valid by chance) other bytes', () => {
    const rng = makeRng('cbc-wrong-key');
    const trials = 300;
    let paddingPassedByChance = 0;
    for (let i = 0; i < trials; i++) {
      const key = rng.bytes(16);
      const iv = rng.bytes(16);
      const plaintext = rng.bytes(rng.int(0, 100));
      const ciphertext = aesCbcEncrypt(key, iv, plaintext);
      const wrongKey = flipBit(key, rng.int(0, 127));
      const what = ctx(`trial ${i}: key ${hex(key)} wrong key ${hex(wrongKey)} iv ${hex(iv)} plaintext ${hex(plaintext)}`);
      let result;
      try {
        result = aesCbcDecrypt(wrongKey, iv, ciphertext);
      } catch (error) {
        assert.equal(error.code, 'ERR_DECRYPT_FAILED', `${what}: ${error.message}`);
        continue;
      }
      paddingPassedByChance++;
      assert.notEqual(hex(result), hex(plaintext), `${what}: a wrong key decrypted to the plaintext`);
    }
    // A random last block has valid PKCS#7 padding with probability ≈ 1/256 (+ smaller terms):
    // expect about 1 in 300 trials; more than 15 would mean the padding is not being checked.
    assert.ok(paddingPassedByChance <= 15, ctx(`${paddingPassedByChance} of ${trials} wrong-key decryptions passed the padding check`));
  });

  it('a flipped bit in the last block is refused or changes the output; bad sizes are refused', () => {
    const rng = makeRng('cbc-tamper');
    for (let i = 0; i < 50; i++) {
      const key = rng.bytes(16);
      const iv = rng.bytes(16);
      const plaintext = rng.bytes(rng.int(0, 64));
      const ciphertext = aesCbcEncrypt(key, iv, plaintext);
      const tampered = flipBit(ciphertext, (ciphertext.length - 16) * 8 + rng.int(0, 127));
      try {
        assert.notEqual(hex(aesCbcDecrypt(key, iv, tampered)), hex(plaintext), ctx(`trial ${i}`));
      } catch (error) {
        if (error.code !== 'ERR_DECRYPT_FAILED') throw error;
      }
    }
    for (const keyLength of [0, 15, 17, 24, 32]) {
      expectAggpayError(() => aesCbcEncrypt(new Uint8Array(keyLength), new Uint8Array(16), 'x'), 'ERR_BAD_INPUT', `encrypt key ${keyLength}`);
      expectAggpayError(() => aesCbcDecrypt(new Uint8Array(keyLength), new Uint8Array(16), new Uint8Array(16)), 'ERR_BAD_INPUT', `decrypt key ${keyLength}`);
    }
    for (const ivLength of [0, 12, 15, 17, 32]) {
      expectAggpayError(() => aesCbcEncrypt(new Uint8Array(16), new Uint8Array(ivLength), 'x'), 'ERR_BAD_INPUT', `encrypt iv ${ivLength}`);
      expectAggpayError(() => aesCbcDecrypt(new Uint8Array(16), new Uint8Array(ivLength), new Uint8Array(16)), 'ERR_BAD_INPUT', `decrypt iv ${ivLength}`);
    }
    for (const length of [0, 1, 15, 17, 31]) {
      expectAggpayError(() => aesCbcDecrypt(new Uint8Array(16), new Uint8Array(16), new Uint8Array(length)), 'ERR_DECRYPT_FAILED', `ciphertext of ${length} bytes`);
    }
  });
});

describe('AES-256-ECB decrypt', () => {
  it("decrypts node's aes-256-ecb output; wrong sizes and wrong keys are refused", () => {
    const rng = makeRng('ecb');
    const lengths = [0, 1, 15, 16, 17, 32, ...Array.from({ length: 30 }, () => rng.int(0, 500))];
    for (const length of lengths) {
      const key = rng.bytes(32);
      const plaintext = rng.bytes(length);
      const cipher = crypto.createCipheriv('aes-256-ecb', key, null);
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const what = ctx(`aes-256-ecb key ${hex(key)} plaintext ${hex(plaintext)}`);
      assertBytesEqual(aesEcbDecrypt(key, ciphertext), plaintext, what);
      try {
        assert.notEqual(hex(aesEcbDecrypt(flipBit(key, rng.int(0, 255)), ciphertext)), hex(plaintext), `${what}: wrong key`);
      } catch (error) {
        if (error.code !== 'ERR_DECRYPT_FAILED') throw error;
      }
    }
    for (const keyLength of [0, 16, 24, 31, 33]) {
      expectAggpayError(() => aesEcbDecrypt(new Uint8Array(keyLength), new Uint8Array(16)), 'ERR_BAD_INPUT', `key of ${keyLength} bytes`);
    }
    for (const length of [0, 1, 15, 17]) {
      expectAggpayError(() => aesEcbDecrypt(new Uint8Array(32), new Uint8Array(length)), 'ERR_DECRYPT_FAILED', `ciphertext of ${length} bytes`);
    }
    // WeChat Pay v2 refund notifications: key = lower-hex MD5 of the API key (32 ASCII bytes), given as a string.
    const apiKey = hex(md5('192006250b4c09247ec02edce69f6a2d'));
    const cipher = crypto.createCipheriv('aes-256-ecb', Buffer.from(apiKey), null);
    const ciphertext = Buffer.concat([cipher.update('<root><refund_id>1</refund_id></root>'), cipher.final()]);
    assert.equal(Buffer.from(aesEcbDecrypt(apiKey, ciphertext)).toString(), '<root><refund_id>1</refund_id></root>');
  });
});

describe('timingSafeEqual', () => {
  it('true only for equal bytes; any length or content difference is false', () => {
    const rng = makeRng('tse');
    for (let i = 0; i < 100; i++) {
      const a = rng.bytes(rng.int(0, 80));
      const what = ctx(`a = ${hex(a)}`);
      assert.equal(timingSafeEqual(a, Uint8Array.from(a)), true, what);
      assert.equal(timingSafeEqual(Buffer.from(a), a.slice().buffer), true, `${what} (Buffer vs ArrayBuffer)`);
      if (a.length > 0) {
        assert.equal(timingSafeEqual(a, flipBit(a, rng.int(0, a.length * 8 - 1))), false, `${what}: one bit differs`);
        assert.equal(timingSafeEqual(a, a.subarray(0, a.length - 1)), false, `${what}: one byte shorter`);
      }
      assert.equal(timingSafeEqual(a, Buffer.concat([a, Buffer.of(0)])), false, `${what}: one zero byte longer`);
    }
    assert.equal(timingSafeEqual('', new Uint8Array(0)), true);
    assert.equal(timingSafeEqual('签名', utf8('签名')), true, 'a string is its UTF-8 bytes');
    assert.equal(timingSafeEqual('abc', 'abd'), false);
    expectAggpayError(() => timingSafeEqual('a', 1), 'ERR_BAD_INPUT', 'number');
  });
});

it('every primitive returns a plain Uint8Array result of the right size', () => {
  const results = [md5('x'), sha256('x'), hmacSha256('k', 'x'), aesCbcEncrypt(new Uint8Array(16), new Uint8Array(16), 'x')];
  for (const r of results) assert.ok(r instanceof Uint8Array, Object.prototype.toString.call(r));
  assert.deepEqual(results.map((r) => r.length), [16, 32, 32, 16]);
  assert.ok(Object.isFrozen(primitives), 'primitives is frozen');
});
