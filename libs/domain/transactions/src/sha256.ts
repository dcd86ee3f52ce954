// A compact SHA-256 (FIPS 180-4). The domain libraries run without Node built-ins, so line
// identities cannot come from node:crypto; this is fast enough for hundreds of thousands of
// short lines per second.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const encoder = new TextEncoder();
const w = new Int32Array(64);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
// Reused between calls (hashing is synchronous): one allocation instead of three per line.
let scratch = new Uint8Array(512);

function ensureScratch(bytes: number): Uint8Array {
  if (scratch.length < bytes) scratch = new Uint8Array(bytes * 2);
  return scratch;
}

/** Hashes the first `length` bytes of `data`, which must have room for the padding (length + 72). */
function digest(data: Uint8Array, length: number): string {
  // Message + 0x80 + zero padding + 64-bit big-endian bit length, in whole 64-byte blocks.
  const total = ((length + 9 + 63) >>> 6) << 6;
  data[length] = 0x80;
  data.fill(0, length + 1, total - 8);
  const high = Math.floor(length / 0x20000000);
  const low = (length * 8) >>> 0;
  data[total - 8] = high >>> 24;
  data[total - 7] = high >>> 16;
  data[total - 6] = high >>> 8;
  data[total - 5] = high;
  data[total - 4] = low >>> 24;
  data[total - 3] = low >>> 16;
  data[total - 2] = low >>> 8;
  data[total - 1] = low;

  let h0 = 0x6a09e667 | 0, h1 = 0xbb67ae85 | 0, h2 = 0x3c6ef372 | 0, h3 = 0xa54ff53a | 0;
  let h4 = 0x510e527f | 0, h5 = 0x9b05688c | 0, h6 = 0x1f83d9ab | 0, h7 = 0x5be0cd19 | 0;

  for (let offset = 0; offset < total; offset += 64) {
    for (let t = 0; t < 16; t++) {
      const o = offset + t * 4;
      w[t] = (data[o]! << 24) | (data[o + 1]! << 16) | (data[o + 2]! << 8) | data[o + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!;
      const y = w[t - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[t]! + w[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
  }

  // join() yields a flat string; `+=` would keep a rope of 32 pieces (~400 bytes) per digest alive.
  const out: string[] = [];
  for (const word of [h0, h1, h2, h3, h4, h5, h6, h7]) {
    out.push(HEX[(word >>> 24) & 0xff]!, HEX[(word >>> 16) & 0xff]!, HEX[(word >>> 8) & 0xff]!, HEX[word & 0xff]!);
  }
  return out.join('');
}

/** SHA-256 of the bytes, as 64 lower-case hex digits. */
export function sha256Bytes(message: Uint8Array): string {
  const data = ensureScratch(message.length + 72);
  data.set(message);
  return digest(data, message.length);
}

/** SHA-256 of the UTF-8 encoding of `text`, as 64 lower-case hex digits. */
export function sha256Hex(text: string): string {
  // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
  const data = ensureScratch(text.length * 3 + 72);
  const { written } = encoder.encodeInto(text, data);
  return digest(data, written);
}
