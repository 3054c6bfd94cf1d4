// Turns a date filter input into a ZonedTime the way Ruby Liquid's Utils.to_date does:
// 'now'/'today', integers and digit strings (Unix seconds), Time.parse-style strings.
// Strings without an offset are read in UTC.
import { ZonedTime } from './zoned-time.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const ZONE_ABBREVIATIONS: Record<string, number> = {
  UTC: 0, UT: 0, GMT: 0, Z: 0,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  CET: 60, CEST: 120, BST: 60, IST: 330, JST: 540,
};

interface Fields {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

function parseZone(text: string | undefined): { offset: number; name: string } | undefined {
  if (!text) return undefined;
  const upper = text.toUpperCase();
  if (upper in ZONE_ABBREVIATIONS) return { offset: ZONE_ABBREVIATIONS[upper]!, name: upper === 'Z' ? 'UTC' : upper };
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
  return { offset, name: '' };
}

const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([ap]\.?m\.?)?`;
const ZONE = String.raw`(Z|[A-Z]{1,4}|[+-]\d{1,2}(?::?\d{2})?)`;
const ISO = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s]+${TIME})?\s*${ZONE}?$`, 'i');
const SLASHED = new RegExp(String.raw`^(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+${TIME})?\s*${ZONE}?$`, 'i');
const MONTH_NAME = String.raw`(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?`;
// "Fri Jul 16 01:00:00 2004", "July 5, 2006 10:00", "Jul 16 2004"
const MONTH_FIRST = new RegExp(String.raw`^(?:[a-z]+,?\s+)?${MONTH_NAME}\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(?:${TIME}\s+)?(\d{4})(?:\s+${TIME})?\s*${ZONE}?$`, 'i');
// "Mon, 15 Jun 2020 14:30:45 -0400", "5 July 2006"
const DAY_FIRST = new RegExp(String.raw`^(?:[a-z]+,?\s+)?(\d{1,2})\s+${MONTH_NAME},?\s+(\d{4})(?:\s+${TIME})?\s*${ZONE}?$`, 'i');

function hour24(hour: string, meridian: string | undefined): number {
  const h = Number(hour);
  if (!meridian) return h;
  const pm = meridian.toLowerCase().startsWith('p');
  return (h % 12) + (pm ? 12 : 0);
}

function time(m: RegExpExecArray, at: number): Pick<Fields, 'hour' | 'minute' | 'second' | 'ms'> {
  if (m[at] === undefined) return { hour: 0, minute: 0, second: 0, ms: 0 };
  return {
    hour: hour24(m[at]!, m[at + 4]),
    minute: Number(m[at + 1]),
    second: Number(m[at + 2] ?? 0),
    ms: m[at + 3] ? Math.round(Number(`0.${m[at + 3]}`) * 1000) : 0,
  };
}

function build(f: Fields, zoneText: string | undefined): ZonedTime | undefined {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > 31 || f.hour > 24 || f.minute > 59 || f.second > 60) return undefined;
  const zone = parseZone(zoneText);
  if (zoneText && !zone) return undefined;
  const wallMs = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.ms);
  if (!zone) return new ZonedTime(wallMs, 0, 'UTC');
  return new ZonedTime(wallMs - zone.offset * 60_000, zone.offset, zone.name);
}

export function parseTimeString(input: string): ZonedTime | undefined {
  const text = input.trim();
  let m = ISO.exec(text) ?? SLASHED.exec(text);
  if (m) return build({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), ...time(m, 4) }, m[9]);
  m = MONTH_FIRST.exec(text);
  if (m) {
    const month = MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase()) + 1;
    const t = m[3] !== undefined ? time(m, 3) : time(m, 9);
    return build({ year: Number(m[8]), month, day: Number(m[2]), ...t }, m[14]);
  }
  m = DAY_FIRST.exec(text);
  if (m) {
    const month = MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase()) + 1;
    return build({ year: Number(m[3]), month, day: Number(m[1]), ...time(m, 4) }, m[9]);
  }
  return undefined;
}

/** Ruby Liquid's Utils.to_date; undefined when the input is not a date. */
export function toZonedTime(input: unknown, now: () => Date): ZonedTime | undefined {
  if (input instanceof ZonedTime) return input;
  if (input instanceof Date) return Number.isNaN(input.getTime()) ? undefined : ZonedTime.utc(input);
  if (typeof input === 'number') return Number.isFinite(input) ? new ZonedTime(Math.trunc(input) * 1000) : undefined;
  if (typeof input !== 'string' || input === '') return undefined;
  const lower = input.toLowerCase();
  if (lower === 'now' || lower === 'today') return ZonedTime.utc(now());
  if (/^\d+$/.test(input)) return new ZonedTime(Number(input) * 1000);
  return parseTimeString(input);
}
