// Input coercion shared by the Braze filters: Ruby Liquid's to_s (nil is '', hashes and arrays
// as Ruby inspects them), since Braze runs the filters over Ruby values.
export { toS as toText } from '../ruby-compat/index.js';
