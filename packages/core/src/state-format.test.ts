import { fnv1a32 } from './checksum';
import { decodeState, encodeState, STATE_FORMAT_VERSION, stateKind, type StateContent } from './state-format';

const FN = 'Thing.fromBytes';

/** Prefix + JSON + body with a correct checksum: bytes that pass every check before the JSON. */
function craft(json: string, body = new Uint8Array(0), total?: number): Uint8Array {
  const text = new TextEncoder().encode(json);
  const start = body.length > 0 ? Math.ceil((20 + text.length) / 8) * 8 : 20 + text.length;
  const out = new Uint8Array(start + body.length);
  out.set([0x4d, 0x52, 0x53, 0x54]); // "MRST"
  const view = new DataView(out.buffer);
  view.setUint32(4, 1, true);
  view.setUint32(8, total ?? out.length, true);
  view.setUint32(12, text.length, true);
  out.set(text, 20);
  out.set(body, start);
  view.setUint32(16, fnv1a32(out, 20), true);
  return out;
}

function sample(): StateContent {
  return {
    kind: 'sample',
    header: { rows: 3, name: 'x', nested: { b: [1, 2], a: null }, flag: true },
    blocks: {
      f32: Float32Array.of(1.5, -2, 3.25),
      f64: Float64Array.of(Math.PI, -1e300),
      i32: Int32Array.of(-7, 0, 2147483647),
      u32: Uint32Array.of(0, 4294967295),
      u8: Uint8Array.of(1, 2, 3, 255, 0),
      empty: new Float32Array(0),
      emptyBytes: new Uint8Array(0),
    },
  };
}

describe('encodeState / decodeState', () => {
  it('writes the documented prefix: magic, version, total length, JSON length, checksum', () => {
    const bytes = encodeState({ kind: 'x', header: {}, blocks: {} });
    const json = '{"kind":"x","header":{},"blocks":[]}'; // 36 bytes
    expect(bytes.length).toBe(20 + 36);
    const view = new DataView(bytes.buffer);
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('MRST');
    expect([view.getUint32(4, true), view.getUint32(8, true), view.getUint32(12, true)]).toEqual([1, 56, 36]);
    expect(view.getUint32(16, true)).toBe(fnv1a32(new TextEncoder().encode(json)));
    expect(new TextDecoder().decode(bytes.subarray(20))).toBe(json);
    expect(STATE_FORMAT_VERSION).toBe(1);
  });

  it('aligns every block to 8 bytes and ends at the last block', () => {
    const bytes = encodeState({ kind: 'x', header: {}, blocks: { a: Uint8Array.of(9), b: Float64Array.of(2) } });
    const jsonLength = new DataView(bytes.buffer).getUint32(12, true);
    const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength)));
    const first = Math.ceil((20 + jsonLength) / 8) * 8;
    // a: 1 byte at `first`; b: 8 bytes at the next multiple of 8
    expect(meta.blocks).toEqual([
      { name: 'a', type: 'u8', length: 1, offset: first },
      { name: 'b', type: 'f64', length: 1, offset: first + 8 },
    ]);
    expect(bytes.length).toBe(first + 16);
    expect(bytes[first]).toBe(9);
    expect(new DataView(bytes.buffer).getFloat64(first + 8, true)).toBe(2);
  });

  it('round-trips every block type, empty blocks and the header', () => {
    const content = sample();
    const back = decodeState(encodeState(content), { fn: FN, kind: 'sample' });
    expect(back.kind).toBe('sample');
    expect(back.header).toEqual(content.header);
    expect(Object.keys(back.blocks).sort()).toEqual(Object.keys(content.blocks).sort());
    for (const [name, block] of Object.entries(content.blocks)) {
      expect(back.blocks[name].constructor).toBe(block.constructor);
      expect(Array.from(back.blocks[name])).toEqual(Array.from(block));
    }
  });

  it('returns blocks that own their buffers, also when the bytes sit at an odd offset of a larger buffer', () => {
    const bytes = encodeState(sample());
    const host = new Uint8Array(bytes.length + 3);
    host.set(bytes, 3);
    const view = host.subarray(3);
    const back = decodeState(view, { fn: FN });
    for (const block of Object.values(back.blocks)) {
      expect(block.buffer).not.toBe(host.buffer);
      expect(block.byteOffset).toBe(0);
      expect(block.buffer.byteLength).toBe(block.byteLength);
    }
    back.blocks.u8[0] = 77;
    expect(view.subarray(0, 20)).toEqual(bytes.subarray(0, 20));
    expect(Array.from(decodeState(bytes, { fn: FN }).blocks.u8)).toEqual([1, 2, 3, 255, 0]);
  });

  it('nests states as Uint8Array blocks', () => {
    const inner = encodeState({ kind: 'inner', header: { n: 2 }, blocks: { w: Float32Array.of(4, 5) } });
    const outer = decodeState(encodeState({ kind: 'outer', header: {}, blocks: { a: inner, b: inner } }), { fn: FN, kind: 'outer' });
    expect(outer.blocks.a).toEqual(inner);
    const back = decodeState(outer.blocks.b as Uint8Array, { fn: FN, kind: 'inner' });
    expect(back.header).toEqual({ n: 2 });
    expect(Array.from(back.blocks.w)).toEqual([4, 5]);
  });

  it('is deterministic: the same content gives identical bytes, whatever the key order', () => {
    const a = encodeState(sample());
    expect(encodeState(sample())).toEqual(a);
    const s = sample();
    const reordered: StateContent = {
      kind: s.kind,
      header: Object.fromEntries(Object.entries(s.header).reverse()),
      blocks: Object.fromEntries(Object.entries(s.blocks).reverse()),
    };
    expect(encodeState(reordered)).toEqual(a);
    // an undefined property is left out, as JSON.stringify does
    expect(encodeState({ kind: 'x', header: { a: undefined, b: 1 }, blocks: {} })).toEqual(encodeState({ kind: 'x', header: { b: 1 }, blocks: {} }));
  });

  it('accepts a Node Buffer as bytes', () => {
    const bytes = encodeState(sample());
    expect(decodeState(Buffer.from(bytes), { fn: FN }).header.rows).toBe(3);
  });

  it('rejects content the format cannot hold', () => {
    expect(() => encodeState({ kind: '', header: {}, blocks: {} })).toThrow('encodeState: content.kind must be a non-empty string, got ""');
    expect(() => encodeState({ kind: 'x', header: { loss: NaN }, blocks: {} })).toThrow(
      'encodeState: content.header.loss must be a finite number (JSON has no NaN or Infinity), got NaN',
    );
    expect(() => encodeState({ kind: 'x', header: { a: [1, Float32Array.of(1)] }, blocks: {} })).toThrow(
      'encodeState: content.header.a[1] must be a JSON value (plain object, array, string, finite number, boolean or null), got Float32Array(1)',
    );
    expect(() => encodeState({ kind: 'x', header: {}, blocks: { w: Int16Array.of(1) as never } })).toThrow(
      'encodeState: content.blocks["w"] must be a Float32Array, Float64Array, Int32Array, Uint32Array or Uint8Array, got Int16Array(1)',
    );
  });
});

describe('decodeState errors', () => {
  const bytes = encodeState(sample());
  const total = bytes.length;

  it('names the function, the argument and the value for input that is not bytes', () => {
    expect(() => decodeState([1, 2] as never, { fn: FN })).toThrow('Thing.fromBytes: bytes must be a Uint8Array, got array(2)');
    expect(() => decodeState(undefined as never, { fn: FN })).toThrow('Thing.fromBytes: bytes must be a Uint8Array, got undefined');
  });

  it('reports bytes shorter than the prefix', () => {
    expect(() => decodeState(bytes.slice(0, 10), { fn: FN })).toThrow('Thing.fromBytes: bytes must be at least 20 bytes long (the state prefix), got 10');
    expect(() => decodeState(new Uint8Array(0), { fn: FN })).toThrow('got 0');
  });

  it('reports a wrong magic as not a memrec state', () => {
    const wrong = bytes.slice();
    wrong.set([0x4d, 0x52, 0x53, 0x45]); // "MRSE"
    expect(() => decodeState(wrong, { fn: FN })).toThrow('Thing.fromBytes: bytes must start with "MRST", got "MRSE" (not a memrec state)');
    wrong.set([0, 1, 0xfe, 0x20]);
    expect(() => decodeState(wrong, { fn: FN })).toThrow('Thing.fromBytes: bytes must start with "MRST", got bytes 00 01 fe 20 (not a memrec state)');
  });

  it('reports an unknown version', () => {
    const bumped = bytes.slice();
    new DataView(bumped.buffer).setUint32(4, 7, true);
    expect(() => decodeState(bumped, { fn: FN })).toThrow('Thing.fromBytes: bytes has unknown version 7, this build reads 1');
  });

  it.each([20, 21, 64, total - 1])('reports bytes truncated at byte %i', (n) => {
    expect(() => decodeState(bytes.slice(0, n), { fn: FN })).toThrow(`Thing.fromBytes: bytes is truncated at byte ${n} of ${total}`);
  });

  it('reports trailing bytes', () => {
    const longer = new Uint8Array(total + 3);
    longer.set(bytes);
    expect(() => decodeState(longer, { fn: FN })).toThrow(`Thing.fromBytes: bytes must end with the state at byte ${total}, got 3 trailing bytes`);
  });

  it.each([
    ['the JSON section', 25],
    ['a block', total - 2],
  ])('reports a checksum mismatch when one byte of %s flips', (_, at) => {
    const flipped = bytes.slice();
    flipped[at] ^= 0x01;
    expect(() => decodeState(flipped, { fn: FN })).toThrow(/^Thing\.fromBytes: bytes must match their checksum 0x[0-9a-f]{8}, got 0x[0-9a-f]{8} \(corrupt data\)$/);
  });

  it('reports a malformed JSON section', () => {
    expect(() => decodeState(craft('{"kind":'), { fn: FN })).toThrow(/^Thing\.fromBytes: bytes has a malformed JSON section: /);
    expect(() => decodeState(craft('[1]'), { fn: FN })).toThrow('Thing.fromBytes: bytes has a malformed JSON section: it must be an object, got array(1)');
    expect(() => decodeState(craft('{"kind":"x","header":{}}'), { fn: FN })).toThrow(
      'Thing.fromBytes: bytes has a malformed JSON section: blocks must be an array, got undefined',
    );
    expect(() => decodeState(craft('{"kind":"x","header":{},"blocks":[{"name":"w","type":"f16","length":1,"offset":40}]}'), { fn: FN })).toThrow(
      'Thing.fromBytes: bytes has a malformed JSON section: blocks[0].type must be one of f32, f64, i32, u32, u8, got "f16"',
    );
    const withJsonPastEnd = craft('{}');
    new DataView(withJsonPastEnd.buffer).setUint32(12, 100, true);
    new DataView(withJsonPastEnd.buffer).setUint32(16, fnv1a32(withJsonPastEnd, 20), true);
    expect(() => decodeState(withJsonPastEnd, { fn: FN })).toThrow('Thing.fromBytes: bytes has a JSON section of 100 bytes running past the end at byte 22');
  });

  it('reports a block that runs past the end', () => {
    // JSON of 85 bytes: data starts at ceil(105 / 8) * 8 = 112; 8 body bytes make the total 120,
    // and 3 floats (12 bytes) at 112 would end at 124
    const json = '{"kind":"x","header":{},"blocks":[{"name":"w","type":"f32","length":3,"offset":112}]}';
    const crafted = craft(json, new Uint8Array(8));
    expect([json.length, crafted.length]).toEqual([85, 120]);
    expect(() => decodeState(crafted, { fn: FN })).toThrow('Thing.fromBytes: bytes has block "w" (3 x f32 at byte 112) running past the end at byte 120');
  });

  it('reports a kind that is not accepted', () => {
    expect(() => decodeState(bytes, { fn: FN, kind: 'kv-memory' })).toThrow('Thing.fromBytes: bytes must hold a "kv-memory" state, got "sample"');
    expect(() => decodeState(bytes, { fn: FN, kind: ['model:nmrn', 'model:cmn'] })).toThrow(
      'Thing.fromBytes: bytes must hold a state of kind "model:nmrn", "model:cmn", got "sample"',
    );
    expect(decodeState(bytes, { fn: FN, kind: ['other', 'sample'] }).kind).toBe('sample');
  });
});

describe('stateKind', () => {
  it('reads the kind after the same checks as decodeState', () => {
    const bytes = encodeState(sample());
    expect(stateKind(bytes, FN)).toBe('sample');
    const flipped = bytes.slice();
    flipped[flipped.length - 1] ^= 0x80;
    expect(() => stateKind(flipped, FN)).toThrow('Thing.fromBytes: bytes must match their checksum');
    expect(() => stateKind(bytes.slice(0, 30), 'peek')).toThrow(`peek: bytes is truncated at byte 30 of ${bytes.length}`);
  });
});
