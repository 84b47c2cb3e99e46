// Package agenttest makes a private certificate authority and certificates
// for tests of the agent backend and of the runner's TLS listener.
package agenttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a private certificate authority with an ECDSA P-256 key.
type CA struct {
	Cert   *x509.Certificate
	key    *ecdsa.PrivateKey
	dir    string
	serial int64

	// CertFile is the CA certificate as a PEM file.
	CertFile string
}

// NewCA makes a CA valid for one day and writes its certificate into a
// temporary folder of tb.
func NewCA(tb testing.TB, name string) *CA {
	tb.Helper()
	key := newKey(tb)
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		tb.Fatalf("create CA certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatalf("parse CA certificate: %v", err)
	}

	ca := &CA{Cert: cert, key: key, dir: tb.TempDir(), serial: 1}
	ca.CertFile = ca.write(tb, name+"-ca.pem", "CERTIFICATE", der)
	return ca
}

// Leaf is a certificate issued by a CA, with its key.
type Leaf struct {
	TLS      tls.Certificate
	CertFile string // PEM certificate
	KeyFile  string // PEM PKCS #8 private key
}

// Server issues a server certificate for the IP addresses and DNS names in
// hosts.
func (ca *CA) Server(tb testing.TB, name string, hosts ...string) Leaf {
	tb.Helper()
	return ca.issue(tb, name, x509.ExtKeyUsageServerAuth, hosts)
}

// Client issues a client certificate for mutual TLS.
func (ca *CA) Client(tb testing.TB, name string) Leaf {
	tb.Helper()
	return ca.issue(tb, name, x509.ExtKeyUsageClientAuth, nil)
}

func (ca *CA) issue(tb testing.TB, name string, usage x509.ExtKeyUsage, hosts []string) Leaf {
	tb.Helper()
	ca.serial++
	key := newKey(tb)
	template := &x509.Certificate{
		SerialNumber: big.NewInt(ca.serial),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			template.IPAddresses = append(template.IPAddresses, ip)
		} else {
			template.DNSNames = append(template.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		tb.Fatalf("create certificate %s: %v", name, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatalf("encode key of %s: %v", name, err)
	}

	leaf := Leaf{
		CertFile: ca.write(tb, name+".pem", "CERTIFICATE", der),
		KeyFile:  ca.write(tb, name+"-key.pem", "PRIVATE KEY", keyDER),
	}
	leaf.TLS, err = tls.LoadX509KeyPair(leaf.CertFile, leaf.KeyFile)
	if err != nil {
		tb.Fatalf("load %s: %v", name, err)
	}
	return leaf
}

// Pool returns a pool that contains only the CA certificate.
func (ca *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return pool
}

func (ca *CA) write(tb testing.TB, name, blockType string, der []byte) string {
	tb.Helper()
	path := filepath.Join(ca.dir, name)
	data := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatalf("write %s: %v", path, err)
	}
	return path
}

func newKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatalf("generate key: %v", err)
	}
	return key
}
