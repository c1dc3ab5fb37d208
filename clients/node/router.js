// @ts-check
// The modelrouter.v1 API for Node: a typed RouterService client and a reader for
// the error details (google.rpc.ErrorInfo, ...) that every failed call carries.
//
// The .proto files are loaded at run time from ./proto (copied there by
// tools/generate_node.sh); the types in ./generated were made from the same files
// with the same LOADER_OPTIONS. keepCase keeps the proto field names, so objects
// use `max_output_tokens`, as in the .proto, grpcurl and the other clients.
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

/** @typedef {import('./generated/router').ProtoGrpcType} RouterGrpcType */
/** @typedef {import('./generated/modelrouter/v1/RouterService').RouterServiceClient} RouterServiceClient */
/** @typedef {import('./generated/google/rpc/Status').Status__Output} Status */
/** @typedef {import('./generated/google/rpc/ErrorInfo').ErrorInfo__Output} ErrorInfo */
/** @typedef {import('./generated/google/rpc/PreconditionFailure').PreconditionFailure__Output} PreconditionFailure */

/**
 * Keep in step with the flags of proto-loader-gen-types in tools/generate_node.sh.
 * int64 fields arrive as decimal strings, enums as their names, and every field
 * that the server left unset as its default value.
 * @type {protoLoader.Options}
 */
const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [path.join(__dirname, 'proto')],
};

const definition = protoLoader.loadSync(
  ['modelrouter/v1/router.proto', 'google/rpc/status.proto', 'google/rpc/error_details.proto'],
  LOADER_OPTIONS,
);
const api = /** @type {RouterGrpcType} */ (/** @type {unknown} */ (grpc.loadPackageDefinition(definition)));

/**
 * A client of modelrouter.v1.RouterService at `address` ("host:port").
 * Pass grpc.credentials.createSsl() for a server behind TLS, and client options
 * such as `{ interceptors: [...] }` (example.js adds its API key with one).
 * @param {string} address
 * @param {grpc.ChannelCredentials} [credentials] insecure (plaintext) when omitted
 * @param {grpc.ClientOptions} [options]
 * @returns {RouterServiceClient}
 */
function createClient(address, credentials = grpc.credentials.createInsecure(), options = {}) {
  return new api.modelrouter.v1.RouterService(address, credentials, options);
}

/**
 * Decodes one message type from the loaded files.
 * @param {string} name the full name, e.g. "google.rpc.Status"
 * @param {Buffer} bytes
 * @returns {object}
 */
function decode(name, bytes) {
  const type = /** @type {protoLoader.MessageTypeDefinition<object, object>} */ (definition[name]);
  return type.deserialize(bytes);
}

/**
 * @typedef {object} ErrorDetails
 * @property {ErrorInfo} [errorInfo] why the call failed: `reason` (an UPPER_SNAKE
 *   code such as NO_ELIGIBLE_MODEL), `domain` ("modelrouter.v1") and `metadata`
 * @property {PreconditionFailure} [preconditionFailure] for NO_ELIGIBLE_MODEL: every
 *   rejected model (`subject`) with its reason (`type`)
 */

/**
 * The details of a failed call, read from its grpc-status-details-bin trailer (a
 * google.rpc.Status). Both are undefined when the error carries none, e.g. for a
 * deadline that the client noticed first.
 * @param {grpc.ServiceError} error
 * @returns {ErrorDetails}
 */
function errorDetails(error) {
  /** @type {ErrorDetails} */
  const found = {};
  const [raw] = error.metadata?.get('grpc-status-details-bin') ?? [];
  if (!Buffer.isBuffer(raw)) return found;
  const status = /** @type {Status} */ (decode('google.rpc.Status', raw));
  for (const any of status.details) {
    const type = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
    if (type === 'google.rpc.ErrorInfo') {
      found.errorInfo = /** @type {ErrorInfo} */ (decode(type, any.value));
    } else if (type === 'google.rpc.PreconditionFailure') {
      found.preconditionFailure = /** @type {PreconditionFailure} */ (decode(type, any.value));
    }
  }
  return found;
}

module.exports = { createClient, errorDetails, LOADER_OPTIONS };
