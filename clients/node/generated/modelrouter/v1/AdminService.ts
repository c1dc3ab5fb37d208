// Original file: proto/modelrouter/v1/admin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetConfigRequest as _modelrouter_v1_GetConfigRequest, GetConfigRequest__Output as _modelrouter_v1_GetConfigRequest__Output } from '../../modelrouter/v1/GetConfigRequest';
import type { GetConfigResponse as _modelrouter_v1_GetConfigResponse, GetConfigResponse__Output as _modelrouter_v1_GetConfigResponse__Output } from '../../modelrouter/v1/GetConfigResponse';
import type { ReloadConfigRequest as _modelrouter_v1_ReloadConfigRequest, ReloadConfigRequest__Output as _modelrouter_v1_ReloadConfigRequest__Output } from '../../modelrouter/v1/ReloadConfigRequest';
import type { ReloadConfigResponse as _modelrouter_v1_ReloadConfigResponse, ReloadConfigResponse__Output as _modelrouter_v1_ReloadConfigResponse__Output } from '../../modelrouter/v1/ReloadConfigResponse';
import type { SetDeploymentStateRequest as _modelrouter_v1_SetDeploymentStateRequest, SetDeploymentStateRequest__Output as _modelrouter_v1_SetDeploymentStateRequest__Output } from '../../modelrouter/v1/SetDeploymentStateRequest';
import type { SetDeploymentStateResponse as _modelrouter_v1_SetDeploymentStateResponse, SetDeploymentStateResponse__Output as _modelrouter_v1_SetDeploymentStateResponse__Output } from '../../modelrouter/v1/SetDeploymentStateResponse';

/**
 * AdminService changes and shows a running server's configuration.
 */
export interface AdminServiceClient extends grpc.Client {
  /**
   * GetConfig returns the configuration in force, as YAML, with secrets
   * redacted.
   */
  GetConfig(argument: _modelrouter_v1_GetConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  GetConfig(argument: _modelrouter_v1_GetConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  GetConfig(argument: _modelrouter_v1_GetConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  GetConfig(argument: _modelrouter_v1_GetConfigRequest, callback: grpc.requestCallback<_modelrouter_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  /**
   * GetConfig returns the configuration in force, as YAML, with secrets
   * redacted.
   */
  getConfig(argument: _modelrouter_v1_GetConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  getConfig(argument: _modelrouter_v1_GetConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  getConfig(argument: _modelrouter_v1_GetConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  getConfig(argument: _modelrouter_v1_GetConfigRequest, callback: grpc.requestCallback<_modelrouter_v1_GetConfigResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * ReloadConfig re-reads the configuration file the server started with,
   * validates it whole and swaps it in at once: calls in flight finish on the
   * configuration they started with; unchanged models keep their figures,
   * circuits, balancers, budgets and connections; selection caches are
   * cleared. An invalid file changes nothing: FAILED_PRECONDITION
   * INVALID_CONFIG with a google.rpc.BadRequest detail, one violation per
   * problem. A change only a restart can apply (the listening address, TLS,
   * the usage store, ...) is FAILED_PRECONDITION RESTART_REQUIRED, naming the
   * fields, and also changes nothing.
   */
  ReloadConfig(argument: _modelrouter_v1_ReloadConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_ReloadConfigResponse__Output>): grpc.ClientUnaryCall;
  ReloadConfig(argument: _modelrouter_v1_ReloadConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_ReloadConfigResponse__Output>): grpc.ClientUnaryCall;
  ReloadConfig(argument: _modelrouter_v1_ReloadConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_ReloadConfigResponse__Output>): grpc.ClientUnaryCall;
  ReloadConfig(argument: _modelrouter_v1_ReloadConfigRequest, callback: grpc.requestCallback<_modelrouter_v1_ReloadConfigResponse__Output>): grpc.ClientUnaryCall;
  /**
   * ReloadConfig re-reads the configuration file the server started with,
   * validates it whole and swaps it in at once: calls in flight finish on the
   * configuration they started with; unchanged models keep their figures,
   * circuits, balancers, budgets and connections; selection caches are
   * cleared. An invalid file changes nothing: FAILED_PRECONDITION
   * INVALID_CONFIG with a google.rpc.BadRequest detail, one violation per
   * problem. A change only a restart can apply (the listening address, TLS,
   * the usage store, ...) is FAILED_PRECONDITION RESTART_REQUIRED, naming the
   * fields, and also changes nothing.
   */
  reloadConfig(argument: _modelrouter_v1_ReloadConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_ReloadConfigResponse__Output>): grpc.ClientUnaryCall;
  reloadConfig(argument: _modelrouter_v1_ReloadConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_ReloadConfigResponse__Output>): grpc.ClientUnaryCall;
  reloadConfig(argument: _modelrouter_v1_ReloadConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_ReloadConfigResponse__Output>): grpc.ClientUnaryCall;
  reloadConfig(argument: _modelrouter_v1_ReloadConfigRequest, callback: grpc.requestCallback<_modelrouter_v1_ReloadConfigResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * SetDeploymentState drains a deployment (no new calls; those in flight
   * finish) or makes it active again. An unknown model or deployment is
   * NOT_FOUND.
   */
  SetDeploymentState(argument: _modelrouter_v1_SetDeploymentStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_SetDeploymentStateResponse__Output>): grpc.ClientUnaryCall;
  SetDeploymentState(argument: _modelrouter_v1_SetDeploymentStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_SetDeploymentStateResponse__Output>): grpc.ClientUnaryCall;
  SetDeploymentState(argument: _modelrouter_v1_SetDeploymentStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_SetDeploymentStateResponse__Output>): grpc.ClientUnaryCall;
  SetDeploymentState(argument: _modelrouter_v1_SetDeploymentStateRequest, callback: grpc.requestCallback<_modelrouter_v1_SetDeploymentStateResponse__Output>): grpc.ClientUnaryCall;
  /**
   * SetDeploymentState drains a deployment (no new calls; those in flight
   * finish) or makes it active again. An unknown model or deployment is
   * NOT_FOUND.
   */
  setDeploymentState(argument: _modelrouter_v1_SetDeploymentStateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_SetDeploymentStateResponse__Output>): grpc.ClientUnaryCall;
  setDeploymentState(argument: _modelrouter_v1_SetDeploymentStateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_modelrouter_v1_SetDeploymentStateResponse__Output>): grpc.ClientUnaryCall;
  setDeploymentState(argument: _modelrouter_v1_SetDeploymentStateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_modelrouter_v1_SetDeploymentStateResponse__Output>): grpc.ClientUnaryCall;
  setDeploymentState(argument: _modelrouter_v1_SetDeploymentStateRequest, callback: grpc.requestCallback<_modelrouter_v1_SetDeploymentStateResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * AdminService changes and shows a running server's configuration.
 */
export interface AdminServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * GetConfig returns the configuration in force, as YAML, with secrets
   * redacted.
   */
  GetConfig: grpc.handleUnaryCall<_modelrouter_v1_GetConfigRequest__Output, _modelrouter_v1_GetConfigResponse>;
  
  /**
   * ReloadConfig re-reads the configuration file the server started with,
   * validates it whole and swaps it in at once: calls in flight finish on the
   * configuration they started with; unchanged models keep their figures,
   * circuits, balancers, budgets and connections; selection caches are
   * cleared. An invalid file changes nothing: FAILED_PRECONDITION
   * INVALID_CONFIG with a google.rpc.BadRequest detail, one violation per
   * problem. A change only a restart can apply (the listening address, TLS,
   * the usage store, ...) is FAILED_PRECONDITION RESTART_REQUIRED, naming the
   * fields, and also changes nothing.
   */
  ReloadConfig: grpc.handleUnaryCall<_modelrouter_v1_ReloadConfigRequest__Output, _modelrouter_v1_ReloadConfigResponse>;
  
  /**
   * SetDeploymentState drains a deployment (no new calls; those in flight
   * finish) or makes it active again. An unknown model or deployment is
   * NOT_FOUND.
   */
  SetDeploymentState: grpc.handleUnaryCall<_modelrouter_v1_SetDeploymentStateRequest__Output, _modelrouter_v1_SetDeploymentStateResponse>;
  
}

export interface AdminServiceDefinition extends grpc.ServiceDefinition {
  GetConfig: MethodDefinition<_modelrouter_v1_GetConfigRequest, _modelrouter_v1_GetConfigResponse, _modelrouter_v1_GetConfigRequest__Output, _modelrouter_v1_GetConfigResponse__Output>
  ReloadConfig: MethodDefinition<_modelrouter_v1_ReloadConfigRequest, _modelrouter_v1_ReloadConfigResponse, _modelrouter_v1_ReloadConfigRequest__Output, _modelrouter_v1_ReloadConfigResponse__Output>
  SetDeploymentState: MethodDefinition<_modelrouter_v1_SetDeploymentStateRequest, _modelrouter_v1_SetDeploymentStateResponse, _modelrouter_v1_SetDeploymentStateRequest__Output, _modelrouter_v1_SetDeploymentStateResponse__Output>
}
