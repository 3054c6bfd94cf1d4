// Sample recipients for lint renders: every attribute a template references set high, low,
// missing, and to text that needs JSON escaping, so a body that is only sometimes valid JSON
// (a missing attribute, an unescaped quote) is found before it reaches a CRM.
import type { AttributeReference } from '../../liquid/index.js';

export interface Sample {
  name: string;
  context: Record<string, unknown>;
  /** Values contain characters that JSON strings must escape. */
  escapes?: boolean;
  /** Only a reference for `escapes` samples: text where a number may be expected is not reported. */
  reference?: boolean;
}

const DEFAULT_VALUES: Readonly<Record<string, string>> = {
  user_id: 'lint-user',
  first_name: 'Ada',
  last_name: 'Lovelace',
  email_address: 'ada@example.com',
  phone_number: '+15555550100',
  city: 'London',
  country: 'GB',
  language: 'en',
  time_zone: 'Europe/London',
};

const NAMESPACES_WITH_VALUES = ['custom_attribute', 'event_properties', 'canvas_entry_properties', 'api_trigger_properties'];

export function lintSamples(references: readonly AttributeReference[]): Sample[] {
  const byNamespace = new Map<string, Set<string>>();
  const defaults = new Set<string>(['user_id']);
  for (const ref of references) {
    const path = ref.path;
    if (!path) continue;
    if (path.length === 1) defaults.add(path[0]!);
    else if (path.length === 2 && NAMESPACES_WITH_VALUES.includes(path[0]!)) {
      const keys = byNamespace.get(path[0]!) ?? new Set<string>();
      keys.add(path[1]!);
      byNamespace.set(path[0]!, keys);
    }
  }
  type Values = ((key: string) => unknown) | undefined;
  const build = (custom: Values, defaultText: (name: string) => string | undefined): Record<string, unknown> => {
    const context: Record<string, unknown> = { user_id: 'lint-user' };
    for (const name of defaults) {
      const value = defaultText(name);
      if (value !== undefined) context[name] = value;
    }
    for (const namespace of NAMESPACES_WITH_VALUES) {
      const values: Record<string, unknown> = {};
      for (const key of byNamespace.get(namespace) ?? []) if (custom) values[key] = custom(key);
      context[namespace] = values;
    }
    return context;
  };
  const plain = (name: string): string => DEFAULT_VALUES[name] ?? `sample ${name}`;
  const quoted = (text: string): string => `${text} "quoted" \\ text`;
  return [
    { name: 'attributes high (1000)', context: build(() => 1000, plain) },
    { name: 'attributes low (0)', context: build(() => 0, plain) },
    { name: 'attributes missing', context: build(undefined, (name) => (name === 'user_id' ? plain(name) : undefined)) },
    { name: 'default attributes with quotes and backslashes', context: build(() => 1000, (name) => (name === 'user_id' ? plain(name) : quoted(plain(name)))), escapes: true },
    { name: 'custom attributes as plain text', context: build((key) => `${key} text`, plain), reference: true },
    { name: 'custom attributes with quotes and backslashes', context: build((key) => quoted(key), plain), escapes: true },
  ];
}
