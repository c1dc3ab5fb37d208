from modelrouter_client._proto import router_pb2 as _router_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SetDeploymentStateRequest(_message.Message):
    __slots__ = ("model", "deployment", "state")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    model: str
    deployment: str
    state: _router_pb2.DeploymentState
    def __init__(self, model: _Optional[str] = ..., deployment: _Optional[str] = ..., state: _Optional[_Union[_router_pb2.DeploymentState, str]] = ...) -> None: ...

class SetDeploymentStateResponse(_message.Message):
    __slots__ = ("previous_state", "state")
    PREVIOUS_STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    previous_state: _router_pb2.DeploymentState
    state: _router_pb2.DeploymentState
    def __init__(self, previous_state: _Optional[_Union[_router_pb2.DeploymentState, str]] = ..., state: _Optional[_Union[_router_pb2.DeploymentState, str]] = ...) -> None: ...

class GetConfigRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetConfigResponse(_message.Message):
    __slots__ = ("yaml", "source", "config_version")
    YAML_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CONFIG_VERSION_FIELD_NUMBER: _ClassVar[int]
    yaml: str
    source: str
    config_version: str
    def __init__(self, yaml: _Optional[str] = ..., source: _Optional[str] = ..., config_version: _Optional[str] = ...) -> None: ...

class ReloadConfigRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReloadConfigResponse(_message.Message):
    __slots__ = ("previous_version", "config_version", "added_models", "removed_models", "changed_models")
    PREVIOUS_VERSION_FIELD_NUMBER: _ClassVar[int]
    CONFIG_VERSION_FIELD_NUMBER: _ClassVar[int]
    ADDED_MODELS_FIELD_NUMBER: _ClassVar[int]
    REMOVED_MODELS_FIELD_NUMBER: _ClassVar[int]
    CHANGED_MODELS_FIELD_NUMBER: _ClassVar[int]
    previous_version: str
    config_version: str
    added_models: _containers.RepeatedScalarFieldContainer[str]
    removed_models: _containers.RepeatedScalarFieldContainer[str]
    changed_models: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, previous_version: _Optional[str] = ..., config_version: _Optional[str] = ..., added_models: _Optional[_Iterable[str]] = ..., removed_models: _Optional[_Iterable[str]] = ..., changed_models: _Optional[_Iterable[str]] = ...) -> None: ...
