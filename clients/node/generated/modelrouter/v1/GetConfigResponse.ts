// Original file: proto/modelrouter/v1/admin.proto


/**
 * GetConfigResponse carries the configuration in force.
 */
export interface GetConfigResponse {
  /**
   * The configuration file's text, with every key digest (auth.api_keys[].sha256)
   * replaced by "<redacted>". Names of environment variables are kept; their
   * values never appear.
   */
  'yaml'?: (string);
  /**
   * Where the configuration was read from: a path, or "<built-in default>".
   */
  'source'?: (string);
  /**
   * The configuration's version, as in ListModelsResponse.config_version.
   */
  'config_version'?: (string);
}

/**
 * GetConfigResponse carries the configuration in force.
 */
export interface GetConfigResponse__Output {
  /**
   * The configuration file's text, with every key digest (auth.api_keys[].sha256)
   * replaced by "<redacted>". Names of environment variables are kept; their
   * values never appear.
   */
  'yaml': (string);
  /**
   * Where the configuration was read from: a path, or "<built-in default>".
   */
  'source': (string);
  /**
   * The configuration's version, as in ListModelsResponse.config_version.
   */
  'config_version': (string);
}
