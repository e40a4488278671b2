/**
 * A small WebAssembly assembler: functions written in the flat text form of WebAssembly
 * (instructions and their immediates separated by white space, `;;` comments to the end of a line,
 * named locals, `$labels` on block / loop / if) become a module's bytes. It knows
 * the instructions memrec's kernels use (i32 / f32 scalar, 128-bit SIMD lanes of f32 and i32,
 * their comparisons and lane tests) and imports one linear memory as `env.memory`. Unknown
 * instructions and names are errors that say the line.
 */

/** Value types of parameters, results and locals. */
export type WasmType = 'i32' | 'f32' | 'v128';

/** One function: named parameters and locals, an optional result, a flat text body. */
export interface WasmFunction {
  name: string;
  params: [string, WasmType][];
  result?: WasmType;
  locals?: [string, WasmType][];
  body: string;
  /** Exported under its name. */
  export?: boolean;
}

const TYPE: Record<WasmType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

type Imm = 'none' | 'local' | 'func' | 'label' | 'block' | 'i32' | 'f32' | 'mem' | 'lane';
/** name -> [opcode bytes, immediate kind, natural alignment (log2) for memory access]. */
const OPS: Record<string, [number[], Imm, number?]> = {
  unreachable: [[0x00], 'none'], nop: [[0x01], 'none'],
  block: [[0x02], 'block'], loop: [[0x03], 'block'], if: [[0x04], 'block'], else: [[0x05], 'none'], end: [[0x0b], 'none'],
  br: [[0x0c], 'label'], br_if: [[0x0d], 'label'], return: [[0x0f], 'none'], call: [[0x10], 'func'],
  drop: [[0x1a], 'none'], select: [[0x1b], 'none'],
  'local.get': [[0x20], 'local'], 'local.set': [[0x21], 'local'], 'local.tee': [[0x22], 'local'],
  'i32.load': [[0x28], 'mem', 2], 'f32.load': [[0x2a], 'mem', 2], 'i32.store': [[0x36], 'mem', 2], 'f32.store': [[0x38], 'mem', 2],
  'i32.const': [[0x41], 'i32'], 'f32.const': [[0x43], 'f32'],
  'i32.eqz': [[0x45], 'none'], 'i32.eq': [[0x46], 'none'], 'i32.ne': [[0x47], 'none'],
  'i32.lt_s': [[0x48], 'none'], 'i32.gt_s': [[0x4a], 'none'], 'i32.le_s': [[0x4c], 'none'], 'i32.ge_s': [[0x4e], 'none'],
  'i32.lt_u': [[0x49], 'none'], 'i32.gt_u': [[0x4b], 'none'], 'i32.le_u': [[0x4d], 'none'], 'i32.ge_u': [[0x4f], 'none'],
  'f32.eq': [[0x5b], 'none'], 'f32.ne': [[0x5c], 'none'], 'f32.lt': [[0x5d], 'none'], 'f32.gt': [[0x5e], 'none'], 'f32.le': [[0x5f], 'none'], 'f32.ge': [[0x60], 'none'],
  'i32.add': [[0x6a], 'none'], 'i32.sub': [[0x6b], 'none'], 'i32.mul': [[0x6c], 'none'], 'i32.and': [[0x71], 'none'], 'i32.or': [[0x72], 'none'], 'i32.xor': [[0x73], 'none'],
  'i32.shl': [[0x74], 'none'], 'i32.shr_s': [[0x75], 'none'],
  'f32.abs': [[0x8b], 'none'], 'f32.neg': [[0x8c], 'none'], 'f32.nearest': [[0x90], 'none'],
  'f32.add': [[0x92], 'none'], 'f32.sub': [[0x93], 'none'], 'f32.mul': [[0x94], 'none'], 'f32.div': [[0x95], 'none'], 'f32.min': [[0x96], 'none'], 'f32.max': [[0x97], 'none'],
  'i32.trunc_f32_s': [[0xa8], 'none'], 'f32.convert_i32_s': [[0xb2], 'none'], 'i32.reinterpret_f32': [[0xbc], 'none'], 'f32.reinterpret_i32': [[0xbe], 'none'],
  'v128.load': [[0xfd, 0x00], 'mem', 4], 'v128.store': [[0xfd, 0x0b], 'mem', 4],
  'f32x4.splat': [[0xfd, 0x13], 'none'], 'f32x4.extract_lane': [[0xfd, 0x1f], 'lane'],
  'f32x4.add': [[0xfd, 0xe4, 0x01], 'none'], 'f32x4.sub': [[0xfd, 0xe5, 0x01], 'none'], 'f32x4.mul': [[0xfd, 0xe6, 0x01], 'none'],
  'f32x4.min': [[0xfd, 0xe8, 0x01], 'none'], 'f32x4.max': [[0xfd, 0xe9, 0x01], 'none'], 'f32x4.nearest': [[0xfd, 0x6a], 'none'],
  'i32x4.splat': [[0xfd, 0x11], 'none'], 'i32x4.add': [[0xfd, 0xae, 0x01], 'none'], 'i32x4.shl': [[0xfd, 0xab, 0x01], 'none'],
  'i32x4.trunc_sat_f32x4_s': [[0xfd, 0xf8, 0x01], 'none'],
  'f32x4.eq': [[0xfd, 0x41], 'none'], 'f32x4.ne': [[0xfd, 0x42], 'none'], 'f32x4.lt': [[0xfd, 0x43], 'none'],
  'f32x4.gt': [[0xfd, 0x44], 'none'], 'f32x4.le': [[0xfd, 0x45], 'none'], 'f32x4.ge': [[0xfd, 0x46], 'none'],
  'f32x4.neg': [[0xfd, 0xe1, 0x01], 'none'], 'f32x4.pmin': [[0xfd, 0xea, 0x01], 'none'], 'f32x4.pmax': [[0xfd, 0xeb, 0x01], 'none'],
  'v128.and': [[0xfd, 0x4e], 'none'], 'v128.or': [[0xfd, 0x50], 'none'], 'v128.any_true': [[0xfd, 0x53], 'none'],
  'i32x4.all_true': [[0xfd, 0xa3, 0x01], 'none'], 'i32x4.sub': [[0xfd, 0xb1, 0x01], 'none'], 'i32x4.extract_lane': [[0xfd, 0x1b], 'lane'],
};

function uleb(n: number, out: number[]): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

function name(s: string, out: number[]): void {
  const bytes = new TextEncoder().encode(s);
  uleb(bytes.length, out);
  out.push(...bytes);
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

/** Encodes one function body (locals and instructions). */
function encodeBody(f: WasmFunction, funcs: Map<string, number>): number[] {
  const fail = (line: number, what: string): never => {
    throw new Error(`assembleWasm: ${f.name}${line < 0 ? '' : ` line ${line + 1}`}: ${what}`);
  };
  const locals = new Map<string, number>();
  [...f.params, ...(f.locals ?? [])].forEach(([n], k) => {
    if (locals.has(n)) fail(-1, `local ${n} is declared twice`);
    locals.set(n, k);
  });
  const code: number[] = [];
  const decl = f.locals ?? [];
  uleb(decl.length, code);
  for (const [, t] of decl) code.push(1, TYPE[t]);
  const labels: (string | null)[] = [];
  // tokens with their line numbers; an instruction takes the tokens its immediates need
  const tokens: [string, number][] = [];
  f.body.split('\n').forEach((raw, line) => {
    for (const t of raw.replace(/;;.*$/, '').trim().split(/\s+/)) if (t !== '') tokens.push([t, line]);
  });
  for (let q = 0; q < tokens.length; ) {
    const [op, line] = tokens[q++];
    const spec = OPS[op];
    if (spec == null) fail(line, `unknown instruction ${op}`);
    const [bytes, imm, align] = spec;
    code.push(...bytes);
    const next = (): string => {
      if (q >= tokens.length) fail(line, `${op} needs an immediate`);
      return tokens[q++][0];
    };
    switch (imm) {
      case 'none':
        if (op === 'end') labels.pop();
        break;
      case 'local': {
        const arg = next();
        const k = locals.get(arg);
        if (k == null) fail(line, `unknown local ${arg}`);
        uleb(k as number, code);
        break;
      }
      case 'func': {
        const arg = next();
        const k = funcs.get(arg);
        if (k == null) fail(line, `unknown function ${arg}`);
        uleb(k as number, code);
        break;
      }
      case 'label': {
        const arg = next();
        if (!labels.includes(arg)) fail(line, `unknown label ${arg}`);
        uleb(labels.length - 1 - labels.lastIndexOf(arg), code);
        break;
      }
      case 'block':
        labels.push(q < tokens.length && tokens[q][0].startsWith('$') ? tokens[q++][0] : null);
        code.push(0x40);
        break;
      case 'i32':
        sleb(Number(next()) | 0, code);
        break;
      case 'f32':
        code.push(...new Uint8Array(Float32Array.of(Number(next())).buffer));
        break;
      case 'lane':
        code.push(Number(next()));
        break;
      case 'mem': {
        let offset = 0;
        if (q < tokens.length && tokens[q][0].startsWith('offset=')) offset = Number(tokens[q++][0].slice(7));
        uleb(align as number, code);
        uleb(offset, code);
        break;
      }
    }
  }
  if (labels.length !== 0) fail(-1, `${labels.length} block(s) left open`);
  code.push(0x0b);
  const out: number[] = [];
  uleb(code.length, out);
  out.push(...code);
  return out;
}

/**
 * Assembles `functions` into a module's bytes; the module imports `env.memory` (at least
 * `minPages` pages of 64 KiB) and exports the functions marked `export`.
 *
 * @example
 * ```ts
 * const bytes = assembleWasm([{ name: 'add', params: [['a', 'i32'], ['b', 'i32']], result: 'i32', export: true,
 *   body: 'local.get a\nlocal.get b\ni32.add' }]);
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const add = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.add; // add(2, 3) === 5
 * ```
 */
export function assembleWasm(functions: WasmFunction[], minPages = 1): Uint8Array {
  const funcs = new Map(functions.map((f, k) => [f.name, k]));
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(functions.length, types);
  for (const f of functions) {
    types.push(0x60);
    uleb(f.params.length, types);
    for (const [, t] of f.params) types.push(TYPE[t]);
    if (f.result == null) types.push(0);
    else types.push(1, TYPE[f.result]);
  }
  section(1, types, out);
  const imports: number[] = [1];
  name('env', imports);
  name('memory', imports);
  imports.push(0x02, 0x00);
  uleb(minPages, imports);
  section(2, imports, out);
  const fnSec: number[] = [];
  uleb(functions.length, fnSec);
  functions.forEach((_, k) => uleb(k, fnSec));
  section(3, fnSec, out);
  const exported = functions.filter((f) => f.export);
  const exp: number[] = [];
  uleb(exported.length, exp);
  for (const f of exported) {
    name(f.name, exp);
    exp.push(0x00);
    uleb(funcs.get(f.name) as number, exp);
  }
  section(7, exp, out);
  const code: number[] = [];
  uleb(functions.length, code);
  for (const f of functions) code.push(...encodeBody(f, funcs));
  section(10, code, out);
  return Uint8Array.from(out);
}

/** The part of the WebAssembly JavaScript API memrec's kernels use (the library compiles without DOM types). */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer; grow(pages: number): number };
}

/** The global `WebAssembly`, or undefined where the runtime has none. */
export const wasmApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/**
 * A function that assembles and compiles `functions` on its first call and returns the cached
 * module afterwards; `null` where WebAssembly or an instruction the module uses (SIMD) is missing.
 *
 * @example
 * ```ts
 * const kernelModule = wasmModuleOnce(MY_FUNCTIONS);
 * const mod = kernelModule(); // null: fall back to plain loops
 * ```
 */
export function wasmModuleOnce(functions: WasmFunction[]): () => object | null {
  let compiled: object | null | undefined;
  return () => {
    if (compiled === undefined) {
      compiled = null;
      if (wasmApi != null) {
        const bytes = assembleWasm(functions);
        if (wasmApi.validate(bytes)) compiled = new wasmApi.Module(bytes);
      }
    }
    return compiled;
  };
}
