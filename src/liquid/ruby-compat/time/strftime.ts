// Ruby's Time#strftime: every conversion Ruby supports, with the -, _, 0, ^ and # flags,
// field widths and the %:z / %::z offset forms.
import { ZonedTime, formatOffset } from './zoned-time.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function dayOfYear(w: Date): number {
  return Math.floor((Date.UTC(w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate()) - Date.UTC(w.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

/** ISO 8601 week-based year and week number. */
function isoWeek(w: Date): { year: number; week: number } {
  const day = Date.UTC(w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate());
  const weekday = (w.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(day - weekday * 86_400_000 + 3 * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return { year, week };
}

/** Week of the year where weeks start on `firstDay` (0 = Sunday for %U, 1 = Monday for %W). */
function weekOfYear(w: Date, firstDay: number): number {
  const yday = dayOfYear(w) - 1;
  const wday = (w.getUTCDay() - firstDay + 7) % 7;
  return Math.floor((yday + 7 - wday) / 7);
}

type Pad = '0' | ' ' | '';

interface Conversion {
  value: string | number;
  pad: Pad;
  width: number;
}

function convert(t: ZonedTime, w: Date, code: string, colons: number): Conversion | string | undefined {
  const h12 = w.getUTCHours() % 12 || 12;
  const num = (value: number, width: number, pad: Pad = '0'): Conversion => ({ value, width, pad });
  switch (code) {
    case 'Y': return num(w.getUTCFullYear(), 1);
    case 'C': return num(Math.floor(w.getUTCFullYear() / 100), 2);
    case 'y': return num(w.getUTCFullYear() % 100, 2);
    case 'm': return num(w.getUTCMonth() + 1, 2);
    case 'B': return MONTHS[w.getUTCMonth()]!;
    case 'b': case 'h': return MONTHS[w.getUTCMonth()]!.slice(0, 3);
    case 'd': return num(w.getUTCDate(), 2);
    case 'e': return num(w.getUTCDate(), 2, ' ');
    case 'j': return num(dayOfYear(w), 3);
    case 'H': return num(w.getUTCHours(), 2);
    case 'k': return num(w.getUTCHours(), 2, ' ');
    case 'I': return num(h12, 2);
    case 'l': return num(h12, 2, ' ');
    case 'P': return w.getUTCHours() < 12 ? 'am' : 'pm';
    case 'p': return w.getUTCHours() < 12 ? 'AM' : 'PM';
    case 'M': return num(w.getUTCMinutes(), 2);
    case 'S': return num(w.getUTCSeconds(), 2);
    case 'L': return num(w.getUTCMilliseconds(), 3);
    case 'N': return String(w.getUTCMilliseconds()).padStart(3, '0') + '000000';
    case 'z': return formatOffset(t.offsetMinutes, colons > 0 ? ':' : '') + (colons > 1 ? ':00' : '');
    case 'Z': return t.zoneName;
    case 'A': return DAYS[w.getUTCDay()]!;
    case 'a': return DAYS[w.getUTCDay()]!.slice(0, 3);
    case 'u': return num(w.getUTCDay() || 7, 1);
    case 'w': return num(w.getUTCDay(), 1);
    case 'G': return num(isoWeek(w).year, 1);
    case 'g': return num(isoWeek(w).year % 100, 2);
    case 'V': return num(isoWeek(w).week, 2);
    case 'U': return num(weekOfYear(w, 0), 2);
    case 'W': return num(weekOfYear(w, 1), 2);
    case 's': return num(Math.floor(t.ms / 1000), 1);
    case 'n': return '\n';
    case 't': return '\t';
    case '%': return '%';
    case 'c': return strftime(t, '%a %b %e %H:%M:%S %Y');
    case 'D': case 'x': return strftime(t, '%m/%d/%y');
    case 'F': return strftime(t, '%Y-%m-%d');
    case 'T': case 'X': return strftime(t, '%H:%M:%S');
    case 'R': return strftime(t, '%H:%M');
    case 'r': return strftime(t, '%I:%M:%S %p');
    case 'v': return strftime(t, '%e-%^b-%Y');
    case '+': return strftime(t, '%a %b %e %H:%M:%S %Z %Y');
    default: return undefined;
  }
}

const DIRECTIVE = /%([-_0^#]*)(\d*)(:{0,2})([a-zA-Z%+])/g;

export function strftime(t: ZonedTime, format: string): string {
  const w = t.wall();
  return format.replace(DIRECTIVE, (whole, flags: string, widthText: string, colons: string, code: string) => {
    const result = convert(t, w, code, colons.length);
    if (result === undefined || (colons && code !== 'z')) return whole;
    // %N's width is a digit count: %3N is milliseconds, %9N nanoseconds.
    if (code === 'N') return String(result).slice(0, widthText ? Number(widthText) : 9).padEnd(Number(widthText || 9), '0');
    let text: string;
    let pad: Pad = ' ';
    let width = widthText ? Number(widthText) : 0;
    if (typeof result === 'string') {
      text = result;
    } else {
      const negative = typeof result.value === 'number' && result.value < 0;
      text = String(Math.abs(Number(result.value)));
      pad = result.pad;
      if (!widthText) width = result.width;
      if (flags.includes('-')) pad = '';
      else if (flags.includes('_')) pad = ' ';
      else if (flags.includes('0')) pad = '0';
      if (negative) text = '-' + text;
    }
    if (flags.includes('^')) text = text.toUpperCase();
    else if (flags.includes('#')) text = text === text.toUpperCase() ? text.toLowerCase() : text.toUpperCase();
    if (typeof result === 'string' && flags.includes('0')) pad = '0';
    if (typeof result === 'string' && flags.includes('-')) pad = '';
    return pad && text.length < width ? text.padStart(width, pad) : text;
  });
}
