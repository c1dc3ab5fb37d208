// Original file: proto/modelrouter/v1/router.proto

import type { ResponseFormatType as _modelrouter_v1_ResponseFormatType, ResponseFormatType__Output as _modelrouter_v1_ResponseFormatType__Output } from '../../modelrouter/v1/ResponseFormatType';

/**
 * ResponseFormat asks for structured output.
 */
export interface ResponseFormat {
  /**
   * The shape of the answer.
   */
  'type'?: (_modelrouter_v1_ResponseFormatType);
  /**
   * With RESPONSE_FORMAT_TYPE_JSON_SCHEMA: the schema's name (letters,
   * digits, "_" and "-", at most 64 characters).
   */
  'schema_name'?: (string);
  /**
   * With RESPONSE_FORMAT_TYPE_JSON_SCHEMA: the JSON Schema, as JSON text.
   */
  'schema'?: (string);
  /**
   * With RESPONSE_FORMAT_TYPE_JSON_SCHEMA: ask the provider to follow the
   * schema exactly, where it can.
   */
  'strict'?: (boolean);
}

/**
 * ResponseFormat asks for structured output.
 */
export interface ResponseFormat__Output {
  /**
   * The shape of the answer.
   */
  'type': (_modelrouter_v1_ResponseFormatType__Output);
  /**
   * With RESPONSE_FORMAT_TYPE_JSON_SCHEMA: the schema's name (letters,
   * digits, "_" and "-", at most 64 characters).
   */
  'schema_name': (string);
  /**
   * With RESPONSE_FORMAT_TYPE_JSON_SCHEMA: the JSON Schema, as JSON text.
   */
  'schema': (string);
  /**
   * With RESPONSE_FORMAT_TYPE_JSON_SCHEMA: ask the provider to follow the
   * schema exactly, where it can.
   */
  'strict': (boolean);
}
