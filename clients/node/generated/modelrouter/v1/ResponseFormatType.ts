// Original file: proto/modelrouter/v1/router.proto

/**
 * ResponseFormatType is the shape the answer's text must have.
 */
export const ResponseFormatType = {
  /**
   * Free text (as RESPONSE_FORMAT_TYPE_TEXT).
   */
  RESPONSE_FORMAT_TYPE_UNSPECIFIED: 'RESPONSE_FORMAT_TYPE_UNSPECIFIED',
  /**
   * Free text.
   */
  RESPONSE_FORMAT_TYPE_TEXT: 'RESPONSE_FORMAT_TYPE_TEXT',
  /**
   * A JSON object, any shape.
   */
  RESPONSE_FORMAT_TYPE_JSON_OBJECT: 'RESPONSE_FORMAT_TYPE_JSON_OBJECT',
  /**
   * A JSON value matching ResponseFormat.schema.
   */
  RESPONSE_FORMAT_TYPE_JSON_SCHEMA: 'RESPONSE_FORMAT_TYPE_JSON_SCHEMA',
} as const;

/**
 * ResponseFormatType is the shape the answer's text must have.
 */
export type ResponseFormatType =
  /**
   * Free text (as RESPONSE_FORMAT_TYPE_TEXT).
   */
  | 'RESPONSE_FORMAT_TYPE_UNSPECIFIED'
  | 0
  /**
   * Free text.
   */
  | 'RESPONSE_FORMAT_TYPE_TEXT'
  | 1
  /**
   * A JSON object, any shape.
   */
  | 'RESPONSE_FORMAT_TYPE_JSON_OBJECT'
  | 2
  /**
   * A JSON value matching ResponseFormat.schema.
   */
  | 'RESPONSE_FORMAT_TYPE_JSON_SCHEMA'
  | 3

/**
 * ResponseFormatType is the shape the answer's text must have.
 */
export type ResponseFormatType__Output = typeof ResponseFormatType[keyof typeof ResponseFormatType]
