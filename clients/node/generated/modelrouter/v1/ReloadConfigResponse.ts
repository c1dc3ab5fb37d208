// Original file: proto/modelrouter/v1/admin.proto


/**
 * ReloadConfigResponse names what the reload changed.
 */
export interface ReloadConfigResponse {
  /**
   * The version of the configuration that was in force before.
   */
  'previous_version'?: (string);
  /**
   * The version now in force (the first 16 hex digits of the SHA-256 of the
   * file), as in ListModelsResponse.config_version.
   */
  'config_version'?: (string);
  /**
   * Models the new configuration adds, in its order.
   */
  'added_models'?: (string)[];
  /**
   * Models it removes: new calls no longer reach them and their cached answers
   * are no longer served; their calls in flight finish.
   */
  'removed_models'?: (string)[];
  /**
   * Models whose configuration changed: they keep their figures.
   */
  'changed_models'?: (string)[];
}

/**
 * ReloadConfigResponse names what the reload changed.
 */
export interface ReloadConfigResponse__Output {
  /**
   * The version of the configuration that was in force before.
   */
  'previous_version': (string);
  /**
   * The version now in force (the first 16 hex digits of the SHA-256 of the
   * file), as in ListModelsResponse.config_version.
   */
  'config_version': (string);
  /**
   * Models the new configuration adds, in its order.
   */
  'added_models': (string)[];
  /**
   * Models it removes: new calls no longer reach them and their cached answers
   * are no longer served; their calls in flight finish.
   */
  'removed_models': (string)[];
  /**
   * Models whose configuration changed: they keep their figures.
   */
  'changed_models': (string)[];
}
