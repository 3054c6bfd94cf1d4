// The error catalogue: stable codes with their HTTP status, and the coded error every stage
// throws. It imports nothing else of src/, so every folder may use it.
export { ERROR_CATALOGUE, ERROR_CODES, isErrorCode, statusOf, type ErrorCode, type ErrorEntry } from './catalogue.js';
export { CodedError, codedErrorOf, hasCode, inContext, notFound, type CodedErrorOptions, type CodedErrorView, type FieldProblem } from './coded-error.js';
