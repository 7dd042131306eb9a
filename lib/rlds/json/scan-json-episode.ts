import { DomainError } from "@/lib/errors";

export interface JsonEpisodeHandlers {
  /** A top-level member other than `steps`, minified (whitespace outside strings removed). */
  onMember(key: string, raw: Buffer, line: number): void;
  /** One element of the top-level `steps` array, minified; `index` is 0-based, `line` where it starts. */
  onStep(raw: Buffer, index: number, line: number): void;
  /** A `steps` element longer than the cap; it was skipped without being buffered. */
  onStepTooLong(index: number, line: number): void;
}

export interface JsonEpisodeScanOptions {
  maxStepBytes: number;
  maxMemberBytes: number;
  /** Label for messages (the file name inside an archive, or "the JSON document"). */
  source: string;
}

const enum State {
  BeforeRoot,
  KeyOrEnd,
  Key,
  KeyString,
  Colon,
  ValueStart,
  Capture,
  AfterMember,
  StepOrEnd,
  Step,
  AfterStep,
  AfterRoot,
}

const enum Target {
  Member,
  Step,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_KEY_BYTES = 4096;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Streams a single-JSON episode `{"metadata": {…}, "steps": [ … ], …}` and hands out each top-level
 * member and each step as raw minified bytes, holding at most one step (capped) in memory.
 *
 * Hand-written on purpose. It only finds value boundaries (tracking strings, escapes and nesting
 * depth); V8's `JSON.parse` then parses each step, so every byte of JSON grammar is still checked
 * by a hardened parser. A token-level library (stream-json) would re-assemble values and lose the
 * number lexemes the canonical step keeps, and its own README says it is not meant for untrusted
 * input; here every buffer is capped.
 */
export class JsonEpisodeScanner {
  private state = State.BeforeRoot;
  private line = 1;
  private key: number[] = [];
  private keyEscape = false;
  private currentKey = "";
  private capture: Buffer = Buffer.allocUnsafe(64 * 1024);
  private captureLength = 0;
  private captureTarget = Target.Member;
  private captureLine = 1;
  private captureSkipping = false;
  private depth = 0;
  private inString = false;
  private escape = false;
  private primitive = false;
  private stepIndex = 0;
  private sawSteps = false;
  private afterComma = false;

  constructor(
    private readonly handlers: JsonEpisodeHandlers,
    private readonly options: JsonEpisodeScanOptions,
  ) {}

  /** Whether the document had a top-level `steps` member. */
  get hasSteps(): boolean {
    return this.sawSteps;
  }

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const byte = chunk[i]!;
      switch (this.state) {
        case State.Capture:
        case State.Step: {
          i = this.captureBytes(chunk, i);
          continue;
        }
        case State.BeforeRoot:
          if (!isSpace(byte)) {
            // A UTF-8 byte-order mark (EF BB BF, possibly split across chunks) is tolerated before the root.
            if (byte === 0xef || byte === 0xbb || byte === 0xbf) {
              i += 1;
              continue;
            }
            if (byte !== 0x7b) this.fail("the document is not a JSON object");
            this.state = State.KeyOrEnd;
          }
          break;
        case State.KeyOrEnd:
        case State.Key:
          if (!isSpace(byte)) {
            if (byte === 0x7d && this.state === State.KeyOrEnd) this.state = State.AfterRoot;
            else if (byte === QUOTE) {
              this.key = [];
              this.keyEscape = false;
              this.state = State.KeyString;
            } else this.fail("expected a member name");
          }
          break;
        case State.KeyString:
          if (this.keyEscape) {
            this.keyEscape = false;
            this.key.push(byte);
          } else if (byte === BACKSLASH) {
            this.keyEscape = true;
            this.key.push(byte);
          } else if (byte === QUOTE) {
            this.currentKey = this.decodeKey();
            this.state = State.Colon;
          } else {
            this.key.push(byte);
            if (this.key.length > MAX_KEY_BYTES) this.fail("a member name is too long");
          }
          break;
        case State.Colon:
          if (!isSpace(byte)) {
            if (byte !== 0x3a) this.fail('expected ":" after a member name');
            this.state = State.ValueStart;
          }
          break;
        case State.ValueStart:
          if (!isSpace(byte)) {
            if (this.currentKey === "steps") {
              if (byte !== 0x5b) this.fail('"steps" is not an array');
              if (this.sawSteps) this.fail('"steps" appears twice');
              this.sawSteps = true;
              this.state = State.StepOrEnd;
            } else {
              this.beginCapture(Target.Member, byte);
              continue;
            }
          }
          break;
        case State.AfterMember:
          if (!isSpace(byte)) {
            if (byte === 0x2c) this.state = State.Key;
            else if (byte === 0x7d) this.state = State.AfterRoot;
            else this.fail('expected "," or "}" after a member');
          }
          break;
        case State.StepOrEnd:
        case State.AfterStep:
          if (!isSpace(byte)) {
            if (byte === 0x5d) {
              if (this.afterComma) this.fail('a "," is followed by "]"');
              this.state = State.AfterMember;
            } else if (this.state === State.AfterStep) {
              if (byte !== 0x2c) this.fail('expected "," or "]" after a step');
              this.state = State.StepOrEnd;
              this.afterComma = true;
            } else {
              this.afterComma = false;
              this.beginCapture(Target.Step, byte);
              continue;
            }
          }
          break;
        case State.AfterRoot:
          if (!isSpace(byte)) this.fail("unexpected data after the end of the document");
          break;
      }
      if (byte === 0x0a) this.line += 1;
      i += 1;
    }
  }

  /** Call at the end of the input: refuses a document that stopped early. */
  end(): void {
    if (this.state === State.Capture && this.primitive && this.depth === 0) this.finishCapture();
    if (this.state !== State.AfterRoot) {
      this.fail(this.state === State.BeforeRoot ? "the document is empty" : "the document ends early");
    }
  }

  private beginCapture(target: Target, first: number): void {
    this.captureTarget = target;
    this.captureLength = 0;
    this.captureLine = this.line;
    this.captureSkipping = false;
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.primitive = !(first === 0x7b || first === 0x5b || first === QUOTE);
    this.state = target === Target.Step ? State.Step : State.Capture;
  }

  /** Consume bytes of the value being captured; returns the index of the first byte not consumed. */
  private captureBytes(chunk: Buffer, from: number): number {
    const n = chunk.length;
    let runStart = from;
    let i = from;
    for (; i < n; i++) {
      const byte = chunk[i]!;
      if (byte === 0x0a) this.line += 1;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (byte === BACKSLASH) this.escape = true;
        else if (byte === QUOTE) {
          this.inString = false;
          if (this.depth === 0 && !this.primitive) {
            this.append(chunk, runStart, i + 1);
            this.finishCapture();
            return i + 1;
          }
        }
        continue;
      }
      if (isSpace(byte)) {
        this.append(chunk, runStart, i);
        runStart = i + 1;
        if (this.primitive && this.depth === 0 && this.captureLength > 0) {
          this.finishCapture();
          return i + 1;
        }
        continue;
      }
      if (byte === QUOTE) {
        this.inString = true;
      } else if (byte === 0x7b || byte === 0x5b) {
        if (this.primitive) {
          this.append(chunk, runStart, i);
          this.finishCapture();
          return i;
        }
        this.depth += 1;
      } else if (byte === 0x7d || byte === 0x5d) {
        if (this.primitive || this.depth === 0) {
          this.append(chunk, runStart, i);
          this.finishCapture();
          return i;
        }
        this.depth -= 1;
        if (this.depth === 0) {
          this.append(chunk, runStart, i + 1);
          this.finishCapture();
          return i + 1;
        }
      } else if (byte === 0x2c && (this.primitive || this.depth === 0)) {
        this.append(chunk, runStart, i);
        this.finishCapture();
        return i;
      }
    }
    this.append(chunk, runStart, n);
    return n;
  }

  private append(chunk: Buffer, start: number, end: number): void {
    if (end <= start || this.captureSkipping) return;
    const length = end - start;
    const cap = this.captureTarget === Target.Step ? this.options.maxStepBytes : this.options.maxMemberBytes;
    if (this.captureLength + length > cap) {
      if (this.captureTarget === Target.Member) {
        throw new DomainError(
          "invalid",
          `${this.options.source}: member "${this.currentKey}" (line ${this.captureLine}) is larger than ${cap} bytes.`,
          { reason: this.currentKey === "metadata" ? "invalid_metadata" : "entry_too_large" },
        );
      }
      this.captureSkipping = true;
      return;
    }
    if (this.captureLength + length > this.capture.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.capture.length * 2, this.captureLength + length));
      this.capture.copy(grown, 0, 0, this.captureLength);
      this.capture = grown;
    }
    chunk.copy(this.capture, this.captureLength, start, end);
    this.captureLength += length;
  }

  private finishCapture(): void {
    if (this.captureTarget === Target.Member) {
      this.handlers.onMember(
        this.currentKey,
        Buffer.from(this.capture.subarray(0, this.captureLength)),
        this.captureLine,
      );
      this.state = State.AfterMember;
    } else {
      if (this.captureSkipping) this.handlers.onStepTooLong(this.stepIndex, this.captureLine);
      else this.handlers.onStep(this.capture.subarray(0, this.captureLength), this.stepIndex, this.captureLine);
      this.stepIndex += 1;
      this.state = State.AfterStep;
    }
    // Do not keep a buffer grown by one huge step for the rest of the document.
    if (this.capture.length > 1024 * 1024) this.capture = Buffer.allocUnsafe(64 * 1024);
  }

  private decodeKey(): string {
    const raw = Buffer.from(this.key).toString("utf8");
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      this.fail("a member name is not a valid JSON string");
    }
  }

  private fail(why: string): never {
    throw new DomainError(
      "invalid",
      `${this.options.source} is not a valid episode document: ${why} (line ${this.line}).`,
      {
        reason: "invalid_json",
        details: { line: this.line },
      },
    );
  }
}
