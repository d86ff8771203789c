/**
 * Token expiry as given on the command line (`--expires 90d`).
 *
 * - `never` (also `none`): no expiry (crates.io's "no expiration").
 * - `<n>h`, `<n>d`, `<n>w`: n hours / days / weeks from `now` (n a positive integer).
 * - `YYYY-MM-DD`: midnight UTC at the start of that day (the token works until that date).
 * - `YYYY-MM-DDTHH:MM[:SS[.sss]](Z|±HH:MM)`: that instant; the offset is required.
 *
 * The result must lie in the future and at most {@link MAX_TOKEN_LIFETIME_DAYS} days away.
 */
import type { ParseResult } from "./scopes.js";

/** What crates.io's token page proposes by default. */
export const DEFAULT_TOKEN_EXPIRY = "90d";
/** Upper bound for an explicit expiry: ten years (a typo such as `9000d` is refused). */
export const MAX_TOKEN_LIFETIME_DAYS = 3660;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const UNITS: Readonly<Record<string, number>> = { h: HOUR, d: DAY, w: 7 * DAY };

function checkRange(expiresAt: Date, now: Date, text: string): ParseResult<Date | null> {
  if (Number.isNaN(expiresAt.getTime())) return { ok: false, reason: `invalid expiry \`${text}\`` };
  if (expiresAt.getTime() <= now.getTime()) {
    return { ok: false, reason: `expiry \`${text}\` is not in the future` };
  }
  if (expiresAt.getTime() - now.getTime() > MAX_TOKEN_LIFETIME_DAYS * DAY) {
    return {
      ok: false,
      reason: `expiry \`${text}\` is more than ${MAX_TOKEN_LIFETIME_DAYS} days away; use \`never\` for a token without expiry`,
    };
  }
  return { ok: true, value: expiresAt };
}

function validCalendarDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** The expiry instant for `text` relative to `now`, or null for `never`. */
export function parseExpiry(text: string, now: Date = new Date()): ParseResult<Date | null> {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (lower === "never" || lower === "none") return { ok: true, value: null };

  const relative = /^(\d{1,6})([hdw])$/i.exec(s);
  if (relative) {
    const n = Number(relative[1]);
    const unit = UNITS[(relative[2] ?? "").toLowerCase()] ?? DAY;
    if (n <= 0) return { ok: false, reason: `expiry \`${text}\` must be a positive duration` };
    return checkRange(new Date(now.getTime() + n * unit), now, text);
  }

  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (!validCalendarDate(y, m, d)) return { ok: false, reason: `invalid date \`${text}\`` };
    return checkRange(new Date(Date.UTC(y, m - 1, d)), now, text);
  }

  const instant =
    /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.exec(
      s,
    );
  if (instant) {
    const [y, m, d] = [Number(instant[1]), Number(instant[2]), Number(instant[3])];
    const [hh, mm, ss] = [Number(instant[4]), Number(instant[5]), Number(instant[6] ?? "0")];
    if (!validCalendarDate(y, m, d) || hh > 23 || mm > 59 || ss > 59) {
      return { ok: false, reason: `invalid date-time \`${text}\`` };
    }
    return checkRange(new Date(s), now, text);
  }

  return {
    ok: false,
    reason: `invalid expiry \`${text}\`: expected \`never\`, a duration such as \`90d\`, \`12h\` or \`2w\`, or a date such as \`2027-01-01\``,
  };
}
