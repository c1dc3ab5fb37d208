package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// connection chooses how to reach the server, from the environment:
//
//	MODELROUTER_CA_FILE    TLS, trusting the CA in this PEM file; unset: plaintext
//	MODELROUTER_CERT_FILE  with MODELROUTER_KEY_FILE: a client certificate and its
//	                       key (PEM), for a server that asks for one (mTLS)
//	MODELROUTER_API_KEY    sent as "authorization: Bearer <key>" on every call
func connection(address string) ([]grpc.DialOption, error) {
	caFile := os.Getenv("MODELROUTER_CA_FILE")
	certFile, keyFile := os.Getenv("MODELROUTER_CERT_FILE"), os.Getenv("MODELROUTER_KEY_FILE")
	var opts []grpc.DialOption
	switch {
	case caFile != "":
		creds, err := tlsCredentials(caFile, certFile, keyFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.WithTransportCredentials(creds))
	case certFile != "" || keyFile != "":
		return nil, errors.New("MODELROUTER_CERT_FILE and MODELROUTER_KEY_FILE need MODELROUTER_CA_FILE (TLS)")
	default:
		opts = append(opts, plaintext())
	}
	if key := os.Getenv("MODELROUTER_API_KEY"); key != "" {
		// gRPC refuses to dial when credentials that require transport security
		// would go over plaintext: the key travels in the clear only to this machine.
		opts = append(opts, grpc.WithPerRPCCredentials(bearer{key: key, requireTLS: !isLoopback(address)}))
	}
	return opts, nil
}

func tlsCredentials(caFile, certFile, keyFile string) (credentials.TransportCredentials, error) {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("MODELROUTER_CA_FILE: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("MODELROUTER_CA_FILE: no PEM certificate in %s", caFile)
	}
	config := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if certFile != "" || keyFile != "" {
		if certFile == "" || keyFile == "" {
			return nil, errors.New("MODELROUTER_CERT_FILE and MODELROUTER_KEY_FILE go together")
		}
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		config.Certificates = []tls.Certificate{pair}
	}
	return credentials.NewTLS(config), nil
}

// bearer is gRPC's per-RPC credentials for an API key: the header goes with
// every call made on the connection.
type bearer struct {
	key        string
	requireTLS bool
}

func (b bearer) GetRequestMetadata(ctx context.Context, uri ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.key}, nil
}

func (b bearer) RequireTransportSecurity() bool { return b.requireTLS }

// isLoopback says whether HOST:PORT names this machine (localhost or a loopback address).
func isLoopback(address string) bool {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
