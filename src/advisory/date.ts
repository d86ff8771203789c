/** Advisory dates: `YYYY-MM-DD`, a real calendar date, year 2000..=2100 (rustsec `date.rs`). */
import { YEAR_MAX, YEAR_MIN } from "./id.js";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Returns the error message, or null when `text` is a valid advisory date. */
export function validateDate(text: string): string | null {
  const m = DATE.exec(text);
  if (m === null) return `invalid date: ${text}`;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return `invalid date: ${text}`;
  }
  if (year < YEAR_MIN || year > YEAR_MAX) {
    return `year must be between ${YEAR_MIN} and ${YEAR_MAX}: ${text}`;
  }
  return null;
}

/** The year of a date already validated with `validateDate`. */
export const dateYear = (date: string): number => Number(date.slice(0, 4));

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}
