/**
 * An ordered header list: fields kept in the order and case they arrived (for logs and for
 * callers that care), looked up without regard to case.
 */
export class HeaderList {
  private readonly names: string[] = [];
  private readonly values: string[] = [];
  /** Lower-case names, made on the first lookup: the parser's own lookups do not need them. */
  private lower: string[] | null = null;

  /** Appends a field; nothing is merged, so repeated fields stay separate. */
  add(name: string, value: string): void {
    this.names.push(name);
    this.values.push(value);
    if (this.lower) this.lower.push(name.toLowerCase());
  }

  private get lowerNames(): string[] {
    if (!this.lower) this.lower = this.names.map((n) => n.toLowerCase());
    return this.lower;
  }

  /** The value of the field at `index` in arrival order. */
  valueAt(index: number): string {
    return this.values[index];
  }

  get size(): number {
    return this.names.length;
  }

  has(name: string): boolean {
    return this.lowerNames.indexOf(name.toLowerCase()) >= 0;
  }

  /**
   * The field's value; repeated fields are joined with ", " as RFC 9110 section 5.3 allows
   * (Set-Cookie is the exception that must not be joined: use `getAll` for it).
   */
  get(name: string): string | undefined {
    const all = this.getAll(name);
    return all.length === 0 ? undefined : all.join(", ");
  }

  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0; i < this.lowerNames.length; i++) if (this.lowerNames[i] === lower) out.push(this.values[i]);
    return out;
  }

  /** [name, value] pairs in arrival order, original case. */
  entries(): [string, string][] {
    const out: [string, string][] = [];
    for (let i = 0; i < this.names.length; i++) out.push([this.names[i], this.values[i]]);
    return out;
  }

  /** Appends `extra` to the last field's value: how an obsolete folded line continues a field. */
  appendToLast(extra: string): boolean {
    const last = this.values.length - 1;
    if (last < 0) return false;
    this.values[last] = this.values[last] === "" ? extra : `${this.values[last]} ${extra}`;
    return true;
  }

  /** Comma-separated tokens of a field, lower-cased and trimmed, across repeated fields. */
  tokens(name: string): string[] {
    return listTokens(this.getAll(name));
  }
}

/** Comma-separated list elements of field values, lower-cased and trimmed, empty ones dropped. */
export function listTokens(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const part of v.split(",")) {
      const t = part.trim().toLowerCase();
      if (t) out.push(t);
    }
  }
  return out;
}
