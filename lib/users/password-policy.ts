import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";
import { DomainError } from "@/lib/errors";

/**
 * zxcvbn's score runs 0–4; 3 means about 10^8 guesses or more ("safely unguessable" against an
 * online attack and a slowed-down offline one). Anything below is refused.
 */
export const MIN_PASSWORD_SCORE = 3;

let estimator: ZxcvbnFactory | null = null;

/** Built on first use: the common-password and word lists are large, and only sign-up and password changes need them. */
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: adjacencyGraphs });
  return estimator;
}

/** Why zxcvbn found a password weak, as a sentence for the person choosing it. */
const WHY: Record<string, string> = {
  topTen: "it is one of the ten most used passwords",
  topHundred: "it is one of the hundred most used passwords",
  common: "it is on lists of commonly used and breached passwords",
  similarToCommon: "it is a small change to a commonly used password",
  wordByItself: "a single word is easy to guess",
  namesByThemselves: "a name on its own is easy to guess",
  commonNames: "common names are easy to guess",
  userInputs: "it contains your name or email address",
  straightRow: "it is a row of keys on the keyboard",
  keyPattern: "it is a short keyboard pattern",
  simpleRepeat: 'it repeats a character ("aaa")',
  extendedRepeat: 'it repeats a pattern ("abcabcabc")',
  sequences: 'it is a sequence ("abcd", "1234")',
  recentYears: "it is built on a recent year",
  dates: "it is built on a date",
  pwned: "it has appeared in a data breach",
};

export interface PasswordVerdict {
  ok: boolean;
  /** zxcvbn's score, 0–4. */
  score: number;
  /** zxcvbn's warning key when weak (`common`, `sequences`…), else null. */
  warning: string | null;
}

/**
 * Rate a password with zxcvbn (common and breached passwords, dictionary words, patterns);
 * `userInputs` are the person's own name and email.
 */
export function ratePassword(password: string, userInputs: string[] = []): PasswordVerdict {
  const result = zxcvbn().check(password.slice(0, 200), userInputs.filter(Boolean));
  return {
    ok: result.score >= MIN_PASSWORD_SCORE,
    score: result.score,
    warning: result.score >= MIN_PASSWORD_SCORE ? null : (result.feedback.warning ?? null),
  };
}

/**
 * Refuse a password a guesser would try early, saying why: `invalid` with reason `weak_password`
 * and `details.issues` on `password`, as the sign-up and password forms show field errors.
 */
export function assertStrongPassword(password: string, userInputs: string[] = [], field = "password"): void {
  const verdict = ratePassword(password, userInputs);
  if (verdict.ok) return;
  const why = (verdict.warning && WHY[verdict.warning]) ?? "it would be guessed quickly";
  const message = `Choose a harder password: ${why}. Several unrelated words make a strong one.`;
  throw new DomainError("invalid", message, {
    reason: "weak_password",
    details: { issues: [{ path: field, message }], score: verdict.score, warning: verdict.warning },
  });
}
