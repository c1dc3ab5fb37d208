// Original file: proto/modelrouter/v1/admin.proto


/**
 * GetConfigRequest asks for the configuration in force.
 */
export interface GetConfigRequest {
}

/**
 * GetConfigRequest asks for the configuration in force.
 */
export interface GetConfigRequest__Output {
}
