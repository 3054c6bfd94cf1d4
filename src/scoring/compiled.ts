// A scoring program prepared for the hot path: the enricher runs for every user of every
// /users/track batch, so event names are looked up in a map instead of scanning every action
// group, and entry triggers are sets. Built once per parsed program (programs are immutable).
import type { UserEvent } from '../domain/index.js';
import type { Filter } from './filters.js';
import { matchesPropertyFilters } from './filters.js';
import { inactivityWindowMs, type ActionGroup, type ScoringProgram } from './schema.js';

interface GroupCandidate {
  group: ActionGroup;
  filters: readonly Filter[] | undefined;
}

export interface CompiledProgram {
  readonly program: ScoringProgram;
  /** Per event name, the (group, property filters) pairs listing it, in program order. */
  readonly candidates: ReadonlyMap<string, readonly GroupCandidate[]>;
  /** Events that let a user in; undefined when the program has no entry (any event does). */
  readonly entryEvents: ReadonlySet<string> | undefined;
  readonly entryAttributes: ReadonlySet<string>;
  readonly windowMs: number | undefined;
}

const cache = new WeakMap<ScoringProgram, CompiledProgram>();

export function compileProgram(program: ScoringProgram): CompiledProgram {
  let compiled = cache.get(program);
  if (compiled) return compiled;
  const candidates = new Map<string, GroupCandidate[]>();
  for (const group of program.action_groups)
    for (const event of group.events) {
      let list = candidates.get(event.name);
      if (!list) candidates.set(event.name, (list = []));
      list.push({ group, filters: event.property_filters });
    }
  compiled = {
    program,
    candidates,
    entryEvents: program.entry ? new Set(program.entry.events ?? []) : undefined,
    entryAttributes: new Set(program.entry?.attribute_changes ?? []),
    windowMs: inactivityWindowMs(program),
  };
  cache.set(program, compiled);
  return compiled;
}

/** Same answer as matchActionGroup: the first group, in program order, listing a matching event. */
export function compiledActionGroup(compiled: CompiledProgram, event: Pick<UserEvent, 'name' | 'properties'>, now: Date): ActionGroup | undefined {
  const list = compiled.candidates.get(event.name);
  if (!list) return undefined;
  for (const candidate of list) if (matchesPropertyFilters(candidate.filters, event.properties ?? {}, now)) return candidate.group;
  return undefined;
}

/** Same answer as entryTriggered for an enabled program and one event. */
export const entryByEvent = (compiled: CompiledProgram, event: string): boolean => compiled.entryEvents === undefined || compiled.entryEvents.has(event);

/** Same answer as entryTriggered for an enabled program and the batch's changed attributes. */
export const entryByAttributes = (compiled: CompiledProgram, changed: readonly string[]): boolean =>
  compiled.entryEvents !== undefined && changed.some((a) => compiled.entryAttributes.has(a));
