// JSON values as profiles, triggers and request logs hold them.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Attributes = Record<string, Json>;
