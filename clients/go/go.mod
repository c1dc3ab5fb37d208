module github.com/modelrouter/modelrouter/clients/go

go 1.19

require (
	google.golang.org/genproto/googleapis/rpc v0.0.0-20250224174004-546df14abb99
	google.golang.org/grpc v1.71.0
	google.golang.org/protobuf v1.36.5
)
