// Original file: proto/modelrouter/v1/router.proto


/**
 * Tool is a function the model may ask to call.
 */
export interface Tool {
  /**
   * The tool's name: letters, digits, "_" and "-", at most 64 characters;
   * unique among the request's tools.
   */
  'name'?: (string);
  /**
   * What the tool does, for the model to decide when to call it.
   */
  'description'?: (string);
  /**
   * The JSON Schema of the arguments, as JSON text: an object schema
   * ({"type": "object", ...}). Empty means no arguments.
   */
  'parameters'?: (string);
}

/**
 * Tool is a function the model may ask to call.
 */
export interface Tool__Output {
  /**
   * The tool's name: letters, digits, "_" and "-", at most 64 characters;
   * unique among the request's tools.
   */
  'name': (string);
  /**
   * What the tool does, for the model to decide when to call it.
   */
  'description': (string);
  /**
   * The JSON Schema of the arguments, as JSON text: an object schema
   * ({"type": "object", ...}). Empty means no arguments.
   */
  'parameters': (string);
}
