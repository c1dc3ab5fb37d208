//go:build !legacygrpc

package main

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// plaintext is the dial option for a server without TLS (the server's default).
func plaintext() grpc.DialOption {
	return grpc.WithTransportCredentials(insecure.NewCredentials())
}

// dial makes a client connection with the options connection.go chose. It does
// not connect yet: the first call does.
func dial(address string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	return grpc.NewClient(address, opts...)
}
