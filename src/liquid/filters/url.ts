// Braze's URL filters. url_escape leaves URL syntax characters alone (Ruby's URI escape);
// url_param_escape also escapes them, & included; url_encode is Ruby's CGI.escape.
import type { FilterImplOptions } from 'liquidjs';
import { toText } from './text.js';

function percentEncode(text: string, keep: RegExp): string {
  let out = '';
  for (const char of text) {
    if (keep.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const URI_SAFE = /^[-_.!~*'()A-Za-z0-9;/?:@&=+$,[\]]$/;
const UNRESERVED = /^[-_.~A-Za-z0-9]$/;

export const urlFilters: Record<string, FilterImplOptions> = {
  url_escape: (input: unknown) => percentEncode(toText(input), URI_SAFE),
  url_param_escape: (input: unknown) => percentEncode(toText(input), UNRESERVED),
  url_encode: (input: unknown) => (input === undefined || input === null ? input : percentEncode(toText(input), /^[-_.~A-Za-z0-9 ]$/).replace(/ /g, '+')),
};
