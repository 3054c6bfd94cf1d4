// A point in time plus the UTC offset it is displayed in, like Ruby's Time. Dates render in
// UTC unless parsed with an explicit offset or converted with `time_zone`.

export class ZonedTime {
  constructor(
    /** Milliseconds since the Unix epoch. */
    public readonly ms: number,
    /** Offset from UTC in minutes (east positive), as Ruby's utc_offset / 60. */
    public readonly offsetMinutes = 0,
    /** Zone abbreviation for %Z ("UTC", "PDT"); empty for a bare numeric offset. */
    public readonly zoneName = offsetMinutes === 0 ? 'UTC' : '',
  ) {}

  static utc(date: Date): ZonedTime {
    return new ZonedTime(date.getTime(), 0, 'UTC');
  }

  /** Wall-clock fields in this time's offset, read through a UTC Date. */
  wall(): Date {
    return new Date(this.ms + this.offsetMinutes * 60_000);
  }

  /** Ruby's Time#to_s: "2021-08-04 02:00:00 -0700" (UTC prints " UTC"). */
  toString(): string {
    const w = this.wall();
    const p = (n: number) => String(n).padStart(2, '0');
    const zone = this.zoneName === 'UTC' && this.offsetMinutes === 0 ? 'UTC' : formatOffset(this.offsetMinutes, '');
    return `${w.getUTCFullYear()}-${p(w.getUTCMonth() + 1)}-${p(w.getUTCDate())} ${p(w.getUTCHours())}:${p(w.getUTCMinutes())}:${p(w.getUTCSeconds())} ${zone}`;
  }

  /** Output and comparisons see the Ruby string form. */
  valueOf(): string {
    return this.toString();
  }

  toJSON(): string {
    return this.toString();
  }
}

export function formatOffset(minutes: number, separator: string): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${separator}${String(abs % 60).padStart(2, '0')}`;
}

/** Offset in minutes of an IANA zone at an instant; throws RangeError for unknown zones. */
export function zoneOffsetMinutes(zone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** Short zone name ("PDT", "CET", or "GMT+2" where no abbreviation exists). */
export function zoneAbbreviation(zone: string, ms: number): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' })
    .formatToParts(new Date(ms))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}

/** The same instant shown in an IANA zone (Braze's `time_zone` filter). */
export function inZone(time: ZonedTime, zone: string): ZonedTime {
  if (zone.toUpperCase() === 'UTC') return new ZonedTime(time.ms, 0, 'UTC');
  return new ZonedTime(time.ms, zoneOffsetMinutes(zone, time.ms), zoneAbbreviation(zone, time.ms));
}
