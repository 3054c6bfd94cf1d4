export { applyOp, applyAttributeOps, diffAttributes, AttributeOpError } from './apply.js';
export { jsonEquals, cloneJson, uniqueValues, setOwn } from './json.js';
export { attributeValueToOps, attributesToOps } from './from-attributes.js';
