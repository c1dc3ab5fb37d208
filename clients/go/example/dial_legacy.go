//go:build legacygrpc

package main

import "google.golang.org/grpc"

// plaintext and dial for grpc-go older than 1.63 (Debian 12 ships 1.33), which
// has neither grpc.NewClient nor the credentials/insecure package: build with
// -tags legacygrpc. grpc.Dial(address, grpc.WithInsecure()) stands in. Like
// NewClient, Dial without WithBlock does not connect yet: the first call does.
func plaintext() grpc.DialOption {
	return grpc.WithInsecure()
}

func dial(address string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	return grpc.Dial(address, opts...)
}
