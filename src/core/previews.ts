/**
 * What a file page shows of a data or weights file, read through byte ranges with a cap: the
 * tensor table of a safetensors header, the metadata of a GGUF file, the first rows of CSV/TSV,
 * JSON Lines and Parquet. No preview reads more than its cap, whatever the file's size.
 */
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer } from "hyparquet";

/** Reads `[start, end]` (inclusive) of the file. */
export type ByteRange = (start: number, end: number) => Promise<Buffer>;

/** A preview: a table (columns and rows of display strings) and facts above it. */
export interface Preview {
  kind: "safetensors" | "gguf" | "csv" | "jsonl" | "parquet";
  facts: [string, string][];
  columns: string[];
  rows: string[][];
  /** Rows or entries left out. */
  more: boolean;
  /** A reason the preview stopped short (cap reached, unsupported variant). */
  note: string | null;
}

/** Bytes a preview may read: headers and first rows, never the body of a large file. */
export const PREVIEW_CAP = 8 * 1024 * 1024;
const ROWS = 20;
const CELL = 200;

const cell = (v: unknown): string => {
  const s = typeof v === "string" ? v : typeof v === "bigint" ? v.toString() : v instanceof Date ? v.toISOString() : JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)) ?? "null";
  return s.length > CELL ? `${s.slice(0, CELL)}…` : s;
};

/** Which preview a path gets, if any. */
export function previewKind(path: string): Preview["kind"] | null {
  const p = path.toLowerCase();
  if (p.endsWith(".safetensors")) return "safetensors";
  if (p.endsWith(".gguf")) return "gguf";
  if (p.endsWith(".csv") || p.endsWith(".tsv")) return "csv";
  if (p.endsWith(".jsonl") || p.endsWith(".ndjson")) return "jsonl";
  if (p.endsWith(".parquet")) return "parquet";
  return null;
}

/** Builds the preview of a file of `size` bytes. */
export async function preview(kind: Preview["kind"], path: string, size: number, read: ByteRange): Promise<Preview> {
  switch (kind) {
    case "safetensors":
      return safetensors(size, read);
    case "gguf":
      return gguf(size, read);
    case "csv":
      return csv(path.toLowerCase().endsWith(".tsv") ? "\t" : ",", size, read);
    case "jsonl":
      return jsonl(size, read);
    case "parquet":
      return parquet(size, read);
  }
}

async function safetensors(size: number, read: ByteRange): Promise<Preview> {
  const base: Preview = { kind: "safetensors", facts: [], columns: ["Tensor", "Type", "Shape"], rows: [], more: false, note: null };
  if (size < 8) return { ...base, note: "Not a safetensors file (shorter than its header length)." };
  const n = Number((await read(0, 7)).readBigUInt64LE(0));
  if (n < 2 || 8 + n > size) return { ...base, note: "Not a safetensors file (bad header length)." };
  if (n > PREVIEW_CAP) return { ...base, note: `The header is ${n} bytes, more than a preview reads.` };
  let header: Record<string, unknown>;
  try {
    header = JSON.parse((await read(8, 8 + n - 1)).toString("utf8")) as Record<string, unknown>;
  } catch {
    return { ...base, note: "Not a safetensors file (the header is not JSON)." };
  }
  const tensors = Object.entries(header).filter(([k]) => k !== "__metadata__") as [string, { dtype?: string; shape?: number[] }][];
  const byType = new Map<string, number>();
  let total = 0;
  for (const [, t] of tensors) {
    const count = (t.shape ?? []).reduce((a, b) => a * b, 1);
    total += count;
    byType.set(String(t.dtype), (byType.get(String(t.dtype)) ?? 0) + count);
  }
  const meta = header.__metadata__ && typeof header.__metadata__ === "object" ? Object.entries(header.__metadata__ as Record<string, unknown>).slice(0, 20) : [];
  return {
    ...base,
    facts: [["Tensors", tensors.length.toLocaleString("en")], ["Parameters", total.toLocaleString("en")], ...[...byType].map(([t, c]): [string, string] => [t, c.toLocaleString("en")]), ...meta.map(([k, v]): [string, string] => [k, cell(v)])],
    rows: tensors.slice(0, 1000).map(([name, t]) => [name, String(t.dtype), `[${(t.shape ?? []).join(", ")}]`]),
    more: tensors.length > 1000,
  };
}

const GGUF_TYPES = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64", "int64", "float64"];
const GGUF_SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** Reading past the bytes fetched: the metadata is longer than the preview's cap. */
class Short extends Error {}

async function gguf(size: number, read: ByteRange): Promise<Preview> {
  const base: Preview = { kind: "gguf", facts: [], columns: ["Key", "Value"], rows: [], more: false, note: null };
  const buf = await read(0, Math.min(size, PREVIEW_CAP) - 1);
  let at = 0;
  const need = (n: number) => {
    if (at + n > buf.length) throw new Short();
  };
  const u32 = () => (need(4), (at += 4), buf.readUInt32LE(at - 4));
  const u64 = () => (need(8), (at += 8), buf.readBigUInt64LE(at - 8));
  const str = () => {
    const n = Number(u64());
    need(n);
    at += n;
    return buf.toString("utf8", at - n, at);
  };
  const scalar = (t: number): unknown => {
    switch (t) {
      case 8:
        return str();
      case 7:
        return (need(1), buf[at++] !== 0);
      case 6:
        return (need(4), (at += 4), buf.readFloatLE(at - 4));
      case 12:
        return (need(8), (at += 8), buf.readDoubleLE(at - 8));
      case 10:
        return u64();
      case 11:
        return (need(8), (at += 8), buf.readBigInt64LE(at - 8));
      default: {
        const w = GGUF_SIZES[t];
        if (!w) throw new Error(`unknown GGUF value type ${t}`);
        need(w);
        at += w;
        const signed = t % 2 === 1;
        return w === 1 ? (signed ? buf.readInt8(at - 1) : buf[at - 1]) : w === 2 ? (signed ? buf.readInt16LE(at - 2) : buf.readUInt16LE(at - 2)) : signed ? buf.readInt32LE(at - 4) : buf.readUInt32LE(at - 4);
      }
    }
  };
  if (buf.length < 24 || buf.toString("latin1", 0, 4) !== "GGUF") return { ...base, note: "Not a GGUF file." };
  at = 4;
  const version = u32();
  const tensors = u64();
  const kvs = Number(u64());
  base.facts.push(["GGUF version", String(version)], ["Tensors", tensors.toLocaleString("en")], ["Metadata entries", kvs.toLocaleString("en")]);
  try {
    for (let i = 0; i < kvs; i++) {
      const key = str();
      const t = u32();
      if (t === 9) {
        const et = u32();
        const n = Number(u64());
        const shown: unknown[] = [];
        for (let j = 0; j < n; j++) {
          if (et !== 8 && !(j < 8)) {
            // fixed-width elements past the first few are skipped, not decoded
            const w = GGUF_SIZES[et] ?? 0;
            need(w * (n - j));
            at += w * (n - j);
            break;
          }
          const v = scalar(et);
          if (j < 8) shown.push(v);
        }
        base.rows.push([key, `${GGUF_TYPES[et] ?? et}[${n.toLocaleString("en")}]${n ? `: ${cell(shown)}${n > 8 ? " …" : ""}` : ""}`]);
      } else base.rows.push([key, cell(scalar(t))]);
    }
  } catch (e) {
    if (!(e instanceof Short)) return { ...base, note: `Stopped reading: ${(e as Error).message}` };
    return { ...base, more: true, note: "The metadata goes on past what a preview reads." };
  }
  return base;
}

/** The first complete lines of a text file (a cut last line is dropped unless the file ends there). */
async function firstLines(size: number, read: ByteRange, cap = 256 * 1024): Promise<{ lines: string[]; cut: boolean }> {
  if (size === 0) return { lines: [], cut: false };
  const n = Math.min(size, cap);
  const text = (await read(0, n - 1)).toString("utf8").replace(/^\uFEFF/, "");
  const lines = text.split(/\r?\n/);
  if (n < size) lines.pop();
  else if (lines[lines.length - 1] === "") lines.pop();
  return { lines, cut: n < size };
}

/** Splits CSV records (quotes, doubled quotes, delimiters and newlines inside quotes). */
export function parseCsv(text: string, delimiter: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if ((field !== "" || row.length) && rows.length < maxRows) rows.push([...row, field]);
  return rows;
}

async function csv(delimiter: string, size: number, read: ByteRange): Promise<Preview> {
  const { lines, cut } = await firstLines(size, read, 64 * 1024);
  const records = parseCsv(lines.join("\n"), delimiter, ROWS + 2);
  const [head, ...rest] = records;
  return { kind: "csv", facts: [], columns: (head ?? []).map((c) => cell(c)), rows: rest.slice(0, ROWS).map((r) => r.map(cell)), more: rest.length > ROWS || cut, note: null };
}

async function jsonl(size: number, read: ByteRange): Promise<Preview> {
  const { lines, cut } = await firstLines(size, read);
  const objects: Record<string, unknown>[] = [];
  for (const l of lines) {
    if (l.trim() === "") continue;
    if (objects.length === ROWS) break;
    try {
      const v: unknown = JSON.parse(l);
      objects.push(v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v });
    } catch {
      return { kind: "jsonl", facts: [], columns: [], rows: [], more: false, note: `Line ${objects.length + 1} is not JSON.` };
    }
  }
  const columns = [...new Set(objects.flatMap((o) => Object.keys(o)))].slice(0, 30);
  return { kind: "jsonl", facts: [], columns, rows: objects.map((o) => columns.map((c) => (c in o ? cell(o[c]) : ""))), more: cut || lines.length > objects.length, note: null };
}

async function parquet(size: number, read: ByteRange): Promise<Preview> {
  let spent = 0;
  const file: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end?: number) {
      const stop = Math.min(end ?? size, size);
      spent += stop - start;
      if (spent > PREVIEW_CAP) throw new Error("the first rows are larger than a preview reads");
      const b = await read(start, stop - 1);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
    },
  };
  const base: Preview = { kind: "parquet", facts: [], columns: [], rows: [], more: false, note: null };
  try {
    const meta = await parquetMetadataAsync(file);
    const rows = Number(meta.num_rows);
    base.facts.push(["Rows", rows.toLocaleString("en")], ["Row groups", String(meta.row_groups.length)]);
    const objects = (await parquetReadObjects({ file, metadata: meta, rowStart: 0, rowEnd: Math.min(ROWS, rows) })) as Record<string, unknown>[];
    base.columns = (objects.length ? Object.keys(objects[0]!) : meta.schema.slice(1).filter((s) => !s.num_children).map((s) => s.name)).slice(0, 30);
    base.rows = objects.map((o) => base.columns.map((c) => cell(o[c])));
    base.more = rows > objects.length;
  } catch (e) {
    base.note = `No preview: ${(e as Error).message}`;
  }
  return base;
}
