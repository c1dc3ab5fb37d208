//go:build legacygrpc

package main

import "google.golang.org/grpc"

// dial for grpc-go older than 1.63 (Debian 12 ships 1.33), which has neither
// grpc.NewClient nor the credentials/insecure package: build with -tags legacygrpc.
// Like NewClient, Dial without WithBlock does not connect yet: the first call does.
func dial(address string) (*grpc.ClientConn, error) {
	return grpc.Dial(address, grpc.WithInsecure())
}
